// ISO 7816-4 command/response APDUs as the SE05x host library frames them.
// Sans-I/O: parse untrusted bytes into values (errors as status words), encode values to bytes.
#pragma once
#include <cstdint>
#include <optional>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace trustlane::se05x {

struct CommandApdu {
  std::uint8_t cla = 0x80;
  std::uint8_t ins = 0;
  std::uint8_t p1 = 0;
  std::uint8_t p2 = 0;
  Bytes data;
  std::optional<std::uint32_t> le;  // expected response length; 0 in the encoding means max
  bool extended = false;            // Lc/Le were in extended (3-byte / 2-byte) form
};

// Parses cases 1, 2S, 3S, 4S, 2E, 3E, 4E. Any other shape → 67 00.
Result<CommandApdu, std::uint16_t> parse_command(ByteView bytes);

// Encodes the way NXP's host library does (sss_se05x_channel_txnRaw): data shorter than 0xFF
// with no Le gets a 1-byte Lc; otherwise Lc is `00 HH LL`; no data → one `00` byte; with_le
// appends `00 00`.
Bytes encode_command(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, ByteView data,
                     bool with_le);

struct ResponseApdu {
  Bytes data;
  std::uint16_t sw = 0;
  bool ok() const { return sw == 0x9000; }
};

std::optional<ResponseApdu> parse_response(ByteView bytes);  // nullopt if shorter than SW1 SW2
Bytes encode_response(ByteView data, std::uint16_t sw);
inline Bytes status_only(std::uint16_t sw) { return encode_response({}, sw); }

}  // namespace trustlane::se05x
