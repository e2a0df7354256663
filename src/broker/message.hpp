// An application message on its way through the broker, whatever MQTT version brought it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "mqtt/packets.hpp"

namespace trustlane::broker {

// An application message on its way through the broker (version-independent).
struct Message {
  std::string topic;
  Bytes payload;
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool retain = false;
  mqtt::Properties properties;  // forwarded v5 properties (no topic alias / subscription ids)
  bool redelivery = false;      // sent before and not acknowledged: replayed with DUP = 1
  std::uint64_t seq = 0;        // its row in the SessionStore (persistent receivers only); 0: none
  std::optional<std::int64_t> expires_at{};  // v5 Message Expiry on the hub clock (message_expiry.hpp)
  bool operator==(const Message&) const = default;
};

// Properties a receiver gets: the publisher's, minus per-hop ones (topic alias, subscription ids).
mqtt::Properties forwarded_properties(const mqtt::Properties& publisher);

}  // namespace trustlane::broker
