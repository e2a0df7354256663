#include "mqtt/wire.hpp"

#include <cassert>

namespace trustlane::mqtt {

bool valid_mqtt_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp;
    std::size_t len;
    if (c < 0x80) {
      if (c == 0) return false;
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF) return false;  // overlong or out of range
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;              // surrogates
    i += len;
  }
  return true;
}

std::optional<std::uint8_t> Reader::u8() {
  if (remaining() < 1) return std::nullopt;
  return in_[at_++];
}

std::optional<std::uint16_t> Reader::u16() {
  auto v = get_u16(in_, at_);
  if (v) at_ += 2;
  return v;
}

std::optional<std::uint32_t> Reader::u32() {
  auto v = get_u32(in_, at_);
  if (v) at_ += 4;
  return v;
}

std::optional<std::uint32_t> Reader::varint() {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    auto b = u8();
    if (!b) return std::nullopt;
    value |= static_cast<std::uint32_t>(*b & 0x7F) << (7 * i);
    if ((*b & 0x80) == 0) return value;
  }
  return std::nullopt;  // a fifth byte would be needed: malformed
}

std::optional<ByteView> Reader::take(std::size_t n) {
  if (remaining() < n) return std::nullopt;
  ByteView out = in_.subspan(at_, n);
  at_ += n;
  return out;
}

ByteView Reader::rest() {
  ByteView out = in_.subspan(at_);
  at_ = in_.size();
  return out;
}

std::optional<std::string> Reader::utf8() {
  auto len = u16();
  if (!len) return std::nullopt;
  auto bytes = take(*len);
  if (!bytes) return std::nullopt;
  std::string s = to_string(*bytes);
  if (!valid_mqtt_utf8(s)) return std::nullopt;
  return s;
}

std::optional<Bytes> Reader::binary() {
  auto len = u16();
  if (!len) return std::nullopt;
  auto bytes = take(*len);
  if (!bytes) return std::nullopt;
  return Bytes(bytes->begin(), bytes->end());
}

void put_u8(Bytes& out, std::uint8_t v) { out.push_back(v); }

void put_varint(Bytes& out, std::uint32_t v) {
  assert(v <= kMaxVarint);
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

std::size_t varint_size(std::uint32_t v) {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : 4;
}

void put_utf8(Bytes& out, std::string_view s) {
  assert(s.size() <= 0xFFFF);
  put_u16(out, static_cast<std::uint16_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

void put_binary(Bytes& out, ByteView b) {
  assert(b.size() <= 0xFFFF);
  put_u16(out, static_cast<std::uint16_t>(b.size()));
  out.insert(out.end(), b.begin(), b.end());
}

}  // namespace trustlane::mqtt
