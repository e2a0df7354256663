// T=1 over I2C blocks (NXP UM11225): `NAD PCB LEN INF[LEN] CRC16`, CRC-16/X.25 low byte first.
// Sans-I/O: block builders, a parser and an incremental stream reader (the TCP stream carries
// raw blocks with no extra framing).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

#include "util/bytes.hpp"

namespace trustlane::link::t1 {

inline constexpr std::uint8_t kNadHostToSe = 0x5A;
inline constexpr std::uint8_t kNadSeToHost = 0xA5;
inline constexpr std::size_t kMaxInf = 254;      // IFSC/IFSD: both sides chain above this
inline constexpr std::size_t kOverhead = 5;      // NAD PCB LEN + CRC(2)
inline constexpr std::size_t kMaxAtr = 100;

// S-block codes (low 5 bits of the PCB).
enum class SCode : std::uint8_t {
  kResynch = 0x00,
  kIfs = 0x01,
  kAbort = 0x02,
  kWtx = 0x03,
  kEndOfApduSession = 0x05,
  kChipReset = 0x06,
  kGetAtr = 0x07,
  kInterfaceSoftReset = 0x0F,
  kDeepPowerDown = 0x1F,
};
std::optional<SCode> s_code_from(std::uint8_t bits);  // nullopt for undefined codes
const char* to_string(SCode code);

// R-block error field.
enum class RError : std::uint8_t { kNone = 0, kCrc = 1, kOther = 2 };

std::uint16_t crc16_x25(ByteView data);

struct Block {
  std::uint8_t nad = 0;
  std::uint8_t pcb = 0;
  Bytes inf;

  bool is_i() const { return (pcb & 0x80) == 0; }
  bool is_r() const { return (pcb & 0xC0) == 0x80; }
  bool is_s() const { return (pcb & 0xC0) == 0xC0; }
  int ns() const { return (pcb >> 6) & 1; }          // I-block send sequence
  bool more() const { return (pcb & 0x20) != 0; }   // I-block chaining
  int nr() const { return (pcb >> 4) & 1; }          // R-block expected sequence
  std::uint8_t r_error() const { return pcb & 0x0F; }
  bool s_response() const { return (pcb & 0x20) != 0; }
  std::uint8_t s_bits() const { return pcb & 0x1F; }
  bool operator==(const Block&) const = default;
};

// Builders. INF must be ≤ 255 bytes (the LEN field is one byte).
Bytes encode(std::uint8_t nad, std::uint8_t pcb, ByteView inf);
Bytes i_block(std::uint8_t nad, int ns, bool more, ByteView inf);
Bytes r_block(std::uint8_t nad, int nr, RError err);
Bytes s_block(std::uint8_t nad, SCode code, bool response, ByteView inf = {});

// Parses exactly one frame; nullopt if the size or the CRC is wrong.
std::optional<Block> parse(ByteView frame);

// Splits a byte stream into frames by their LEN byte.
class StreamReader {
 public:
  enum class Status { kNeedMore, kBlock, kBadCrc };
  void feed(ByteView bytes);
  // kBlock: `out` holds the block. kBadCrc: a frame of the announced size was consumed but its
  // CRC is wrong (`out` holds its header bytes as far as known).
  Status next(Block& out);
  std::size_t buffered() const { return buffer_.size() - consumed_; }
  void clear() { buffer_.clear(); consumed_ = 0; }

 private:
  Bytes buffer_;
  std::size_t consumed_ = 0;
};

}  // namespace trustlane::link::t1
