// CONNECT (§3.1 of both specs): protocol name/level, flags, keep-alive, [properties], payload.
#include "mqtt/codec_detail.hpp"

namespace trustlane::mqtt::detail {

Decoded decode_connect(std::uint8_t flags, Reader& in) {
  if (flags != 0) return malformed();
  auto name = in.utf8();
  if (!name) return malformed();
  if (*name == "MQIsdp") return fail(ReasonCode::unsupported_protocol_version);  // MQTT 3.1
  if (*name != "MQTT") return protocol_error();
  auto level = in.u8();
  if (!level) return malformed();
  if (*level != 4 && *level != 5) return fail(ReasonCode::unsupported_protocol_version);
  Connect c;
  c.version = static_cast<Version>(*level);
  bool v5 = c.version == Version::v5;

  auto connect_flags = in.u8();
  if (!connect_flags) return malformed();
  std::uint8_t f = *connect_flags;
  if (f & 0x01) return malformed();  // reserved bit
  c.clean_start = f & 0x02;
  bool has_will = f & 0x04;
  auto will_qos = static_cast<std::uint8_t>((f >> 3) & 0x03);
  bool will_retain = f & 0x20;
  bool has_password = f & 0x40;
  bool has_username = f & 0x80;
  if (!has_will && (will_qos != 0 || will_retain)) return malformed();
  if (will_qos == 3) return malformed();
  if (!v5 && has_password && !has_username) return malformed();

  auto keep_alive = in.u16();
  if (!keep_alive) return malformed();
  c.keep_alive = *keep_alive;
  if (v5) {
    auto props = decode_properties(in, PropertyContext::connect);
    if (!props) return fail(props.error());
    c.properties = std::move(props.value());
  }
  auto client_id = in.utf8();
  if (!client_id) return malformed();
  c.client_id = std::move(*client_id);
  if (has_will) {
    Will w;
    w.qos = static_cast<QoS>(will_qos);
    w.retain = will_retain;
    if (v5) {
      auto props = decode_properties(in, PropertyContext::will);
      if (!props) return fail(props.error());
      w.properties = std::move(props.value());
    }
    auto topic = in.utf8();
    auto payload = topic ? in.binary() : std::nullopt;
    if (!topic || !payload) return malformed();
    w.topic = std::move(*topic);
    w.payload = std::move(*payload);
    c.will = std::move(w);
  }
  if (has_username) {
    auto user = in.utf8();
    if (!user) return malformed();
    c.username = std::move(*user);
  }
  if (has_password) {
    auto password = in.binary();
    if (!password) return malformed();
    c.password = std::move(*password);
  }
  if (!in.empty()) return malformed();
  return Packet{std::move(c)};
}

std::uint8_t encode_connect(const Connect& c, Bytes& body) {
  bool v5 = c.version == Version::v5;
  put_utf8(body, "MQTT");
  put_u8(body, static_cast<std::uint8_t>(c.version));
  std::uint8_t f = 0;
  if (c.clean_start) f |= 0x02;
  if (c.will) {
    f |= 0x04;
    f |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(c.will->qos) << 3);
    if (c.will->retain) f |= 0x20;
  }
  if (c.password) f |= 0x40;
  if (c.username) f |= 0x80;
  put_u8(body, f);
  put_u16(body, c.keep_alive);
  if (v5) encode_properties(body, c.properties, PropertyContext::connect);
  put_utf8(body, c.client_id);
  if (c.will) {
    if (v5) encode_properties(body, c.will->properties, PropertyContext::will);
    put_utf8(body, c.will->topic);
    put_binary(body, c.will->payload);
  }
  if (c.username) put_utf8(body, *c.username);
  if (c.password) put_binary(body, *c.password);
  return 0;
}

}  // namespace trustlane::mqtt::detail
