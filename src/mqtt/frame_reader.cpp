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
  if (error_) return fail(*error_);
  std::size_t avail = buffered();
  if (avail < 2) return std::optional<Bytes>{};
  const std::uint8_t* p = buffer_.data() + start_;
  std::size_t remaining = 0;
  std::size_t header = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (1 + i >= avail) return std::optional<Bytes>{};  // length not complete yet
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
  if (avail < total) return std::optional<Bytes>{};
  Bytes frame(p, p + total);
  start_ += total;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return std::optional<Bytes>{std::move(frame)};
}

Bytes FrameReader::take_buffered() {
  Bytes out(buffer_.begin() + static_cast<std::ptrdiff_t>(start_), buffer_.end());
  buffer_.clear();
  start_ = 0;
  return out;
}

}  // namespace trustlane::mqtt
