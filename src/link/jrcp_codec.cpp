#include "link/jrcp_codec.hpp"

namespace trustlane::link::jrcp {

Bytes encode(std::uint8_t type, ByteView payload, std::uint8_t nad) {
  Bytes out;
  out.reserve(kHeaderSize + payload.size());
  out.push_back(type);
  out.push_back(nad);
  put_u16(out, static_cast<std::uint16_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

void Decoder::feed(ByteView bytes) {
  if (dead_) return;
  // Compact lazily so a long stream of small frames does not keep shifting the buffer.
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Decoder::Status Decoder::next(Frame& out) {
  if (dead_) return Status::kOversize;
  ByteView pending(buffer_.data() + consumed_, buffer_.size() - consumed_);
  if (pending.size() < kHeaderSize) return Status::kNeedMore;
  std::size_t length = *get_u16(pending, 2);
  if (length > max_payload_) {
    dead_ = true;
    refused_length_ = length;
    buffer_.clear();
    consumed_ = 0;
    return Status::kOversize;
  }
  if (pending.size() < kHeaderSize + length) return Status::kNeedMore;
  out.type = pending[0];
  out.nad = pending[1];
  out.payload.assign(pending.begin() + kHeaderSize, pending.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + length));
  consumed_ += kHeaderSize + length;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
  return Status::kFrame;
}

}  // namespace trustlane::link::jrcp
