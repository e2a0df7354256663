// MQTT wire primitives: a bounds-checked reader over untrusted bytes and append-only writers.
// Every reader method returns nullopt instead of reading past the end or accepting bad UTF-8.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.hpp"

namespace trustlane::mqtt {

// Largest Variable Byte Integer (4 bytes, §1.5.5).
inline constexpr std::uint32_t kMaxVarint = 268'435'455;

// UTF-8 Encoded String rules (§1.5.4): well-formed UTF-8, no U+0000, no surrogates
// (U+D800..U+DFFF), no overlong forms.
bool valid_mqtt_utf8(std::string_view s);

class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  std::optional<std::uint8_t> u8();
  std::optional<std::uint16_t> u16();
  std::optional<std::uint32_t> u32();
  std::optional<std::uint32_t> varint();          // rejects a 5th continuation byte
  std::optional<std::string> utf8();              // 2-byte length prefix + validated text
  std::optional<Bytes> binary();                  // 2-byte length prefix + bytes
  std::optional<ByteView> take(std::size_t n);
  ByteView rest();                                // everything left, consumed
  std::size_t remaining() const { return in_.size() - at_; }
  bool empty() const { return remaining() == 0; }

 private:
  ByteView in_;
  std::size_t at_ = 0;
};

void put_u8(Bytes& out, std::uint8_t v);
void put_varint(Bytes& out, std::uint32_t v);     // v <= kMaxVarint
std::size_t varint_size(std::uint32_t v);
void put_utf8(Bytes& out, std::string_view s);    // s.size() <= 65535
void put_binary(Bytes& out, ByteView b);          // b.size() <= 65535

}  // namespace trustlane::mqtt
