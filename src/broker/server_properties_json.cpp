#include "broker/server_properties_json.hpp"

namespace trustlane::broker {

using nlohmann::json;

json properties_to_json(const mqtt::Properties& p) {
  json j = json::object();
  if (p.payload_format_indicator) j["pfi"] = *p.payload_format_indicator;
  if (p.message_expiry_interval) j["expiry"] = *p.message_expiry_interval;
  if (p.content_type) j["contentType"] = *p.content_type;
  if (p.response_topic) j["responseTopic"] = *p.response_topic;
  if (p.correlation_data) j["correlation"] = to_hex(*p.correlation_data);
  if (!p.user_properties.empty()) j["user"] = p.user_properties;
  return j;
}

mqtt::Properties properties_from_json(const json& j) {
  mqtt::Properties p;
  if (j.contains("pfi")) p.payload_format_indicator = j["pfi"].get<std::uint8_t>();
  if (j.contains("expiry")) p.message_expiry_interval = j["expiry"].get<std::uint32_t>();
  if (j.contains("contentType")) p.content_type = j["contentType"].get<std::string>();
  if (j.contains("responseTopic")) p.response_topic = j["responseTopic"].get<std::string>();
  if (j.contains("correlation")) p.correlation_data = from_hex(j["correlation"].get<std::string>()).value_or(Bytes{});
  if (j.contains("user")) p.user_properties = j["user"].get<mqtt::UserProperties>();
  return p;
}

}  // namespace trustlane::broker
