// Fixed header (§2.1) and dispatch to the per-packet codecs.
#include <cassert>

#include "mqtt/codec_detail.hpp"

namespace trustlane::mqtt {

using namespace detail;

Result<Packet, ReasonCode> decode(ByteView frame, Version version) {
  Reader in(frame);
  auto first = in.u8();
  if (!first) return malformed();
  auto length = in.varint();
  if (!length || *length != in.remaining()) return malformed();
  Reader body(in.rest());
  std::uint8_t flags = *first & 0x0F;
  std::uint8_t type = *first >> 4;
  if (type == 0) return malformed();  // reserved
  auto t = static_cast<PacketType>(type);
  switch (t) {
    case PacketType::connect: return decode_connect(flags, body);
    case PacketType::connack: return decode_connack(flags, body, version);
    case PacketType::publish: return decode_publish(flags, body, version);
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubrel:
    case PacketType::pubcomp: return decode_ack(t, flags, body, version);
    case PacketType::subscribe: return decode_subscribe(flags, body, version);
    case PacketType::suback: return decode_suback(flags, body, version);
    case PacketType::unsubscribe: return decode_unsubscribe(flags, body, version);
    case PacketType::unsuback: return decode_unsuback(flags, body, version);
    case PacketType::pingreq:
    case PacketType::pingresp: return decode_ping(t, flags, body);
    case PacketType::disconnect:
    case PacketType::auth: return decode_disconnect_or_auth(t, flags, body, version);
  }
  return malformed();
}

PacketType type_of(const Packet& p) {
  return static_cast<PacketType>(p.index() + 1);  // variant order follows the wire numbering
}

Bytes encode(const Packet& packet, Version version) {
  if (const auto* p = std::get_if<Publish>(&packet))
    return encode_publish({p->topic, p->payload, p->qos, p->retain, p->dup, p->packet_id, &p->properties}, version);
  Bytes body;
  PacketType type = type_of(packet);
  std::uint8_t flags = std::visit(
      [&](const auto& p) -> std::uint8_t {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Connect>) return encode_connect(p, body);
        else if constexpr (std::is_same_v<T, Connack>) return encode_connack(p, body, version);
        else if constexpr (std::is_base_of_v<AckFields, T>) return encode_ack(type, p, body, version);
        else if constexpr (std::is_same_v<T, Subscribe>) return encode_subscribe(p, body, version);
        else if constexpr (std::is_same_v<T, Suback>) return encode_suback(p, body, version);
        else if constexpr (std::is_same_v<T, Unsubscribe>) return encode_unsubscribe(p, body, version);
        else if constexpr (std::is_same_v<T, Unsuback>) return encode_unsuback(p, body, version);
        else if constexpr (std::is_same_v<T, Pingreq> || std::is_same_v<T, Pingresp> || std::is_same_v<T, Publish>)
          return 0;  // (PUBLISH returned above)
        else {
          static_assert(std::is_same_v<T, Disconnect> || std::is_same_v<T, Auth>);
          assert(!(std::is_same_v<T, Auth> && version == Version::v3_1_1) && "AUTH does not exist in 3.1.1");
          return encode_reason_and_properties(type, p.reason_code, p.properties, body, version);
        }
      },
      packet);
  assert(body.size() <= kMaxVarint);
  Bytes out;
  out.reserve(body.size() + 5);
  out.push_back(static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) << 4 | flags));
  put_varint(out, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::string_view to_string(PacketType t) {
  switch (t) {
    case PacketType::connect: return "CONNECT";
    case PacketType::connack: return "CONNACK";
    case PacketType::publish: return "PUBLISH";
    case PacketType::puback: return "PUBACK";
    case PacketType::pubrec: return "PUBREC";
    case PacketType::pubrel: return "PUBREL";
    case PacketType::pubcomp: return "PUBCOMP";
    case PacketType::subscribe: return "SUBSCRIBE";
    case PacketType::suback: return "SUBACK";
    case PacketType::unsubscribe: return "UNSUBSCRIBE";
    case PacketType::unsuback: return "UNSUBACK";
    case PacketType::pingreq: return "PINGREQ";
    case PacketType::pingresp: return "PINGRESP";
    case PacketType::disconnect: return "DISCONNECT";
    case PacketType::auth: return "AUTH";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const Packet& packet) {
  os << to_string(type_of(packet));
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Connect>) {
          os << " v" << static_cast<int>(p.version) << " client_id=\"" << p.client_id << "\" clean=" << p.clean_start
             << " keep_alive=" << p.keep_alive << (p.will ? " will=" + p.will->topic : "") << " " << p.properties;
        } else if constexpr (std::is_same_v<T, Connack>) {
          os << " session_present=" << p.session_present << " code=" << static_cast<int>(p.reason_code) << " "
             << p.properties;
        } else if constexpr (std::is_same_v<T, Publish>) {
          os << " topic=\"" << p.topic << "\" qos=" << static_cast<int>(p.qos) << " retain=" << p.retain
             << " dup=" << p.dup << " id=" << p.packet_id << " payload=" << p.payload.size() << "B " << p.properties;
        } else if constexpr (std::is_base_of_v<AckFields, T>) {
          os << " id=" << p.packet_id << " code=" << static_cast<int>(p.reason_code);
        } else if constexpr (std::is_same_v<T, Subscribe>) {
          os << " id=" << p.packet_id;
          for (const auto& s : p.subscriptions) os << " " << s.filter << "@" << static_cast<int>(s.qos);
        } else if constexpr (std::is_same_v<T, Unsubscribe>) {
          os << " id=" << p.packet_id;
          for (const auto& f : p.filters) os << " " << f;
        } else if constexpr (std::is_same_v<T, Suback> || std::is_same_v<T, Unsuback>) {
          os << " id=" << p.packet_id << " codes=" << p.reason_codes.size();
        } else if constexpr (std::is_same_v<T, Disconnect> || std::is_same_v<T, Auth>) {
          os << " code=" << static_cast<int>(p.reason_code);
        }
      },
      packet);
  return os;
}

}  // namespace trustlane::mqtt
