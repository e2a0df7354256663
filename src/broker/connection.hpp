// One client connection's MQTT protocol state, sans-I/O: bytes and timer expiries in, Events out.
//
// The I/O layer, per accepted TLS connection (after it has authenticated the certificate and
// resolved the account from SNI):
//   Connection c(hub, identity, authorize, limits);       // emits ArmKeepAlive (CONNECT timeout)
//   on socket data:      c.on_bytes(data);
//   on timer expiry:     c.on_keep_alive_timer();
//   on socket EOF/error: c.on_transport_closed();
//   after each of these: carry out c.take_events() and those of every hub.take_dirty() connection.
// Never destroy a Connection before it has closed (CloseConnection emitted or on_transport_closed()).
//
// Behaviour (AWS IoT Core): MQTT 3.1.1 and 5 (version from CONNECT); QoS 0/1 only (QoS 2 is
// refused); iot:Connect denied → closed without CONNACK; iot:Publish/Subscribe denied → 3.1.1:
// disconnect, 5: reason code NOT_AUTHORIZED; iot:Receive checked per delivery; iot:RetainPublish
// for retained publishes; keep-alive clamped to [30, 1200] s, silence for 1.5× closes; 100
// unacknowledged QoS 1 each way; duplicate client ID takes the session over.
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/account_quotas.hpp"
#include "broker/events.hpp"
#include "broker/hub.hpp"
#include "broker/limits.hpp"
#include "iot/policy/policy.hpp"
#include "mqtt/codec.hpp"
#include "mqtt/frame_reader.hpp"

namespace trustlane::broker {

// Who is on the other end, as established by the TLS layer.
struct ConnectionIdentity {
  Scope scope;
  iot::policy::Variables variables;  // certificate/thing/source-IP variables (iot:ClientId is added here)
};

// Evaluates the certificate's current policies (fetched fresh, so a policy change applies at once).
using Authorizer = std::function<iot::policy::Decision(const iot::policy::Request&)>;

class Connection {
 public:
  // `quotas` (shared by the connections of one core; null: no publish quotas) throttles inbound
  // PUBLISH per connection and per account, and outbound deliveries per account. Its time
  // (stamped by the I/O layer before every call) is also the connection's clock for keep-alive;
  // without quotas the connection reads std::chrono::steady_clock itself.
  Connection(Hub& hub, ConnectionIdentity identity, Authorizer authorize, Limits limits = {},
             PublishQuotas* quotas = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void on_bytes(ByteView data);
  void on_keep_alive_timer();  // closes after 1.5 × keep-alive without a packet, else re-arms
  void on_transport_closed();
  std::vector<Event> take_events();

  // Called by the Hub.
  void deliver(const Message& message, mqtt::QoS qos, const Subscriber& subscriber, bool retain_flag);
  void kick(mqtt::ReasonCode reason);

  bool connected() const { return state_ == State::connected; }
  bool closed() const { return state_ == State::closed; }
  const std::string& client_id() const { return client_id_; }
  mqtt::Version version() const { return version_; }
  std::size_t inflight() const { return inflight_.size(); }

 private:
  enum class State { awaiting_connect, connected, closed };

  void handle(mqtt::Packet&& packet, std::size_t packet_size);
  void on_connect(mqtt::Connect&& c, std::size_t packet_size);
  void on_publish(mqtt::Publish&& p);
  void throttled(const mqtt::Publish& p);
  void on_puback(std::uint16_t packet_id);
  void on_subscribe(const mqtt::Subscribe& s);
  void on_unsubscribe(const mqtt::Unsubscribe& u);
  void on_disconnect(const mqtt::Disconnect& d);

  // The one place internal failures become wire behaviour: CONNACK code before the session
  // exists, DISCONNECT reason (v5) or a bare close (3.1.1) after, plus the lifecycle reason.
  void fail(mqtt::ReasonCode reason);
  void close(mqtt::ReasonCode reason, std::string lifecycle_reason, bool client_initiated, bool publish_will);

  // The core's clock (see the constructor).
  std::chrono::steady_clock::time_point now() const;
  std::chrono::milliseconds keep_alive_window() const { return std::chrono::milliseconds(keep_alive_) * 1500; }

  bool allowed(std::string_view action, std::string_view resource_kind, std::string_view name);
  // iot:Publish, plus iot:RetainPublish for a retained message (PUBLISH and the Will).
  bool may_publish(std::string_view topic, bool retain);
  void route(Message message);  // a client's message: expiry stamped, retained store, subscribers
  std::string arn(std::string_view kind, std::string_view name) const;
  void send(const mqtt::Packet& packet);
  void send_publish(const Message& message, mqtt::QoS qos, std::uint32_t subscription_id, bool retain_flag);
  void drain_pending();
  std::uint16_t next_packet_id();

  Hub& hub_;
  ConnectionIdentity identity_;   // its variables are moved into request_
  iot::policy::Request request_;  // reused by allowed(): the variables plus the action/resource of each check
  Authorizer authorize_;
  Limits limits_;
  PublishQuotas* quotas_ = nullptr;
  TokenBucket publish_rate_;  // Limits::publishes_per_second, on the quotas' clock
  mqtt::FrameReader reader_;
  State state_ = State::awaiting_connect;
  mqtt::Version version_ = mqtt::Version::v5;
  bool connect_decoded_ = false;  // a CONNACK can be sent
  std::string client_id_;
  SessionId session_ = 0;
  std::uint16_t keep_alive_ = 0;
  std::uint32_t session_expiry_ = 0;  // granted at CONNECT, changed by a v5 DISCONNECT
  std::chrono::steady_clock::time_point last_packet_{};  // when the last complete packet arrived
  std::optional<Message> will_;
  std::map<std::uint16_t, std::string> inbound_aliases_;
  std::uint16_t send_window_ = 0;            // min(our window, the client's Receive Maximum)
  std::uint32_t client_max_packet_ = 0;      // 0 = no limit announced
  std::uint16_t last_packet_id_ = 0;
  std::map<std::uint16_t, Message> inflight_;
  MessageQueue<PendingDelivery> pending_;  // behind the QoS 1 window, within limits_.queue_budget()
  std::vector<Event> events_;

  friend class Hub;
  bool in_dirty_list_ = false;  // Hub::mark_dirty: queued once per drain, found in O(1)
};

}  // namespace trustlane::broker
