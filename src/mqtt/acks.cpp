// PUBACK, PUBREC, PUBREL, PUBCOMP (§3.4–3.7): packet id, [reason code, [properties]].
// v5 lets the sender omit a Success reason code and empty properties (Remaining Length 2 or 3).
#include "mqtt/codec_detail.hpp"

namespace trustlane::mqtt::detail {
namespace {

PropertyContext context_of(PacketType type) {
  if (type == PacketType::pubrec) return PropertyContext::pubrec;
  if (type == PacketType::pubrel) return PropertyContext::pubrel;
  if (type == PacketType::pubcomp) return PropertyContext::pubcomp;
  return PropertyContext::puback;
}

template <class T>
Packet make(const AckFields& fields) {
  T t;
  static_cast<AckFields&>(t) = fields;
  return Packet{std::move(t)};
}

}  // namespace

Decoded decode_ack(PacketType type, std::uint8_t flags, Reader& in, Version v) {
  std::uint8_t want_flags = type == PacketType::pubrel ? 0x02 : 0x00;
  if (flags != want_flags) return malformed();
  AckFields a;
  auto id = in.u16();
  if (!id) return malformed();
  if (*id == 0) return protocol_error();
  a.packet_id = *id;
  if (v == Version::v5 && !in.empty()) {
    a.reason_code = *in.u8();
    if (!in.empty()) {
      auto props = decode_properties(in, context_of(type));
      if (!props) return fail(props.error());
      a.properties = std::move(props.value());
    }
  }
  if (!in.empty()) return malformed();
  if (type == PacketType::pubrec) return make<Pubrec>(a);
  if (type == PacketType::pubrel) return make<Pubrel>(a);
  if (type == PacketType::pubcomp) return make<Pubcomp>(a);
  return make<Puback>(a);
}

std::uint8_t encode_ack(PacketType type, const AckFields& a, Bytes& body, Version v) {
  put_u16(body, a.packet_id);
  if (v == Version::v5 && (a.reason_code != 0 || !a.properties.empty())) {
    put_u8(body, a.reason_code);
    if (!a.properties.empty()) encode_properties(body, a.properties, context_of(type));
  }
  return type == PacketType::pubrel ? 0x02 : 0x00;
}

}  // namespace trustlane::mqtt::detail
