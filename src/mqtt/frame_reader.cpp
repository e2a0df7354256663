#include "mqtt/frame_reader.hpp"

namespace trustlane::mqtt {

FrameReader::FrameReader(std::size_t max_packet_size) : max_packet_size_(max_packet_size) {}

void FrameReader::feed(ByteView data) {
  if (error_) return;
  if (start_ > 0 && start_ * 2 >= buffer_.size()) {  // compact: keep the buffer bounded
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), data.begin(), data.end());
}

Result<std::optional<Bytes>, ReasonCode> FrameReader::next() {
  auto view = next_view();
  if (!view) return fail(view.error());
  if (!*view) return std::optional<Bytes>{};
  return std::optional<Bytes>{Bytes((*view)->begin(), (*view)->end())};
}

Result<std::optional<ByteView>, ReasonCode> FrameReader::next_view() {
  if (error_) return fail(*error_);
  if (start_ > 0 && start_ == buffer_.size()) {  // everything handed out: start over (views end here)
    buffer_.clear();
    start_ = 0;
  }
  std::size_t avail = buffered();
  if (avail < 2) return std::optional<ByteView>{};
  const std::uint8_t* p = buffer_.data() + start_;
  std::size_t remaining = 0;
  std::size_t header = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (1 + i >= avail) return std::optional<ByteView>{};  // length not complete yet
    remaining |= static_cast<std::size_t>(p[1 + i] & 0x7F) << (7 * i);
    if ((p[1 + i] & 0x80) == 0) {
      header = 2 + i;
      break;
    }
  }
  if (header == 0) {
    error_ = ReasonCode::malformed_packet;
    return fail(*error_);
  }
  std::size_t total = header + remaining;
  if (total > max_packet_size_) {
    error_ = ReasonCode::packet_too_large;
    return fail(*error_);
  }
  if (avail < total) return std::optional<ByteView>{};
  start_ += total;
  return std::optional<ByteView>{ByteView(p, total)};
}

Bytes FrameReader::take_buffered() {
  Bytes out(buffer_.begin() + static_cast<std::ptrdiff_t>(start_), buffer_.end());
  buffer_.clear();
  start_ = 0;
  return out;
}

}  // namespace trustlane::mqtt
