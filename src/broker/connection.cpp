// Connection, lifecycle side: CONNECT, keep-alive, DISCONNECT, close and the one error mapping.
// GCC 12 reports false -Wmaybe-uninitialized on moves of std::variant<…, std::vector, std::string>
// inside std::vector<Event> growth (inlining-dependent, a known GCC 12 false positive). Silenced for this
// file only; ASan/UBSan runs cover the real thing.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "broker/connection.hpp"

#include <algorithm>

#include "broker/publish_rules.hpp"

namespace trustlane::broker {

using mqtt::ReasonCode;

namespace {

constexpr std::chrono::seconds kConnectTimeout{10};

// AWS lifecycle "disconnectReason" for a broker-side close.
std::string lifecycle_reason(ReasonCode reason) {
  if (reason == ReasonCode::keep_alive_timeout) return "MQTT_KEEP_ALIVE_TIMEOUT";
  if (reason == ReasonCode::session_taken_over) return "DUPLICATE_CLIENTID";
  if (reason == ReasonCode::not_authorized) return "AUTH_ERROR";
  if (reason == ReasonCode::server_shutting_down || reason == ReasonCode::administrative_action)
    return "SERVER_INITIATED_DISCONNECT";
  return "CLIENT_ERROR";  // malformed packets, protocol errors, limits
}

}  // namespace

Connection::Connection(Hub& hub, ConnectionIdentity identity, Authorizer authorize, Limits limits,
                       PublishQuotas* quotas)
    : hub_(hub),
      identity_(std::move(identity)),
      authorize_(std::move(authorize)),
      limits_(limits),
      quotas_(quotas),
      publish_rate_(limits.publishes_per_second),
      reader_(limits.max_packet_size) {
  request_.variables = std::move(identity_.variables);  // the policy variables live in request_
  events_.push_back(ArmKeepAlive{kConnectTimeout});
}

Connection::~Connection() {
  if (state_ != State::closed) on_transport_closed();
  hub_.forget(*this);
}

std::vector<Event> Connection::take_events() {
  std::vector<Event> out;
  out.swap(events_);
  return out;
}

std::chrono::steady_clock::time_point Connection::now() const {
  return quotas_ ? quotas_->now() : std::chrono::steady_clock::now();
}

std::string Connection::arn(std::string_view kind, std::string_view name) const {
  std::string a = "arn:aws:iot:" + identity_.scope.region + ":" + identity_.scope.account + ":";
  a += kind;
  a += '/';
  a += name;
  return a;
}

bool Connection::allowed(std::string_view action, std::string_view kind, std::string_view name) {
  if (!authorize_) return false;
  // One Request reused for every check (two per message): its strings keep their capacity and
  // the variables map is built once, not copied per message.
  request_.action.assign(action);
  auto& resource = request_.resource;
  resource.assign("arn:aws:iot:");
  resource += identity_.scope.region;
  resource += ':';
  resource += identity_.scope.account;
  resource += ':';
  resource += kind;
  resource += '/';
  resource += name;
  return authorize_(request_).allowed();
}

void Connection::send(const mqtt::Packet& packet) {
  // emplace with in_place_type: GCC 12 warns (falsely) about a variant built from a temporary.
  events_.emplace_back(std::in_place_type<SendBytes>, SendBytes{mqtt::encode(packet, version_)});
}

void Connection::on_bytes(ByteView data) {
  if (state_ == State::closed) return;
  reader_.feed(data);
  while (state_ != State::closed) {
    auto frame = reader_.next_view();  // decoded at once: no copy of the frame
    if (!frame.ok()) return fail(frame.error());
    if (!frame.value()) return;
    const std::size_t frame_size = frame.value()->size();
    auto packet = mqtt::decode(*frame.value(), version_);
    if (!packet.ok()) {
      if (state_ == State::awaiting_connect && packet.error() == ReasonCode::unsupported_protocol_version) {
        // Answer in the 3.1.1 format, which MQTT 3.1 clients also understand (return code 1).
        version_ = mqtt::Version::v3_1_1;
        connect_decoded_ = true;
      }
      return fail(packet.error());
    }
    last_packet_ = now();
    handle(std::move(packet.value()), frame_size);
  }
}

void Connection::handle(mqtt::Packet&& packet, std::size_t packet_size) {
  using namespace mqtt;
  if (state_ == State::awaiting_connect) {
    if (auto* c = std::get_if<Connect>(&packet)) return on_connect(std::move(*c), packet_size);
    return close(ReasonCode::protocol_error, "CLIENT_ERROR", false, false);  // first packet must be CONNECT
  }
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Publish>) on_publish(std::move(p));
        else if constexpr (std::is_same_v<T, Puback>) on_puback(p.packet_id);
        else if constexpr (std::is_same_v<T, Subscribe>) on_subscribe(p);
        else if constexpr (std::is_same_v<T, Unsubscribe>) on_unsubscribe(p);
        else if constexpr (std::is_same_v<T, Pingreq>) send(Pingresp{});
        else if constexpr (std::is_same_v<T, Disconnect>) on_disconnect(p);
        // A second CONNECT, QoS 2 flow, AUTH or server-to-client packets.
        else fail(ReasonCode::protocol_error);
      },
      packet);
}

void Connection::on_connect(mqtt::Connect&& c, std::size_t packet_size) {
  using namespace mqtt;
  version_ = c.version;
  connect_decoded_ = true;
  // AWS: CONNECT ≤ 128 KB (the frame limit is larger: it is sized for PUBLISH headers).
  if (packet_size > limits_.max_connect) return fail(ReasonCode::packet_too_large);
  bool assigned = false;
  if (c.client_id.empty()) {
    // 3.1.1 §3.1.3.1: an empty ID needs a clean session; v5 asks the server to assign one.
    if (version_ == Version::v3_1_1 && !c.clean_start) return fail(ReasonCode::client_identifier_not_valid);
    c.client_id = hub_.assign_client_id();
    assigned = true;
  }
  if (c.client_id.size() > limits_.max_client_id) return fail(ReasonCode::client_identifier_not_valid);
  client_id_ = c.client_id;
  request_.variables.set("iot:ClientId", client_id_);

  if (!allowed("iot:Connect", "client", client_id_)) {
    // AWS closes without a CONNACK; clients report "connection lost".
    return close(ReasonCode::not_authorized, "AUTH_ERROR", false, false);
  }
  if (c.will) {
    // The Will obeys PUBLISH's topic rules ($ topics, no retained $); its policy is checked when
    // it is published, so a policy change in between applies.
    if (check_client_publish(c.will->topic, c.will->retain) != TopicVerdict::ok)
      return fail(ReasonCode::topic_name_invalid);
    if (c.will->qos == QoS::exactly_once) return fail(ReasonCode::qos_not_supported);
    will_ = Message{c.will->topic, c.will->payload, c.will->qos, c.will->retain, forwarded_properties(c.will->properties)};
  }
  std::uint16_t requested = c.keep_alive;
  keep_alive_ = requested == 0 ? limits_.max_keep_alive
                               : std::clamp(requested, limits_.min_keep_alive, limits_.max_keep_alive);
  // v5 says how long the session outlives the connection, up to the account's period; 3.1.1
  // persistent sessions get that period.
  const std::uint32_t requested_expiry = c.properties.session_expiry_interval.value_or(0);
  std::uint32_t expiry = version_ == Version::v5 ? std::min(requested_expiry, limits_.session_expiry)
                         : c.clean_start          ? 0
                                                  : limits_.session_expiry;
  send_window_ = std::min(limits_.inflight_window, c.properties.receive_maximum.value_or(0xFFFF));
  client_max_packet_ = c.properties.maximum_packet_size.value_or(0);

  session_expiry_ = expiry;
  auto attached = hub_.attach(*this, identity_.scope, client_id_, c.clean_start, expiry);
  session_ = attached.session;
  state_ = State::connected;

  Connack ack;
  ack.session_present = attached.session_present;
  if (version_ == Version::v5) {
    auto& p = ack.properties;
    if (assigned) p.assigned_client_identifier = client_id_;
    if (keep_alive_ != requested) p.server_keep_alive = keep_alive_;
    if (expiry != requested_expiry) p.session_expiry_interval = expiry;  // MQTT 5 §3.2.2.3.2
    p.receive_maximum = limits_.inflight_window;
    p.topic_alias_maximum = limits_.topic_alias_maximum;
    p.maximum_qos = 1;
    p.retain_available = 1;
    p.maximum_packet_size = static_cast<std::uint32_t>(limits_.max_packet_size);
    p.wildcard_subscription_available = 1;
    p.subscription_identifier_available = 1;
    p.shared_subscription_available = 1;
  }
  send(ack);
  events_.push_back(ArmKeepAlive{keep_alive_window()});
  events_.push_back(Lifecycle{true, client_id_, {}, false});
  hub_.flush_queued(session_);
}

void Connection::on_disconnect(const mqtt::Disconnect& d) {
  // MQTT 5 §3.14.2.2.2: the DISCONNECT may change the session expiry, capped like the
  // CONNECT's, except from 0 to non-zero, which is a protocol error (MQTT-3.14.2-2).
  if (auto expiry = d.properties.session_expiry_interval; expiry && version_ == mqtt::Version::v5) {
    if (session_expiry_ == 0 && *expiry != 0) return fail(ReasonCode::protocol_error);
    session_expiry_ = std::min(*expiry, limits_.session_expiry);
    hub_.set_session_expiry(session_, session_expiry_);
  }
  bool with_will = d.reason_code == static_cast<std::uint8_t>(ReasonCode::disconnect_with_will_message);
  close(ReasonCode::success, "CLIENT_INITIATED_DISCONNECT", true, with_will);
}

void Connection::on_keep_alive_timer() {
  if (state_ == State::closed) return;
  if (state_ == State::awaiting_connect) return close(ReasonCode::keep_alive_timeout, "CONNECTION_LOST", false, false);
  // Measured from the last packet, not sampled once per window (which allowed up to 3×).
  auto silent = now() - last_packet_;
  if (silent >= keep_alive_window()) return fail(ReasonCode::keep_alive_timeout);
  // Re-armed for what is left of the window, rounded up so the timer never fires early.
  events_.push_back(ArmKeepAlive{std::chrono::ceil<std::chrono::milliseconds>(keep_alive_window() - silent)});
}

void Connection::on_transport_closed() {
  if (state_ == State::closed) return;
  close(ReasonCode::unspecified_error, "CONNECTION_LOST", false, true);
}

void Connection::kick(ReasonCode reason) {
  if (state_ != State::closed) fail(reason);
}

void Connection::fail(ReasonCode reason) {
  if (state_ == State::closed) return;
  using namespace mqtt;
  if (state_ == State::awaiting_connect) {
    if (connect_decoded_) {
      if (version_ == Version::v5) {
        send(Connack{false, static_cast<std::uint8_t>(reason), {}});
      } else if (auto code = to_v311_connect_return_code(reason);
                 code != ConnectReturnCode::server_unavailable || reason == ReasonCode::server_unavailable ||
                 reason == ReasonCode::server_busy) {
        send(Connack{false, static_cast<std::uint8_t>(code), {}});
      }
      // Otherwise 3.1.1 has no code for it (an invalid Will, a CONNECT over 128 KB): the connection
      // is closed without a CONNACK (MQTT-3.1.4-1; AWS closes refused CONNECTs) rather than
      // answered 0x03 Server unavailable, which clients take as "retry later".
    }
    return close(reason, lifecycle_reason(reason), false, false);
  }
  if (version_ == Version::v5) send(Disconnect{static_cast<std::uint8_t>(reason), {}});
  close(reason, lifecycle_reason(reason), false, true);
}

void Connection::close(ReasonCode reason, std::string why, bool client_initiated, bool publish_will) {
  if (state_ == State::closed) return;
  bool was_connected = state_ == State::connected;
  state_ = State::closed;
  if (was_connected) {
    if (publish_will && will_ && may_publish(will_->topic, will_->retain)) route(*will_);
    // QoS 1 messages not yet acknowledged go back to a persistent session for replay.
    std::vector<Message> unacked;
    for (auto& [id, m] : inflight_) {
      m.redelivery = true;
      unacked.push_back(std::move(m));
    }
    for (auto& p : pending_.take_all()) unacked.push_back(std::move(p.message));
    inflight_.clear();
    hub_.detach(*this, session_, std::move(unacked));
    events_.push_back(Lifecycle{false, client_id_, why, client_initiated});
  }
  events_.push_back(CloseConnection{reason, std::move(why)});
  hub_.mark_dirty(*this);
}

}  // namespace trustlane::broker
