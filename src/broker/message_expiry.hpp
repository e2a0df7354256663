// MQTT 5 Message Expiry Interval (§3.3.2.3.3) on the hub's clock (seconds, Hub::advance_time).
// A message is stamped with the time it expires when it enters the broker; a copy that had to wait
// (offline queue, behind the QoS 1 window, retained store, replay after a reconnect) is dropped
// once that time has come, and every forwarded copy carries the interval left, not the original.
#pragma once
#include <cstdint>
#include <optional>

#include "mqtt/properties.hpp"

namespace trustlane::broker {

// When a message with these properties, arriving at `now`, expires; nullopt: never.
std::optional<std::int64_t> expiry_time(const mqtt::Properties& properties, std::int64_t now);
bool has_expired(const std::optional<std::int64_t>& expires_at, std::int64_t now);
// Sets the forwarded Message Expiry Interval to what is left (0 once the time has come).
void set_remaining_interval(mqtt::Properties& forwarded, const std::optional<std::int64_t>& expires_at,
                            std::int64_t now);

}  // namespace trustlane::broker
