#include "mqtt/properties.hpp"

#include <cassert>
#include <initializer_list>

namespace trustlane::mqtt {
namespace {

using C = PropertyContext;
using P = PropertyId;

bool in(PropertyContext where, std::initializer_list<PropertyContext> allowed) {
  for (auto a : allowed)
    if (a == where) return true;
  return false;
}

bool is_ack(PropertyContext where) {
  return in(where, {C::puback, C::pubrec, C::pubrel, C::pubcomp, C::suback, C::unsuback});
}

constexpr std::uint8_t kKnownIds[] = {0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x11, 0x12, 0x13,
                                      0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1C, 0x1F, 0x21,
                                      0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A};
bool known_property(std::uint32_t id) {
  for (auto k : kKnownIds)
    if (k == id) return true;
  return false;
}

}  // namespace

bool property_allowed(PropertyId id, PropertyContext where) {
  switch (id) {
    case P::payload_format_indicator:
    case P::message_expiry_interval:
    case P::content_type:
    case P::response_topic:
    case P::correlation_data: return in(where, {C::publish, C::will});
    case P::subscription_identifier: return in(where, {C::publish, C::subscribe});
    case P::session_expiry_interval: return in(where, {C::connect, C::connack, C::disconnect});
    case P::assigned_client_identifier:
    case P::server_keep_alive:
    case P::response_information:
    case P::maximum_qos:
    case P::retain_available:
    case P::wildcard_subscription_available:
    case P::subscription_identifier_available:
    case P::shared_subscription_available: return where == C::connack;
    case P::authentication_method:
    case P::authentication_data: return in(where, {C::connect, C::connack, C::auth});
    case P::request_problem_information:
    case P::request_response_information: return where == C::connect;
    case P::will_delay_interval: return where == C::will;
    case P::server_reference: return in(where, {C::connack, C::disconnect});
    case P::reason_string: return is_ack(where) || in(where, {C::connack, C::disconnect, C::auth});
    case P::receive_maximum:
    case P::topic_alias_maximum:
    case P::maximum_packet_size: return in(where, {C::connect, C::connack});
    case P::topic_alias: return where == C::publish;
    case P::user_property: return true;
  }
  return false;
}

bool Properties::empty() const { return *this == Properties{}; }

Result<Properties, ReasonCode> decode_properties(Reader& in, PropertyContext where) {
  auto length = in.varint();
  if (!length) return fail(ReasonCode::malformed_packet);
  auto block = in.take(*length);
  if (!block) return fail(ReasonCode::malformed_packet);
  Reader r(*block);
  Properties p;
  const auto malformed = fail(ReasonCode::malformed_packet);
  const auto protocol = fail(ReasonCode::protocol_error);

  // Readers for each value type; they reject duplicates of single-valued properties.
  auto byte01 = [&](std::optional<std::uint8_t>& slot) -> std::optional<ReasonCode> {
    if (slot) return ReasonCode::protocol_error;
    auto v = r.u8();
    if (!v) return ReasonCode::malformed_packet;
    if (*v > 1) return ReasonCode::protocol_error;
    slot = *v;
    return std::nullopt;
  };
  auto u16 = [&](std::optional<std::uint16_t>& slot, bool nonzero) -> std::optional<ReasonCode> {
    if (slot) return ReasonCode::protocol_error;
    auto v = r.u16();
    if (!v) return ReasonCode::malformed_packet;
    if (nonzero && *v == 0) return ReasonCode::protocol_error;
    slot = *v;
    return std::nullopt;
  };
  auto u32 = [&](std::optional<std::uint32_t>& slot, bool nonzero) -> std::optional<ReasonCode> {
    if (slot) return ReasonCode::protocol_error;
    auto v = r.u32();
    if (!v) return ReasonCode::malformed_packet;
    if (nonzero && *v == 0) return ReasonCode::protocol_error;
    slot = *v;
    return std::nullopt;
  };
  auto text = [&](std::optional<std::string>& slot) -> std::optional<ReasonCode> {
    if (slot) return ReasonCode::protocol_error;
    auto v = r.utf8();
    if (!v) return ReasonCode::malformed_packet;
    slot = std::move(*v);
    return std::nullopt;
  };
  auto binary = [&](std::optional<Bytes>& slot) -> std::optional<ReasonCode> {
    if (slot) return ReasonCode::protocol_error;
    auto v = r.binary();
    if (!v) return ReasonCode::malformed_packet;
    slot = std::move(*v);
    return std::nullopt;
  };

  while (!r.empty()) {
    auto raw_id = r.varint();  // identifiers are varints, all current ones fit one byte
    if (!raw_id || *raw_id > 0xFF) return malformed;
    if (!known_property(*raw_id)) return malformed;
    auto id = static_cast<PropertyId>(*raw_id);
    std::optional<ReasonCode> err;
    switch (id) {
      case P::payload_format_indicator: err = byte01(p.payload_format_indicator); break;
      case P::message_expiry_interval: err = u32(p.message_expiry_interval, false); break;
      case P::content_type: err = text(p.content_type); break;
      case P::response_topic: err = text(p.response_topic); break;
      case P::correlation_data: err = binary(p.correlation_data); break;
      case P::subscription_identifier: {
        auto v = r.varint();
        if (!v) return malformed;
        if (*v == 0) return protocol;
        if (where != C::publish && !p.subscription_identifiers.empty()) return protocol;
        p.subscription_identifiers.push_back(*v);
        break;
      }
      case P::session_expiry_interval: err = u32(p.session_expiry_interval, false); break;
      case P::assigned_client_identifier: err = text(p.assigned_client_identifier); break;
      case P::server_keep_alive: err = u16(p.server_keep_alive, false); break;
      case P::authentication_method: err = text(p.authentication_method); break;
      case P::authentication_data: err = binary(p.authentication_data); break;
      case P::request_problem_information: err = byte01(p.request_problem_information); break;
      case P::will_delay_interval: err = u32(p.will_delay_interval, false); break;
      case P::request_response_information: err = byte01(p.request_response_information); break;
      case P::response_information: err = text(p.response_information); break;
      case P::server_reference: err = text(p.server_reference); break;
      case P::reason_string: err = text(p.reason_string); break;
      case P::receive_maximum: err = u16(p.receive_maximum, true); break;
      case P::topic_alias_maximum: err = u16(p.topic_alias_maximum, false); break;
      case P::topic_alias: err = u16(p.topic_alias, true); break;
      case P::maximum_qos: err = byte01(p.maximum_qos); break;
      case P::retain_available: err = byte01(p.retain_available); break;
      case P::user_property: {
        auto k = r.utf8();
        if (!k) return malformed;
        auto v = r.utf8();
        if (!v) return malformed;
        p.user_properties.emplace_back(std::move(*k), std::move(*v));
        break;
      }
      case P::maximum_packet_size: err = u32(p.maximum_packet_size, true); break;
      case P::wildcard_subscription_available: err = byte01(p.wildcard_subscription_available); break;
      case P::subscription_identifier_available: err = byte01(p.subscription_identifier_available); break;
      case P::shared_subscription_available: err = byte01(p.shared_subscription_available); break;
    }
    if (err) return fail(*err);
    if (!property_allowed(id, where)) return protocol;
  }
  return p;
}

void encode_properties(Bytes& out, const Properties& p, PropertyContext where) {
  Bytes body;
  auto id = [&](PropertyId pid) {
    assert(property_allowed(pid, where));
    (void)where;
    body.push_back(static_cast<std::uint8_t>(pid));
  };
  auto byte = [&](PropertyId pid, const std::optional<std::uint8_t>& v) {
    if (v) { id(pid); body.push_back(*v); }
  };
  auto u16 = [&](PropertyId pid, const std::optional<std::uint16_t>& v) {
    if (v) { id(pid); put_u16(body, *v); }
  };
  auto u32 = [&](PropertyId pid, const std::optional<std::uint32_t>& v) {
    if (v) { id(pid); put_u32(body, *v); }
  };
  auto text = [&](PropertyId pid, const std::optional<std::string>& v) {
    if (v) { id(pid); put_utf8(body, *v); }
  };
  auto bin = [&](PropertyId pid, const std::optional<Bytes>& v) {
    if (v) { id(pid); put_binary(body, *v); }
  };
  byte(P::payload_format_indicator, p.payload_format_indicator);
  u32(P::message_expiry_interval, p.message_expiry_interval);
  text(P::content_type, p.content_type);
  text(P::response_topic, p.response_topic);
  bin(P::correlation_data, p.correlation_data);
  for (auto sid : p.subscription_identifiers) {
    id(P::subscription_identifier);
    put_varint(body, sid);
  }
  u32(P::session_expiry_interval, p.session_expiry_interval);
  text(P::assigned_client_identifier, p.assigned_client_identifier);
  u16(P::server_keep_alive, p.server_keep_alive);
  text(P::authentication_method, p.authentication_method);
  bin(P::authentication_data, p.authentication_data);
  byte(P::request_problem_information, p.request_problem_information);
  u32(P::will_delay_interval, p.will_delay_interval);
  byte(P::request_response_information, p.request_response_information);
  text(P::response_information, p.response_information);
  text(P::server_reference, p.server_reference);
  text(P::reason_string, p.reason_string);
  u16(P::receive_maximum, p.receive_maximum);
  u16(P::topic_alias_maximum, p.topic_alias_maximum);
  u16(P::topic_alias, p.topic_alias);
  byte(P::maximum_qos, p.maximum_qos);
  byte(P::retain_available, p.retain_available);
  for (const auto& [k, v] : p.user_properties) {
    id(P::user_property);
    put_utf8(body, k);
    put_utf8(body, v);
  }
  u32(P::maximum_packet_size, p.maximum_packet_size);
  byte(P::wildcard_subscription_available, p.wildcard_subscription_available);
  byte(P::subscription_identifier_available, p.subscription_identifier_available);
  byte(P::shared_subscription_available, p.shared_subscription_available);
  put_varint(out, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

std::ostream& operator<<(std::ostream& os, const Properties& p) {
  os << "{";
  if (p.session_expiry_interval) os << " session_expiry=" << *p.session_expiry_interval;
  if (p.receive_maximum) os << " receive_max=" << *p.receive_maximum;
  if (p.topic_alias) os << " topic_alias=" << *p.topic_alias;
  if (p.topic_alias_maximum) os << " topic_alias_max=" << *p.topic_alias_maximum;
  if (p.maximum_packet_size) os << " max_packet=" << *p.maximum_packet_size;
  if (p.reason_string) os << " reason=\"" << *p.reason_string << "\"";
  if (!p.subscription_identifiers.empty()) os << " sub_ids=" << p.subscription_identifiers.size();
  if (!p.user_properties.empty()) os << " user_props=" << p.user_properties.size();
  return os << " }";
}

}  // namespace trustlane::mqtt
