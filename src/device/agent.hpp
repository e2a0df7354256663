// device::Agent: one device — its chip, TLS with the chip's key, MQTT — owning its connection's
// lifetime: start() and it connects, subscribes, publishes, reconnects with backoff, and reports
// every step through a callback, until stop(). Many agents can share one io_context (the demo
// and the load generator run whole fleets in one process).
//
// Identity comes from the chip: the client certificate is read from 0xF0000101, the key
// 0xF0000100 signs inside the chip (via the trustlane-se05x provider), the MQTT client ID is
// base64 of the 18-byte unique ID (24 characters), as in the seed scenario.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mqtt/packets.hpp"
#include "se05x/channel.hpp"

namespace boost::asio {
class io_context;
}

namespace trustlane::device {

enum class QosMode { alternate, qos0, qos1 };  // alternate: 1st message QoS 0, 2nd QoS 1, …

struct AgentConfig {
  // The chip: an in-process one (registered with the provider under its unique ID) or the
  // address of a served one ("HOST:PORT" = JRCP, "jrcp://…", "t1://…").
  std::shared_ptr<se05x::ApduChannel> chip;
  std::string chip_address;
  std::uint32_t key_id = 0xF0000100;

  std::string endpoint;            // SNI and the name the server certificate must carry
  std::string connect_host;        // where to connect (defaults to endpoint)
  std::uint16_t connect_port = 8883;
  std::string root_ca_pem;         // trust anchors for the server certificate
  bool alpn_mqtt = false;          // port-443 mode: ALPN x-amzn-mqtt-ca

  mqtt::Version version = mqtt::Version::v3_1_1;
  std::uint16_t keep_alive_seconds = 60;
  std::vector<std::string> subscriptions;
  std::string publish_topic;       // empty: publish nothing
  std::chrono::milliseconds publish_interval{5000};
  QosMode qos = QosMode::alternate;
  std::uint64_t publish_count = 0; // stop after this many acknowledged/sent publishes; 0 = never
  std::size_t max_unacknowledged = 1000;  // QoS 1 publishes kept for resending after a reconnect
  bool persistent_session = false; // clean session off: the broker keeps subscriptions and queues
  std::uint32_t session_expiry_seconds = 3600;  // MQTT 5 session expiry with persistent_session

  std::chrono::milliseconds backoff_first{1000};
  std::chrono::milliseconds backoff_cap{128000};
};

struct AgentEvent {
  enum class Kind { connected, subscribed, published, resent, acknowledged, received, disconnected, reconnecting, error, stopped };
  Kind kind;
  std::string text;                  // one line, ready to print
  std::string topic;                 // subscribed / published / received
  Bytes payload;                     // published / received
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  std::chrono::milliseconds delay{0};  // reconnecting
};
const char* to_string(AgentEvent::Kind kind);

class Agent {
 public:
  using Callback = std::function<void(const AgentEvent&)>;
  // Reads the chip's identity now (throws std::runtime_error with a one-line reason if the chip
  // or the configuration is unusable); no network I/O until start().
  Agent(boost::asio::io_context& io, AgentConfig config, Callback on_event);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  void start();  // thread-safe
  void stop();   // thread-safe: DISCONNECT if connected, then a `stopped` event
  const std::string& client_id() const;
  const std::string& unique_id_hex() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The JSON payload of the n-th message: {"uid":"<hex>","clientId":"<base64>","counter":n,"qos":q}.
std::string message_payload(const std::string& uid_hex, const std::string& client_id, std::uint64_t counter, int qos);

}  // namespace trustlane::device
