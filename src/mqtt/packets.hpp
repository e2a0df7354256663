// MQTT control packets, one type each, for both 3.1.1 and 5.0 (fields that exist only in 5.0
// — properties, reason codes — are ignored when encoding 3.1.1 and empty when decoding it).
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "mqtt/properties.hpp"
#include "util/bytes.hpp"

namespace trustlane::mqtt {

enum class Version : std::uint8_t { v3_1_1 = 4, v5 = 5 };  // CONNECT protocol level
enum class QoS : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

enum class PacketType : std::uint8_t {
  connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback,
  unsubscribe, unsuback, pingreq, pingresp, disconnect, auth,
};

struct Will {
  std::string topic;
  Bytes payload;
  QoS qos = QoS::at_most_once;
  bool retain = false;
  Properties properties;  // v5 will properties
  bool operator==(const Will&) const = default;
};

struct Connect {
  Version version = Version::v5;
  std::string client_id;
  bool clean_start = true;        // 3.1.1: Clean Session
  std::uint16_t keep_alive = 0;   // seconds
  std::optional<std::string> username;
  std::optional<Bytes> password;
  std::optional<Will> will;
  Properties properties;
  bool operator==(const Connect&) const = default;
};

struct Connack {
  bool session_present = false;
  std::uint8_t reason_code = 0;   // v5 ReasonCode or 3.1.1 ConnectReturnCode
  Properties properties;
  bool operator==(const Connack&) const = default;
};

struct Publish {
  bool dup = false;
  QoS qos = QoS::at_most_once;
  bool retain = false;
  std::string topic;              // may be empty in v5 when a Topic Alias is used
  std::uint16_t packet_id = 0;    // QoS > 0 only (non-zero)
  Properties properties;
  Bytes payload;
  bool operator==(const Publish&) const = default;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape; distinct types keep the variant honest.
struct AckFields {
  std::uint16_t packet_id = 0;
  std::uint8_t reason_code = 0;   // v5 only
  Properties properties;
  bool operator==(const AckFields&) const = default;
};
struct Puback : AckFields {};
struct Pubrec : AckFields {};
struct Pubrel : AckFields {};
struct Pubcomp : AckFields {};

struct Subscription {
  std::string filter;
  QoS qos = QoS::at_most_once;
  bool no_local = false;              // v5
  bool retain_as_published = false;   // v5
  std::uint8_t retain_handling = 0;   // v5: 0..2
  bool operator==(const Subscription&) const = default;
};

struct Subscribe {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<Subscription> subscriptions;  // at least one
  bool operator==(const Subscribe&) const = default;
};

struct Suback {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<std::uint8_t> reason_codes;  // 3.1.1: 0, 1, 2 or 0x80
  bool operator==(const Suback&) const = default;
};

struct Unsubscribe {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<std::string> filters;  // at least one
  bool operator==(const Unsubscribe&) const = default;
};

struct Unsuback {
  std::uint16_t packet_id = 0;
  Properties properties;
  std::vector<std::uint8_t> reason_codes;  // v5 only
  bool operator==(const Unsuback&) const = default;
};

struct Pingreq {
  bool operator==(const Pingreq&) const = default;
};
struct Pingresp {
  bool operator==(const Pingresp&) const = default;
};

struct Disconnect {
  std::uint8_t reason_code = 0;  // v5 only
  Properties properties;
  bool operator==(const Disconnect&) const = default;
};

struct Auth {  // v5 only
  std::uint8_t reason_code = 0;
  Properties properties;
  bool operator==(const Auth&) const = default;
};

using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe, Suback,
                            Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

PacketType type_of(const Packet& p);
std::string_view to_string(PacketType t);
std::ostream& operator<<(std::ostream& os, const Packet& p);  // one line, for logs and tests

}  // namespace trustlane::mqtt
