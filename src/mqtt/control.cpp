// PINGREQ, PINGRESP (§3.12, §3.13), DISCONNECT (§3.14) and AUTH (v5 §3.15).
#include "mqtt/codec_detail.hpp"

namespace trustlane::mqtt::detail {

Decoded decode_ping(PacketType type, std::uint8_t flags, Reader& in) {
  if (flags != 0 || !in.empty()) return malformed();
  if (type == PacketType::pingreq) return Packet{Pingreq{}};
  return Packet{Pingresp{}};
}

Decoded decode_disconnect_or_auth(PacketType type, std::uint8_t flags, Reader& in, Version v) {
  if (flags != 0) return malformed();
  bool auth = type == PacketType::auth;
  if (v == Version::v3_1_1) {
    if (auth) return malformed();  // packet type 15 is reserved in 3.1.1
    if (!in.empty()) return malformed();
    return Packet{Disconnect{}};
  }
  std::uint8_t reason = 0;
  Properties props;
  if (!in.empty()) {
    reason = *in.u8();
    if (!in.empty()) {
      auto p = decode_properties(in, auth ? PropertyContext::auth : PropertyContext::disconnect);
      if (!p) return fail(p.error());
      props = std::move(p.value());
    }
  }
  if (!in.empty()) return malformed();
  if (auth) return Packet{Auth{reason, std::move(props)}};
  return Packet{Disconnect{reason, std::move(props)}};
}

std::uint8_t encode_reason_and_properties(PacketType type, std::uint8_t reason, const Properties& props,
                                          Bytes& body, Version v) {
  if (v == Version::v3_1_1 || (reason == 0 && props.empty())) return 0;
  put_u8(body, reason);
  // DISCONNECT may stop after the reason code; AUTH always carries the property length.
  if (!props.empty() || type == PacketType::auth)
    encode_properties(body, props, type == PacketType::auth ? PropertyContext::auth : PropertyContext::disconnect);
  return 0;
}

}  // namespace trustlane::mqtt::detail
