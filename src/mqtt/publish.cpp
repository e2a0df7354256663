// PUBLISH (§3.3): flags DUP/QoS/RETAIN, topic, packet id (QoS > 0), [properties], payload.
#include "mqtt/codec_detail.hpp"

namespace trustlane::mqtt::detail {

Decoded decode_publish(std::uint8_t flags, Reader& in, Version v) {
  Publish p;
  p.dup = flags & 0x08;
  auto qos = static_cast<std::uint8_t>((flags >> 1) & 0x03);
  p.retain = flags & 0x01;
  if (qos == 3) return malformed();
  if (qos == 0 && p.dup) return malformed();
  p.qos = static_cast<QoS>(qos);
  auto topic = in.utf8();
  if (!topic) return malformed();
  p.topic = std::move(*topic);
  if (qos > 0) {
    auto id = in.u16();
    if (!id) return malformed();
    if (*id == 0) return protocol_error();
    p.packet_id = *id;
  }
  if (v == Version::v5) {
    auto props = decode_properties(in, PropertyContext::publish);
    if (!props) return fail(props.error());
    p.properties = std::move(props.value());
  }
  // An empty topic is only legal in v5 together with a Topic Alias.
  if (p.topic.empty() && !p.properties.topic_alias) return protocol_error();
  ByteView payload = in.rest();
  p.payload.assign(payload.begin(), payload.end());
  return Packet{std::move(p)};
}

std::uint8_t encode_publish(const Publish& p, Bytes& body, Version v) {
  put_utf8(body, p.topic);
  if (p.qos != QoS::at_most_once) put_u16(body, p.packet_id);
  if (v == Version::v5) encode_properties(body, p.properties, PropertyContext::publish);
  body.insert(body.end(), p.payload.begin(), p.payload.end());
  std::uint8_t flags = static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.qos) << 1);
  if (p.dup) flags |= 0x08;
  if (p.retain) flags |= 0x01;
  return flags;
}

}  // namespace trustlane::mqtt::detail
