// What a Connection asks its I/O layer to do. The core owns no socket and no clock: the I/O
// layer writes SendBytes to the socket, arms one keep-alive timer per ArmKeepAlive (replacing
// the previous one) and calls Connection::on_keep_alive_timer() when it fires, closes the socket
// on CloseConnection, and turns Lifecycle / SubscriptionChange into the $aws/events/... publishes
// with lifecycle_events.hpp (it knows the time and the peer address).
#pragma once
#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "mqtt/reason_code.hpp"
#include "util/bytes.hpp"

namespace trustlane::broker {

struct SendBytes {
  Bytes bytes;
};

struct ArmKeepAlive {
  std::chrono::milliseconds after;  // 1.5 × the negotiated keep-alive
};

struct CloseConnection {
  mqtt::ReasonCode reason;        // why (already sent to a v5 peer when a DISCONNECT was possible)
  std::string disconnect_reason;  // AWS lifecycle reason, e.g. "MQTT_KEEP_ALIVE_TIMEOUT"
};

struct Lifecycle {
  bool connected;                 // false: disconnected
  std::string client_id;
  std::string disconnect_reason;  // when !connected
  bool client_initiated = false;  // when !connected
};

struct SubscriptionChange {  // after a SUBACK/UNSUBACK: the filters actually (un)subscribed
  bool subscribed;
  std::vector<std::string> topics;
};

using Event = std::variant<SendBytes, ArmKeepAlive, CloseConnection, Lifecycle, SubscriptionChange>;

}  // namespace trustlane::broker
