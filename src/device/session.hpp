// The device's MQTT client session, sans-I/O: it builds the packets to send and turns received
// frames into events; the Asio layer (agent.cpp) carries bytes and calls on_tick once a second.
// No sockets, no clock (the caller passes `now`), no threads.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mqtt/frame_reader.hpp"
#include "mqtt/packets.hpp"
#include "util/bytes.hpp"

namespace trustlane::device {

using Clock = std::chrono::steady_clock;

struct SessionConfig {
  std::string client_id;
  mqtt::Version version = mqtt::Version::v3_1_1;
  std::uint16_t keep_alive_seconds = 60;
  std::vector<std::string> subscriptions;   // subscribed with QoS 1 after CONNACK
  bool clean_session = true;                 // false: ask the broker to keep the session
  std::uint32_t session_expiry_seconds = 3600;  // MQTT 5, with clean_session = false
};

namespace event {
struct Connected { bool session_present = false; };
struct Refused { std::string reason; };                     // CONNACK with a failure code
struct Subscribed { std::string filter; bool granted = true; std::uint8_t code = 0; };
struct Received { std::string topic; Bytes payload; mqtt::QoS qos = mqtt::QoS::at_most_once; };
struct Acknowledged { std::uint16_t packet_id = 0; };       // PUBACK for one of our QoS 1 publishes
struct Failed { std::string reason; };                      // protocol error or dead peer: close
}  // namespace event
using SessionEvent = std::variant<event::Connected, event::Refused, event::Subscribed, event::Received,
                                  event::Acknowledged, event::Failed>;

struct SessionOutput {
  std::vector<SessionEvent> events;
  std::vector<Bytes> to_send;
  bool close = false;  // the connection must end (after sending to_send)
};

class Session {
 public:
  explicit Session(SessionConfig config);

  Bytes start(Clock::time_point now);                  // CONNECT; call once per connection
  SessionOutput on_bytes(ByteView data, Clock::time_point now);
  SessionOutput on_tick(Clock::time_point now);        // keep-alive: PINGREQ, dead-peer detection
  // A PUBLISH (QoS 0 or 1); returns its bytes and packet id (0 for QoS 0).
  std::pair<Bytes, std::uint16_t> publish(std::string topic, Bytes payload, mqtt::QoS qos, Clock::time_point now);
  // A QoS 1 PUBLISH sent again under its original packet id, DUP set (the broker kept the session).
  Bytes resend(std::uint16_t packet_id, std::string topic, Bytes payload, Clock::time_point now);
  Bytes disconnect();

  bool connected() const { return connected_; }
  std::size_t unacknowledged() const { return inflight_.size(); }

 private:
  void handle(const mqtt::Packet& packet, SessionOutput& out, Clock::time_point now);
  Bytes encode(const mqtt::Packet& packet, Clock::time_point now);
  std::uint16_t next_packet_id();

  SessionConfig config_;
  mqtt::FrameReader reader_;
  bool connected_ = false;
  bool failed_ = false;
  std::uint16_t last_packet_id_ = 0;
  std::uint16_t subscribe_id_ = 0;
  std::vector<std::uint16_t> inflight_;
  Clock::time_point last_sent_{};
  std::optional<Clock::time_point> ping_sent_;
  Clock::time_point connect_sent_{};
};

// One line for a CONNACK failure code, e.g. "not authorized (5)" / "NOT_AUTHORIZED (0x87)".
std::string connack_failure_text(std::uint8_t code, mqtt::Version version);

}  // namespace trustlane::device
