#include "broker/events_lifecycle.hpp"

#include <nlohmann/json.hpp>

#include "crypto/digest.hpp"

namespace trustlane::broker {

bool lifecycle_events_allowed(std::string_view client_id) {
  return client_id.find_first_of("#+") == std::string_view::npos;
}

std::string connected_topic(std::string_view client_id) {
  return "$aws/events/presence/connected/" + std::string(client_id);
}
std::string disconnected_topic(std::string_view client_id) {
  return "$aws/events/presence/disconnected/" + std::string(client_id);
}
std::string subscription_topic(bool subscribed, std::string_view client_id) {
  return std::string(subscribed ? "$aws/events/subscriptions/subscribed/" : "$aws/events/subscriptions/unsubscribed/") +
         std::string(client_id);
}
std::string jitr_topic(std::string_view ca_certificate_id) {
  return "$aws/events/certificates/registered/" + std::string(ca_certificate_id);
}

namespace {
nlohmann::json common(const PresenceFacts& f, std::string_view type) {
  return nlohmann::json{{"clientId", f.client_id},
                        {"timestamp", f.timestamp_ms},
                        {"eventType", type},
                        {"sessionIdentifier", f.session_identifier},
                        {"principalIdentifier", f.principal_identifier}};
}
}  // namespace

std::string connected_payload(const PresenceFacts& f) {
  auto j = common(f, "connected");
  j["ipAddress"] = f.ip_address;
  j["versionNumber"] = f.version_number;
  return j.dump();
}

std::string disconnected_payload(const PresenceFacts& f, bool client_initiated, std::string_view reason) {
  auto j = common(f, "disconnected");
  j["clientInitiatedDisconnect"] = client_initiated;
  j["disconnectReason"] = reason;
  j["versionNumber"] = f.version_number;
  return j.dump();
}

std::string subscription_payload(bool subscribed, const PresenceFacts& f, const std::vector<std::string>& topics) {
  auto j = common(f, subscribed ? "subscribed" : "unsubscribed");
  j["topics"] = topics;
  return j.dump();
}

std::string random_uuid() {
  auto b = crypto::random_bytes(16);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
  auto hex = to_hex(b);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
         hex.substr(20);
}

}  // namespace trustlane::broker
