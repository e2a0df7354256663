#include "broker/lifecycle_events.hpp"

#include <nlohmann/json.hpp>

namespace trustlane::broker {
namespace {

bool gets_events(const std::string& client_id) { return client_id.find_first_of("+#") == std::string::npos; }

nlohmann::json common(const PresenceFacts& f, const char* type) {
  return {{"clientId", f.client_id},
          {"timestamp", f.timestamp_ms},
          {"eventType", type},
          {"sessionIdentifier", f.session_identifier},
          {"principalIdentifier", f.principal_identifier}};
}

}  // namespace

std::optional<EventMessage> presence_event(const PresenceFacts& f, const Lifecycle& l) {
  if (!gets_events(f.client_id)) return std::nullopt;
  nlohmann::json j = common(f, l.connected ? "connected" : "disconnected");
  if (l.connected) {
    j["ipAddress"] = f.ip_address;
  } else {
    j["clientInitiatedDisconnect"] = l.client_initiated;
    j["disconnectReason"] = l.disconnect_reason;
  }
  j["versionNumber"] = f.version_number;
  return EventMessage{std::string("$aws/events/presence/") + (l.connected ? "connected/" : "disconnected/") + f.client_id,
                      j.dump()};
}

std::optional<EventMessage> subscription_event(const PresenceFacts& f, const SubscriptionChange& c) {
  if (!gets_events(f.client_id) || c.topics.empty()) return std::nullopt;
  nlohmann::json j = common(f, c.subscribed ? "subscribed" : "unsubscribed");
  j["topics"] = c.topics;
  return EventMessage{std::string("$aws/events/subscriptions/") + (c.subscribed ? "subscribed/" : "unsubscribed/") +
                          f.client_id,
                      j.dump()};
}

}  // namespace trustlane::broker
