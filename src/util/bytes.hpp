// Byte buffers and the encodings every module needs: hex, base64, base64url, big-endian integers.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trustlane {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string to_string(ByteView b) { return {b.begin(), b.end()}; }

std::string to_hex(ByteView data);                       // lowercase, no separators
std::optional<Bytes> from_hex(std::string_view text);    // accepts spaces, ':' and an optional 0x
std::string base64_encode(ByteView data);                // standard alphabet, padded
std::optional<Bytes> base64_decode(std::string_view text);   // strict: rejects junk and bad padding
std::string base64url_encode(ByteView data);             // RFC 4648 §5, unpadded (JWS)
std::optional<Bytes> base64url_decode(std::string_view text);

// Big-endian integer helpers. Readers return nullopt instead of reading past the end.
inline void put_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
inline void put_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
inline void put_u64(Bytes& out, std::uint64_t v) {
  put_u32(out, static_cast<std::uint32_t>(v >> 32));
  put_u32(out, static_cast<std::uint32_t>(v));
}
inline std::optional<std::uint16_t> get_u16(ByteView in, std::size_t at = 0) {
  if (in.size() < at + 2) return std::nullopt;
  return static_cast<std::uint16_t>(in[at] << 8 | in[at + 1]);
}
inline std::optional<std::uint32_t> get_u32(ByteView in, std::size_t at = 0) {
  if (in.size() < at + 4) return std::nullopt;
  return std::uint32_t{in[at]} << 24 | std::uint32_t{in[at + 1]} << 16 | std::uint32_t{in[at + 2]} << 8 |
         std::uint32_t{in[at + 3]};
}
inline std::optional<std::uint64_t> get_u64(ByteView in, std::size_t at = 0) {
  auto high = get_u32(in, at), low = get_u32(in, at + 4);
  if (!high || !low) return std::nullopt;
  return std::uint64_t{*high} << 32 | *low;
}
inline Bytes be_u32(std::uint32_t v) { Bytes b; put_u32(b, v); return b; }

// Constant-time comparison for anything secret (MACs, signatures, tokens).
bool equal_constant_time(ByteView a, ByteView b);

}  // namespace trustlane
