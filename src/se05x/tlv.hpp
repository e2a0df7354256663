// SE05x TLV encoding: 1-byte tag, length 1 byte (≤0x7F), 81 xx, or 82 hh ll.
// Sans-I/O; the reader never reads past its input and reports malformed input as nullopt.
#pragma once
#include <cstdint>
#include <optional>

#include "util/bytes.hpp"

namespace trustlane::se05x {

class TlvWriter {
 public:
  TlvWriter& bytes(std::uint8_t tag, ByteView value);
  TlvWriter& u8(std::uint8_t tag, std::uint8_t v);
  TlvWriter& u16(std::uint8_t tag, std::uint16_t v);
  TlvWriter& u32(std::uint8_t tag, std::uint32_t v);
  // Host convention: optional members that are 0 / empty are omitted entirely.
  TlvWriter& bytes_if(std::uint8_t tag, ByteView value) { return value.empty() ? *this : bytes(tag, value); }
  TlvWriter& u16_if(std::uint8_t tag, std::uint16_t v) { return v ? u16(tag, v) : *this; }
  const Bytes& data() const& { return out_; }
  Bytes data() && { return std::move(out_); }

 private:
  Bytes out_;
};

struct Tlv {
  std::uint8_t tag;
  ByteView value;
};

// Reads TLVs in order. `next()` returns nullopt at end or on malformed input; `malformed()`
// tells which. Values are views into the reader's input.
class TlvReader {
 public:
  explicit TlvReader(ByteView in) : in_(in) {}
  std::optional<Tlv> next();
  // Reads the next TLV if it carries `tag` (optional fields).
  std::optional<ByteView> take(std::uint8_t tag);
  bool at_end() const { return pos_ == in_.size(); }
  bool malformed() const { return malformed_; }
  std::size_t position() const { return pos_; }

 private:
  ByteView in_;
  std::size_t pos_ = 0;
  bool malformed_ = false;
};

// Integers carried as TLV values (big-endian, exact size).
std::optional<std::uint8_t> tlv_u8(ByteView v);
std::optional<std::uint16_t> tlv_u16(ByteView v);
std::optional<std::uint32_t> tlv_u32(ByteView v);

}  // namespace trustlane::se05x
