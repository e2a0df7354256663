// CONNACK (§3.2): acknowledge flags, return/reason code, [properties].
#include "mqtt/codec_detail.hpp"

namespace trustlane::mqtt::detail {

Decoded decode_connack(std::uint8_t flags, Reader& in, Version v) {
  if (flags != 0) return malformed();
  auto ack_flags = in.u8();
  auto code = in.u8();
  if (!ack_flags || !code) return malformed();
  if (*ack_flags & 0xFE) return malformed();  // reserved bits
  Connack c;
  c.session_present = *ack_flags & 0x01;
  c.reason_code = *code;
  if (v == Version::v5) {
    auto props = decode_properties(in, PropertyContext::connack);
    if (!props) return fail(props.error());
    c.properties = std::move(props.value());
  } else if (*code > 5) {
    return malformed();
  }
  if (!in.empty()) return malformed();
  return Packet{std::move(c)};
}

std::uint8_t encode_connack(const Connack& c, Bytes& body, Version v) {
  put_u8(body, c.session_present ? 1 : 0);
  put_u8(body, c.reason_code);
  if (v == Version::v5) encode_properties(body, c.properties, PropertyContext::connack);
  return 0;
}

}  // namespace trustlane::mqtt::detail
