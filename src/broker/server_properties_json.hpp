// The forwarded MQTT 5 properties of a stored message (retained or queued for a session) as a
// JSON text column of broker.db. Reading throws nlohmann::json exceptions on bad input: the
// stores catch them per row.
#pragma once
#include <nlohmann/json.hpp>

#include "mqtt/packets.hpp"

namespace trustlane::broker {

nlohmann::json properties_to_json(const mqtt::Properties& p);
mqtt::Properties properties_from_json(const nlohmann::json& j);

}  // namespace trustlane::broker
