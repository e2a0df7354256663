// SUBSCRIBE and SUBACK (§3.8, §3.9).
#include "mqtt/codec_detail.hpp"

namespace trustlane::mqtt::detail {

Decoded decode_subscribe(std::uint8_t flags, Reader& in, Version v) {
  if (flags != 0x02) return malformed();
  Subscribe s;
  auto id = in.u16();
  if (!id) return malformed();
  if (*id == 0) return protocol_error();
  s.packet_id = *id;
  if (v == Version::v5) {
    auto props = decode_properties(in, PropertyContext::subscribe);
    if (!props) return fail(props.error());
    s.properties = std::move(props.value());
  }
  while (!in.empty()) {
    Subscription sub;
    auto filter = in.utf8();
    auto options = filter ? in.u8() : std::nullopt;
    if (!filter || !options) return malformed();
    sub.filter = std::move(*filter);
    std::uint8_t o = *options;
    if ((o & 0x03) == 3) return malformed();
    sub.qos = static_cast<QoS>(o & 0x03);
    if (v == Version::v5) {
      if (o & 0xC0) return malformed();
      sub.no_local = o & 0x04;
      sub.retain_as_published = o & 0x08;
      sub.retain_handling = static_cast<std::uint8_t>((o >> 4) & 0x03);
      if (sub.retain_handling == 3) return protocol_error();
    } else if (o & 0xFC) {
      return malformed();
    }
    s.subscriptions.push_back(std::move(sub));
  }
  if (s.subscriptions.empty()) return protocol_error();
  return Packet{std::move(s)};
}

std::uint8_t encode_subscribe(const Subscribe& s, Bytes& body, Version v) {
  put_u16(body, s.packet_id);
  if (v == Version::v5) encode_properties(body, s.properties, PropertyContext::subscribe);
  for (const auto& sub : s.subscriptions) {
    put_utf8(body, sub.filter);
    auto o = static_cast<std::uint8_t>(sub.qos);
    if (v == Version::v5) {
      if (sub.no_local) o |= 0x04;
      if (sub.retain_as_published) o |= 0x08;
      o |= static_cast<std::uint8_t>(sub.retain_handling << 4);
    }
    put_u8(body, o);
  }
  return 0x02;
}

Decoded decode_suback(std::uint8_t flags, Reader& in, Version v) {
  if (flags != 0) return malformed();
  Suback s;
  auto id = in.u16();
  if (!id) return malformed();
  s.packet_id = *id;
  if (v == Version::v5) {
    auto props = decode_properties(in, PropertyContext::suback);
    if (!props) return fail(props.error());
    s.properties = std::move(props.value());
  }
  while (!in.empty()) {
    std::uint8_t code = *in.u8();
    if (v == Version::v3_1_1 && code > 2 && code != 0x80) return malformed();
    s.reason_codes.push_back(code);
  }
  if (s.reason_codes.empty()) return malformed();
  return Packet{std::move(s)};
}

std::uint8_t encode_suback(const Suback& s, Bytes& body, Version v) {
  put_u16(body, s.packet_id);
  if (v == Version::v5) encode_properties(body, s.properties, PropertyContext::suback);
  body.insert(body.end(), s.reason_codes.begin(), s.reason_codes.end());
  return 0;
}

}  // namespace trustlane::mqtt::detail
