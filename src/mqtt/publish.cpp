// PUBLISH (§3.3): flags DUP/QoS/RETAIN, topic, packet id (QoS > 0), [properties], payload.
#include <cassert>

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


}  // namespace trustlane::mqtt::detail

namespace trustlane::mqtt {

Bytes encode_publish(const PublishParts& p, Version v) {
  assert(p.topic.size() <= 65535);
  Bytes properties;  // small: encoded first so the Remaining Length is known before the payload
  if (v == Version::v5) encode_properties(properties, p.properties ? *p.properties : Properties{}, PropertyContext::publish);
  const bool has_id = p.qos != QoS::at_most_once;
  const std::size_t body = 2 + p.topic.size() + (has_id ? 2 : 0) + properties.size() + p.payload.size();
  assert(body <= kMaxVarint);
  std::uint8_t flags = static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.qos) << 1);
  if (p.dup) flags |= 0x08;
  if (p.retain) flags |= 0x01;
  Bytes out;
  out.reserve(1 + 4 + body);
  out.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(PacketType::publish) << 4 | flags));
  put_varint(out, static_cast<std::uint32_t>(body));
  put_utf8(out, p.topic);
  if (has_id) put_u16(out, p.packet_id);
  out.insert(out.end(), properties.begin(), properties.end());
  out.insert(out.end(), p.payload.begin(), p.payload.end());
  return out;
}

}  // namespace trustlane::mqtt
