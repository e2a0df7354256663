// AWS IoT lifecycle event messages ($aws/events/presence/… and $aws/events/subscriptions/…),
// built from a Connection's Lifecycle / SubscriptionChange events plus what only the I/O layer
// knows (time, peer address, certificate ID). Pure functions: the I/O layer publishes the result
// through Hub::publish in the connection's scope.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/events.hpp"

namespace trustlane::broker {

struct PresenceFacts {
  std::string client_id;
  std::int64_t timestamp_ms = 0;
  std::string session_identifier;    // unique per connection (e.g. a UUID)
  std::string principal_identifier;  // the certificate ID
  std::string ip_address;            // connected events only
  std::int64_t version_number = 0;   // increases with each connect/disconnect of the client ID
};

struct EventMessage {
  std::string topic;
  std::string payload;  // JSON
};

// nullopt for client IDs containing '+' or '#': AWS sends them no lifecycle events.
std::optional<EventMessage> presence_event(const PresenceFacts& facts, const Lifecycle& lifecycle);
std::optional<EventMessage> subscription_event(const PresenceFacts& facts, const SubscriptionChange& change);

}  // namespace trustlane::broker
