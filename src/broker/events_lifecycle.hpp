// AWS IoT lifecycle events (sans-I/O): topics and JSON payloads of
// $aws/events/presence/connected|disconnected/<clientId> and
// $aws/events/subscriptions/subscribed|unsubscribed/<clientId>.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trustlane::broker {

// AWS publishes no lifecycle events for client IDs containing '#' or '+'.
bool lifecycle_events_allowed(std::string_view client_id);

struct PresenceFacts {
  std::string client_id;
  std::int64_t timestamp_ms = 0;
  std::string session_identifier;   // a UUID per connection
  std::string principal_identifier; // certificate id
  std::string ip_address;           // connected only
  std::int64_t version_number = 0;
};

std::string connected_topic(std::string_view client_id);
std::string disconnected_topic(std::string_view client_id);
std::string connected_payload(const PresenceFacts& f);
std::string disconnected_payload(const PresenceFacts& f, bool client_initiated, std::string_view reason);

std::string subscription_topic(bool subscribed, std::string_view client_id);
std::string subscription_payload(bool subscribed, const PresenceFacts& f, const std::vector<std::string>& topics);

std::string jitr_topic(std::string_view ca_certificate_id);

// Random version-4 UUID text for sessionIdentifier.
std::string random_uuid();

}  // namespace trustlane::broker
