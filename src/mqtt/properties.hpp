// MQTT 5 properties (§2.2.2.2): all 27 of them, typed. Decoding checks that each property is
// allowed in the packet it came in, appears at most once (except User Property and, in
// PUBLISH, Subscription Identifier) and has a legal value.
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "mqtt/reason_code.hpp"
#include "mqtt/wire.hpp"
#include "util/result.hpp"

namespace trustlane::mqtt {

enum class PropertyId : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

// Where a property block sits: decides which properties are allowed.
enum class PropertyContext {
  connect, will, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe,
  unsuback, disconnect, auth,
};

using UserProperties = std::vector<std::pair<std::string, std::string>>;

struct Properties {
  std::optional<std::uint8_t> payload_format_indicator;
  std::optional<std::uint32_t> message_expiry_interval;
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<Bytes> correlation_data;
  std::vector<std::uint32_t> subscription_identifiers;  // several only in PUBLISH
  std::optional<std::uint32_t> session_expiry_interval;
  std::optional<std::string> assigned_client_identifier;
  std::optional<std::uint16_t> server_keep_alive;
  std::optional<std::string> authentication_method;
  std::optional<Bytes> authentication_data;
  std::optional<std::uint8_t> request_problem_information;
  std::optional<std::uint32_t> will_delay_interval;
  std::optional<std::uint8_t> request_response_information;
  std::optional<std::string> response_information;
  std::optional<std::string> server_reference;
  std::optional<std::string> reason_string;
  std::optional<std::uint16_t> receive_maximum;
  std::optional<std::uint16_t> topic_alias_maximum;
  std::optional<std::uint16_t> topic_alias;
  std::optional<std::uint8_t> maximum_qos;
  std::optional<std::uint8_t> retain_available;
  UserProperties user_properties;
  std::optional<std::uint32_t> maximum_packet_size;
  std::optional<std::uint8_t> wildcard_subscription_available;
  std::optional<std::uint8_t> subscription_identifier_available;
  std::optional<std::uint8_t> shared_subscription_available;

  bool empty() const;
  bool operator==(const Properties&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Properties& p);

bool property_allowed(PropertyId id, PropertyContext where);

// Reads the property length (varint) and the block. Errors: MALFORMED_PACKET (truncated,
// unknown id, bad UTF-8), PROTOCOL_ERROR (duplicate, not allowed here, illegal value).
Result<Properties, ReasonCode> decode_properties(Reader& in, PropertyContext where);

// Writes the property length and the properties in ascending id order (canonical form).
// Properties not allowed in `where` are a programming error (asserted).
void encode_properties(Bytes& out, const Properties& p, PropertyContext where);

}  // namespace trustlane::mqtt
