#include "broker/connection.hpp"

#include <algorithm>

#include "mqtt/topic.hpp"

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

// Properties a receiver gets: the publisher's, minus per-hop ones.
mqtt::Properties forwarded(const mqtt::Properties& in) {
  mqtt::Properties out;
  out.payload_format_indicator = in.payload_format_indicator;
  out.message_expiry_interval = in.message_expiry_interval;
  out.content_type = in.content_type;
  out.response_topic = in.response_topic;
  out.correlation_data = in.correlation_data;
  out.user_properties = in.user_properties;
  return out;
}

bool publishable_reserved_topic(std::string_view topic) {
  // Clients may only publish to the documented reserved topics ($aws/things/… shadows and jobs,
  // $aws/rules/… basic ingest); other $ topics are the broker's own.
  return topic.starts_with("$aws/things/") || topic.starts_with("$aws/rules/");
}

}  // namespace

Connection::Connection(Hub& hub, ConnectionIdentity identity, Authorizer authorize, Limits limits)
    : hub_(hub),
      identity_(std::move(identity)),
      authorize_(std::move(authorize)),
      limits_(limits),
      reader_(limits.max_packet_size) {
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

std::string Connection::arn(std::string_view kind, std::string_view name) const {
  std::string a = "arn:aws:iot:" + identity_.scope.region + ":" + identity_.scope.account + ":";
  a += kind;
  a += '/';
  a += name;
  return a;
}

bool Connection::allowed(std::string_view action, std::string_view kind, std::string_view name) {
  iot::policy::Request r{std::string(action), arn(kind, name), identity_.variables};
  return authorize_ && authorize_(r).allowed();
}

void Connection::send(const mqtt::Packet& packet) {
  // emplace with in_place_type: GCC 12 warns (falsely) about a variant built from a temporary.
  events_.emplace_back(std::in_place_type<SendBytes>, SendBytes{mqtt::encode(packet, version_)});
}

void Connection::on_bytes(ByteView data) {
  if (state_ == State::closed) return;
  reader_.feed(data);
  while (state_ != State::closed) {
    auto frame = reader_.next();
    if (!frame.ok()) return fail(frame.error());
    if (!frame.value()) return;
    auto packet = mqtt::decode(*frame.value(), version_);
    if (!packet.ok()) {
      if (state_ == State::awaiting_connect && packet.error() == ReasonCode::unsupported_protocol_version) {
        // Answer in the 3.1.1 format, which MQTT 3.1 clients also understand (return code 1).
        version_ = mqtt::Version::v3_1_1;
        connect_decoded_ = true;
      }
      return fail(packet.error());
    }
    activity_ = true;
    handle(std::move(packet.value()));
  }
}

void Connection::handle(mqtt::Packet&& packet) {
  using namespace mqtt;
  if (state_ == State::awaiting_connect) {
    if (auto* c = std::get_if<Connect>(&packet)) return on_connect(std::move(*c));
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

void Connection::on_connect(mqtt::Connect&& c) {
  using namespace mqtt;
  version_ = c.version;
  connect_decoded_ = true;
  bool assigned = false;
  if (c.client_id.empty()) {
    // 3.1.1 §3.1.3.1: an empty ID needs a clean session; v5 asks the server to assign one.
    if (version_ == Version::v3_1_1 && !c.clean_start) return fail(ReasonCode::client_identifier_not_valid);
    c.client_id = hub_.assign_client_id();
    assigned = true;
  }
  if (c.client_id.size() > limits_.max_client_id) return fail(ReasonCode::client_identifier_not_valid);
  client_id_ = c.client_id;
  identity_.variables["iot:ClientId"] = {client_id_};

  if (!allowed("iot:Connect", "client", client_id_)) {
    // AWS closes without a CONNACK; clients report "connection lost".
    return close(ReasonCode::not_authorized, "AUTH_ERROR", false, false);
  }
  if (c.will) {
    if (mqtt::validate_topic_name(c.will->topic)) return fail(ReasonCode::topic_name_invalid);
    if (c.will->qos == QoS::exactly_once) return fail(ReasonCode::qos_not_supported);
    will_ = Message{c.will->topic, c.will->payload, c.will->qos, c.will->retain, forwarded(c.will->properties)};
  }
  std::uint16_t requested = c.keep_alive;
  keep_alive_ = requested == 0 ? limits_.max_keep_alive
                               : std::clamp(requested, limits_.min_keep_alive, limits_.max_keep_alive);
  bool persistent = version_ == Version::v5 ? c.properties.session_expiry_interval.value_or(0) > 0 : !c.clean_start;
  send_window_ = std::min(limits_.inflight_window, c.properties.receive_maximum.value_or(0xFFFF));
  client_max_packet_ = c.properties.maximum_packet_size.value_or(0);

  auto attached = hub_.attach(*this, identity_.scope, client_id_, c.clean_start, persistent);
  session_ = attached.session;
  state_ = State::connected;

  Connack ack;
  ack.session_present = attached.session_present;
  if (version_ == Version::v5) {
    auto& p = ack.properties;
    if (assigned) p.assigned_client_identifier = client_id_;
    if (keep_alive_ != requested) p.server_keep_alive = keep_alive_;
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
  activity_ = false;
  events_.push_back(ArmKeepAlive{std::chrono::milliseconds(keep_alive_) * 1500});
  events_.push_back(Lifecycle{true, client_id_, {}, false});
  hub_.flush_queued(session_);
}

void Connection::on_publish(mqtt::Publish&& p) {
  using namespace mqtt;
  if (p.qos == QoS::exactly_once) return fail(ReasonCode::qos_not_supported);
  if (auto alias = p.properties.topic_alias) {
    if (*alias > limits_.topic_alias_maximum) return fail(ReasonCode::topic_alias_invalid);
    if (p.topic.empty()) {
      auto it = inbound_aliases_.find(*alias);
      if (it == inbound_aliases_.end()) return fail(ReasonCode::protocol_error);
      p.topic = it->second;
    } else {
      inbound_aliases_[*alias] = p.topic;
    }
  }
  if (validate_topic_name(p.topic)) return fail(ReasonCode::topic_name_invalid);

  bool permitted = (p.topic[0] != '$' || publishable_reserved_topic(p.topic)) &&
                   allowed("iot:Publish", "topic", p.topic) &&
                   (!p.retain || (p.topic[0] != '$' && allowed("iot:RetainPublish", "topic", p.topic)));
  if (!permitted) {
    if (version_ == Version::v3_1_1) return fail(ReasonCode::not_authorized);
    if (p.qos == QoS::at_least_once) send(Puback{{p.packet_id, static_cast<std::uint8_t>(ReasonCode::not_authorized), {}}});
    return;
  }
  Message m{p.topic, std::move(p.payload), p.qos, p.retain, forwarded(p.properties)};
  if (m.retain) hub_.retain(identity_.scope, m);
  // Basic Ingest ($aws/rules/…) goes to the rules engine, never to subscribers.
  if (!m.topic.starts_with("$aws/rules/")) hub_.publish(identity_.scope, m, session_);
  if (p.qos == QoS::at_least_once) send(Puback{{p.packet_id, 0, {}}});
}

void Connection::on_puback(std::uint16_t packet_id) {
  inflight_.erase(packet_id);  // an unknown id is harmless (e.g. acked after a resend)
  drain_pending();
}

void Connection::on_subscribe(const mqtt::Subscribe& s) {
  using namespace mqtt;
  bool v5 = version_ == Version::v5;
  std::uint32_t subscription_id =
      s.properties.subscription_identifiers.empty() ? 0 : s.properties.subscription_identifiers.front();
  Suback ack;
  ack.packet_id = s.packet_id;
  std::vector<std::pair<std::string, std::uint8_t>> replay;  // filter, retain handling
  SubscriptionChange change{true, {}};
  for (std::size_t i = 0; i < s.subscriptions.size(); ++i) {
    const Subscription& sub = s.subscriptions[i];
    auto reject = [&](ReasonCode why) {
      ack.reason_codes.push_back(v5 ? static_cast<std::uint8_t>(why) : 0x80);
    };
    bool shared = parse_shared(sub.filter).has_value();
    if (shared && sub.no_local) return fail(ReasonCode::protocol_error);  // v5 §3.8.3.1
    if (i >= limits_.max_filters_per_subscribe) {
      reject(ReasonCode::quota_exceeded);
      continue;
    }
    if (validate_topic_filter(sub.filter)) {
      reject(ReasonCode::topic_filter_invalid);
      continue;
    }
    if (!allowed("iot:Subscribe", "topicfilter", sub.filter)) {
      if (!v5) return fail(ReasonCode::not_authorized);  // AWS drops 3.1.1 clients
      reject(ReasonCode::not_authorized);
      continue;
    }
    if (!hub_.subscribed(session_, sub.filter) && hub_.subscription_count(session_) >= limits_.max_subscriptions) {
      reject(ReasonCode::quota_exceeded);
      continue;
    }
    auto granted = std::min(sub.qos, QoS::at_least_once);
    bool is_new = hub_.subscribe(session_, sub.filter,
                                 Subscriber{session_, granted, sub.no_local, sub.retain_as_published, subscription_id});
    ack.reason_codes.push_back(static_cast<std::uint8_t>(granted));
    change.topics.push_back(sub.filter);
    if (!shared && (sub.retain_handling == 0 || (sub.retain_handling == 1 && is_new)))
      replay.emplace_back(sub.filter, sub.retain_handling);
  }
  send(ack);
  if (!change.topics.empty()) events_.emplace_back(std::in_place_type<SubscriptionChange>, std::move(change));
  for (const auto& [filter, handling] : replay) {
    std::vector<RetainedMessage> retained;
    hub_.retained_for(identity_.scope, filter, retained);
    for (auto& r : retained) {
      Message m{r.topic, std::move(r.payload), r.qos, true, r.properties};
      deliver(m, std::min(r.qos, QoS::at_least_once), Subscriber{session_, QoS::at_least_once, false, true, subscription_id}, true);
    }
  }
}

void Connection::on_unsubscribe(const mqtt::Unsubscribe& u) {
  mqtt::Unsuback ack;
  ack.packet_id = u.packet_id;
  SubscriptionChange change{false, {}};
  for (const auto& filter : u.filters) {
    bool removed = hub_.unsubscribe(session_, filter);
    if (removed) change.topics.push_back(filter);
    if (version_ == mqtt::Version::v5)
      ack.reason_codes.push_back(static_cast<std::uint8_t>(removed ? ReasonCode::success : ReasonCode::no_subscription_existed));
  }
  send(ack);
  if (!change.topics.empty()) events_.emplace_back(std::in_place_type<SubscriptionChange>, std::move(change));
}

void Connection::on_disconnect(const mqtt::Disconnect& d) {
  bool with_will = d.reason_code == static_cast<std::uint8_t>(ReasonCode::disconnect_with_will_message);
  close(ReasonCode::success, "CLIENT_INITIATED_DISCONNECT", true, with_will);
}

void Connection::on_keep_alive_timer() {
  if (state_ == State::closed) return;
  if (state_ == State::awaiting_connect) return close(ReasonCode::keep_alive_timeout, "CONNECTION_LOST", false, false);
  if (!activity_) return fail(ReasonCode::keep_alive_timeout);
  activity_ = false;
  events_.push_back(ArmKeepAlive{std::chrono::milliseconds(keep_alive_) * 1500});
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
      std::uint8_t code = version_ == Version::v5 ? static_cast<std::uint8_t>(reason)
                                                  : static_cast<std::uint8_t>(to_v311_connect_return_code(reason));
      send(Connack{false, code, {}});
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
    if (publish_will && will_) {
      const Message& w = *will_;
      bool permitted = allowed("iot:Publish", "topic", w.topic) &&
                       (!w.retain || allowed("iot:RetainPublish", "topic", w.topic));
      if (permitted) {
        if (w.retain) hub_.retain(identity_.scope, w);
        hub_.publish(identity_.scope, w, session_);
      }
    }
    // QoS 1 messages not yet acknowledged go back to a persistent session for replay.
    std::vector<Message> unacked;
    for (auto& [id, m] : inflight_) {
      m.redelivery = true;
      unacked.push_back(std::move(m));
    }
    for (auto& p : pending_) unacked.push_back(std::move(p.message));
    inflight_.clear();
    pending_.clear();
    hub_.detach(*this, session_, std::move(unacked));
    events_.push_back(Lifecycle{false, client_id_, why, client_initiated});
  }
  events_.push_back(CloseConnection{reason, std::move(why)});
  hub_.mark_dirty(*this);
}

std::uint16_t Connection::next_packet_id() {
  do {
    last_packet_id_ = static_cast<std::uint16_t>(last_packet_id_ + 1);
  } while (last_packet_id_ == 0 || inflight_.count(last_packet_id_));
  return last_packet_id_;
}

void Connection::deliver(const Message& message, mqtt::QoS qos, const Subscriber& subscriber, bool retain_flag) {
  if (state_ != State::connected) return;
  // iot:Receive is checked on every delivery, so a policy change stops live delivery.
  if (!allowed("iot:Receive", "topic", message.topic)) return;
  if (qos == mqtt::QoS::at_least_once && inflight_.size() >= send_window_) {
    pending_.push_back({message, subscriber.subscription_id, retain_flag});
    return;
  }
  send_publish(message, qos, subscriber.subscription_id, retain_flag);
}

void Connection::send_publish(const Message& message, mqtt::QoS qos, std::uint32_t subscription_id, bool retain_flag) {
  mqtt::Publish p;
  p.topic = message.topic;
  p.payload = message.payload;
  p.qos = qos;
  p.retain = retain_flag;
  if (version_ == mqtt::Version::v5) {
    p.properties = message.properties;
    if (subscription_id) p.properties.subscription_identifiers = {subscription_id};
  }
  if (qos == mqtt::QoS::at_least_once) {
    p.packet_id = next_packet_id();
    p.dup = message.redelivery;
  }
  Bytes bytes = mqtt::encode(p, version_);
  if (client_max_packet_ && bytes.size() > client_max_packet_) return;  // v5 §3.1.2.11.4: drop
  if (qos == mqtt::QoS::at_least_once) {
    Message kept = message;
    kept.qos = qos;
    inflight_.emplace(p.packet_id, std::move(kept));
  }
  events_.emplace_back(std::in_place_type<SendBytes>, SendBytes{std::move(bytes)});
}

void Connection::drain_pending() {
  while (!pending_.empty() && inflight_.size() < send_window_ && state_ == State::connected) {
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    send_publish(next.message, mqtt::QoS::at_least_once, next.subscription_id, next.retain_flag);
  }
}

}  // namespace trustlane::broker
