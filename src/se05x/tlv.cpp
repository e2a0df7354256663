#include "se05x/tlv.hpp"

namespace trustlane::se05x {

TlvWriter& TlvWriter::bytes(std::uint8_t tag, ByteView value) {
  out_.push_back(tag);
  auto n = value.size();
  if (n <= 0x7F) {
    out_.push_back(static_cast<std::uint8_t>(n));
  } else if (n <= 0xFF) {
    out_.push_back(0x81);
    out_.push_back(static_cast<std::uint8_t>(n));
  } else {
    out_.push_back(0x82);
    put_u16(out_, static_cast<std::uint16_t>(n));
  }
  out_.insert(out_.end(), value.begin(), value.end());
  return *this;
}

TlvWriter& TlvWriter::u8(std::uint8_t tag, std::uint8_t v) { return bytes(tag, ByteView(&v, 1)); }
TlvWriter& TlvWriter::u16(std::uint8_t tag, std::uint16_t v) {
  Bytes b;
  put_u16(b, v);
  return bytes(tag, b);
}
TlvWriter& TlvWriter::u32(std::uint8_t tag, std::uint32_t v) { return bytes(tag, be_u32(v)); }

std::optional<Tlv> TlvReader::next() {
  if (malformed_ || pos_ >= in_.size()) return std::nullopt;
  auto remaining = in_.size() - pos_;
  if (remaining < 2) {
    malformed_ = true;
    return std::nullopt;
  }
  std::uint8_t tag = in_[pos_];
  std::size_t len = in_[pos_ + 1];
  std::size_t header = 2;
  if (len == 0x81) {
    if (remaining < 3) { malformed_ = true; return std::nullopt; }
    len = in_[pos_ + 2];
    header = 3;
  } else if (len == 0x82) {
    if (remaining < 4) { malformed_ = true; return std::nullopt; }
    len = static_cast<std::size_t>(in_[pos_ + 2]) << 8 | in_[pos_ + 3];
    header = 4;
  } else if (len > 0x7F) {
    malformed_ = true;
    return std::nullopt;
  }
  if (remaining - header < len) {
    malformed_ = true;
    return std::nullopt;
  }
  Tlv t{tag, in_.subspan(pos_ + header, len)};
  pos_ += header + len;
  return t;
}

std::optional<ByteView> TlvReader::take(std::uint8_t tag) {
  if (malformed_ || pos_ >= in_.size() || in_[pos_] != tag) return std::nullopt;
  auto t = next();
  if (!t) return std::nullopt;
  return t->value;
}

std::optional<std::uint8_t> tlv_u8(ByteView v) {
  if (v.size() != 1) return std::nullopt;
  return v[0];
}
std::optional<std::uint16_t> tlv_u16(ByteView v) {
  if (v.size() != 2) return std::nullopt;
  return get_u16(v);
}
std::optional<std::uint32_t> tlv_u32(ByteView v) {
  if (v.size() != 4) return std::nullopt;
  return get_u32(v);
}

}  // namespace trustlane::se05x
