// UNSUBSCRIBE and UNSUBACK (§3.10, §3.11).
#include "mqtt/codec_detail.hpp"

namespace trustlane::mqtt::detail {

Decoded decode_unsubscribe(std::uint8_t flags, Reader& in, Version v) {
  if (flags != 0x02) return malformed();
  Unsubscribe u;
  auto id = in.u16();
  if (!id) return malformed();
  if (*id == 0) return protocol_error();
  u.packet_id = *id;
  if (v == Version::v5) {
    auto props = decode_properties(in, PropertyContext::unsubscribe);
    if (!props) return fail(props.error());
    u.properties = std::move(props.value());
  }
  while (!in.empty()) {
    auto filter = in.utf8();
    if (!filter) return malformed();
    u.filters.push_back(std::move(*filter));
  }
  if (u.filters.empty()) return protocol_error();
  return Packet{std::move(u)};
}

std::uint8_t encode_unsubscribe(const Unsubscribe& u, Bytes& body, Version v) {
  put_u16(body, u.packet_id);
  if (v == Version::v5) encode_properties(body, u.properties, PropertyContext::unsubscribe);
  for (const auto& f : u.filters) put_utf8(body, f);
  return 0x02;
}

Decoded decode_unsuback(std::uint8_t flags, Reader& in, Version v) {
  if (flags != 0) return malformed();
  Unsuback u;
  auto id = in.u16();
  if (!id) return malformed();
  u.packet_id = *id;
  if (v == Version::v5) {
    auto props = decode_properties(in, PropertyContext::unsuback);
    if (!props) return fail(props.error());
    u.properties = std::move(props.value());
    while (!in.empty()) u.reason_codes.push_back(*in.u8());
    if (u.reason_codes.empty()) return malformed();
  }
  if (!in.empty()) return malformed();
  return Packet{std::move(u)};
}

std::uint8_t encode_unsuback(const Unsuback& u, Bytes& body, Version v) {
  put_u16(body, u.packet_id);
  if (v == Version::v5) {
    encode_properties(body, u.properties, PropertyContext::unsuback);
    body.insert(body.end(), u.reason_codes.begin(), u.reason_codes.end());
  }
  return 0;
}

}  // namespace trustlane::mqtt::detail
