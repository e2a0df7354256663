#include "broker/net/connection.hpp"
#include "broker/net/tls.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "mqtt/codec.hpp"
#include "mqtt/topic.hpp"

namespace trustlane::broker::net {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using mqtt::ReasonCode;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The v5 CONNACK reason code for a refusal: the one place this boundary maps errors to wire codes.
ReasonCode connack_code(Refusal r) {
  switch (r) {
    case Refusal::no_certificate:
    case Refusal::unknown_endpoint:
    case Refusal::unknown_certificate:
    case Refusal::certificate_not_active:
    case Refusal::ca_not_active:
    case Refusal::jitr_registered: return ReasonCode::bad_user_name_or_password;
    case Refusal::client_id_invalid: return ReasonCode::client_identifier_not_valid;
    case Refusal::not_authorized: return ReasonCode::not_authorized;
    case Refusal::connect_throttled: return ReasonCode::connection_rate_exceeded;
    case Refusal::protocol_error: return ReasonCode::protocol_error;
    case Refusal::server_busy: return ReasonCode::server_busy;
  }
  return ReasonCode::unspecified_error;
}

// Topics a client may publish to although they start with '$' (AWS: shadows, Basic Ingest).
bool publishable_reserved(std::string_view topic) {
  return topic.starts_with("$aws/things/") || topic.starts_with("$aws/rules/");
}

// Forwarded PUBLISH properties (MQTT 5 §3.3.4: the server forwards these unaltered).
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

}  // namespace

void publish_event(Hub& hub, const iot::Scope& scope, std::string topic, std::string payload) {
  auto m = std::make_shared<Message>();
  m->topic = std::move(topic);
  m->payload.assign(payload.begin(), payload.end());
  m->received_ms = wall_ms();
  hub.publish(scope, std::move(m), 0);
}

Connection::Connection(Context& ctx, asio::ip::tcp::socket socket, asio::ssl::context& tls, bool alpn_required)
    : ctx_(ctx),
      stream_(std::move(socket), tls),
      executor_(stream_.get_executor()),
      alpn_required_(alpn_required),
      write_wake_(executor_),
      watchdog_timer_(executor_),
      reader_(ctx.options.limits.max_packet),
      read_buffer_(16 * 1024),
      publish_rate_(ctx.options.limits.publishes_per_second),
      byte_rate_(ctx.options.limits.bytes_per_second) {
  boost::system::error_code ec;
  auto ep = stream_.next_layer().remote_endpoint(ec);
  if (!ec) peer_ip_ = ep.address().to_string();
  deadline_ = Clock::now() + ctx.options.handshake_timeout;
  capture_sni_into(stream_.native_handle(), &sni_);
}

Connection::~Connection() { SSL_set_app_data(stream_.native_handle(), nullptr); }

void Connection::start() {
  auto self = shared_from_this();
  asio::co_spawn(executor_, [self] { return self->run(); }, asio::detached);
  asio::co_spawn(executor_, [self] { return self->watchdog(); }, asio::detached);
}

// ---- timeouts ---------------------------------------------------------------------------

awaitable<void> Connection::watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    watchdog_timer_.expires_at(deadline_);
    boost::system::error_code ec;
    co_await watchdog_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (closed_) co_return;
    if (Clock::now() >= deadline_) {
      if (established_) {
        spdlog::info("broker: client {} silent for 1.5 x keep-alive {} s: disconnecting", client_id_, keep_alive_);
        close(DisconnectReason::keep_alive_timeout);
      } else {
        ctx_.stats.refused("timeout");
        spdlog::info("broker: {}: no TLS handshake or CONNECT in time: closed", peer_ip_);
        close(DisconnectReason::connection_lost);
      }
      co_return;
    }
  }
}

// ---- the connection's life --------------------------------------------------------------

awaitable<void> Connection::run() {
  auto self = shared_from_this();
  boost::system::error_code ec;
  deadline_ = Clock::now() + ctx_.options.handshake_timeout;
  watchdog_timer_.cancel();  // re-arm with the deadline
  co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
  if (ec || closed_) {
    if (!closed_) {
      ctx_.stats.refused("tls_handshake");
      spdlog::info("broker: {}: TLS handshake failed: {}", peer_ip_, ec.message());
    }
    close(DisconnectReason::connection_lost);
    co_return;
  }
  if (alpn_required_) {
    const unsigned char* alpn = nullptr;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(stream_.native_handle(), &alpn, &alpn_len);
    if (alpn_len == 0) {
      ctx_.stats.refused("no_alpn");
      spdlog::info("broker: {}: refused: ALPN {} required on this port", peer_ip_, kMqttAlpn);
      close(DisconnectReason::connection_lost);
      co_return;
    }
  }

  IdentifyInput in;
  if (!sni_.empty()) in.sni = sni_;
  if (X509* x = SSL_get1_peer_certificate(stream_.native_handle())) peer_ = crypto::Certificate::adopt(x);
  in.peer = peer_;
  in.domain = ctx_.options.domain;
  in.regions = ctx_.options.regions;
  auto who = identify(ctx_.registry, in);
  std::optional<Refused> refusal;
  if (auto* r = std::get_if<Refused>(&who)) {
    refusal = *r;
    if (r->reason == Refusal::jitr_registered) {  // AWS closes at once after JITR
      co_await refuse(r->reason, r->detail, std::nullopt);
      co_return;
    }
  } else {
    identity_ = std::get<Identity>(std::move(who));
  }

  deadline_ = Clock::now() + ctx_.options.connect_timeout;
  watchdog_timer_.cancel();
  auto frame = co_await read_frame();
  if (!frame) {
    if (refusal) co_await refuse(refusal->reason, refusal->detail, std::nullopt);
    close(DisconnectReason::connection_lost);
    co_return;
  }
  auto decoded = mqtt::decode(*frame, mqtt::Version::v5);
  if (!decoded || !std::holds_alternative<mqtt::Connect>(decoded.value())) {
    co_await refuse(Refusal::protocol_error, decoded ? "first packet is not CONNECT" : "malformed CONNECT",
                    std::nullopt);
    co_return;
  }
  auto& connect = std::get<mqtt::Connect>(decoded.value());
  version_ = connect.version;
  client_id_ = connect.client_id;
  if (refusal || !handle_connect(connect, refusal)) {
    co_await refuse(refusal->reason, refusal->detail, version_);
    co_return;
  }

  asio::co_spawn(executor_, [self] { return self->write_loop(); }, asio::detached);
  while (!closed_) {
    auto next = co_await read_frame();
    if (!next) break;
    if (close_when_flushed_) continue;  // closing: only the last bytes still go out
    auto packet = mqtt::decode(*next, version_);
    if (!packet) {
      protocol_failure(packet.error(), DisconnectReason::client_error, "undecodable packet");
      continue;
    }
    deadline_ = Clock::now() + std::chrono::milliseconds(keep_alive_ * 1500);
    handle(packet.value());
  }
  // Let a queued DISCONNECT reach the peer (the watchdog bounds the wait).
  asio::steady_timer pause(executor_);
  while (close_when_flushed_ && !closed_) {
    pause.expires_after(std::chrono::milliseconds(10));
    co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  if (!cause_) cause_ = DisconnectReason::connection_lost;
  finish();
}

awaitable<std::optional<Bytes>> Connection::read_frame() {
  for (;;) {
    auto next = reader_.next();
    if (!next) {
      if (established_) protocol_failure(next.error(), DisconnectReason::client_error, "bad frame");
      co_return std::nullopt;
    }
    if (next.value()) co_return std::move(*next.value());
    boost::system::error_code ec;
    std::size_t n =
        co_await stream_.async_read_some(asio::buffer(read_buffer_), asio::redirect_error(use_awaitable, ec));
    if (ec || closed_) co_return std::nullopt;
    ctx_.stats.bytes_in += n;
    reader_.feed(ByteView(read_buffer_.data(), n));
  }
}

awaitable<void> Connection::refuse(Refusal why, std::string detail, std::optional<mqtt::Version> version) {
  ctx_.stats.refused(to_string(why));
  spdlog::warn("broker: refused {} (sni={}, client={}): {}: {}", peer_ip_, sni_.empty() ? "-" : sni_,
               client_id_.empty() ? "-" : client_id_, to_string(why), detail);
  // Like AWS: MQTT 5 learns why from the CONNACK; MQTT 3.1.1 sees the connection closed.
  if (version == mqtt::Version::v5 && !closed_) {
    mqtt::Connack ack;
    ack.reason_code = static_cast<std::uint8_t>(connack_code(why));
    auto bytes = mqtt::encode(ack, mqtt::Version::v5);
    boost::system::error_code ec;
    co_await asio::async_write(stream_, asio::buffer(bytes), asio::redirect_error(use_awaitable, ec));
  }
  close(DisconnectReason::auth_error);
}

bool Connection::handle_connect(mqtt::Connect& c, std::optional<Refused>& refusal) {
  const auto& limits = ctx_.options.limits;
  const auto& id = *identity_;
  bool assigned = false;
  if (c.client_id.empty()) {
    if (c.version == mqtt::Version::v3_1_1 && !c.clean_start) {
      refusal = Refused{Refusal::client_id_invalid, "empty client ID with cleanSession=0"};
      return false;
    }
    c.client_id = "trustlane-" + random_uuid();
    assigned = true;
  }
  client_id_ = c.client_id;
  if (c.client_id.size() > limits.max_client_id) {
    refusal = Refused{Refusal::client_id_invalid, "client ID longer than " + std::to_string(limits.max_client_id)};
    return false;
  }
  if (c.will) {
    if (auto bad = mqtt::validate_topic_name(c.will->topic)) {
      refusal = Refused{Refusal::protocol_error, "will topic " + std::string(mqtt::to_string(*bad))};
      return false;
    }
  }
  permissions_.emplace(id.scope, connection_variables(ctx_.registry, id.scope, *peer_, id.certificate.id,
                                                      c.client_id, peer_ip_));
  permissions_->load(ctx_.registry, id.certificate.id);
  auto decision = permissions_->check(Action::connect, c.client_id);
  if (!decision.allowed()) {
    refusal = Refused{Refusal::not_authorized, "iot:Connect for client " + c.client_id + ": " + decision.why()};
    return false;
  }
  if (!ctx_.hub.admit_connect(id.scope, c.client_id, Clock::now())) {
    refusal = Refused{Refusal::connect_throttled, "more than 1 CONNECT per second for client " + c.client_id};
    return false;
  }

  keep_alive_ = effective_keep_alive(c.keep_alive, limits);
  will_ = c.will;
  client_max_packet_ = c.properties.maximum_packet_size.value_or(0);
  send_quota_ = std::min<std::size_t>(limits.max_inflight, c.properties.receive_maximum.value_or(65535));
  session_uuid_ = random_uuid();
  auto attached = ctx_.hub.attach(id.scope, c.client_id, shared_from_this(), id.certificate.id,
                                  id.certificate.ca_id, c.clean_start, session_expiry(c, limits));
  session_ = attached.key;
  subscriptions_ = attached.subscriptions;
  if (attached.displaced) attached.displaced->disconnect(DisconnectReason::duplicate_clientid);

  mqtt::Connack ack;
  ack.session_present = attached.session_present;
  if (c.version == mqtt::Version::v5) {
    auto& p = ack.properties;
    p.maximum_qos = 1;
    p.retain_available = 1;
    p.receive_maximum = static_cast<std::uint16_t>(limits.max_inflight);
    p.maximum_packet_size = static_cast<std::uint32_t>(limits.max_packet);
    p.wildcard_subscription_available = 1;
    p.subscription_identifier_available = 1;
    p.shared_subscription_available = 1;
    if (keep_alive_ != c.keep_alive) p.server_keep_alive = keep_alive_;
    if (assigned) p.assigned_client_identifier = c.client_id;
  }
  established_ = true;
  deadline_ = Clock::now() + std::chrono::milliseconds(keep_alive_ * 1500);
  watchdog_timer_.cancel();
  send(ack);
  ++ctx_.stats.connections;
  ++ctx_.stats.connects_accepted;
  spdlog::info("broker: connected client {} account {} region {} certificate {} (MQTT {}, sni={})", client_id_,
               id.scope.account, id.scope.region, id.certificate.id, c.version == mqtt::Version::v5 ? "5" : "3.1.1",
               sni_.empty() ? "-" : sni_);
  if (lifecycle_events_allowed(client_id_)) {
    auto facts = presence();
    publish_event(ctx_.hub, id.scope, connected_topic(client_id_), connected_payload(facts));
  }
  for (auto& d : attached.queued) deliver_here(std::move(d));
  return true;
}

PresenceFacts Connection::presence() const {
  PresenceFacts f;
  f.client_id = client_id_;
  f.timestamp_ms = wall_ms();
  f.session_identifier = session_uuid_;
  f.principal_identifier = identity_ ? identity_->certificate.id : std::string();
  f.ip_address = peer_ip_;
  f.version_number = 0;
  return f;
}

// ---- incoming packets --------------------------------------------------------------------

void Connection::handle(mqtt::Packet& p) {
  std::visit(
      [&](auto& packet) {
        using T = std::decay_t<decltype(packet)>;
        if constexpr (std::is_same_v<T, mqtt::Publish>) {
          on_publish(packet);
        } else if constexpr (std::is_same_v<T, mqtt::Subscribe>) {
          on_subscribe(packet);
        } else if constexpr (std::is_same_v<T, mqtt::Unsubscribe>) {
          on_unsubscribe(packet);
        } else if constexpr (std::is_same_v<T, mqtt::Puback>) {
          on_puback(packet);
        } else if constexpr (std::is_same_v<T, mqtt::Pingreq>) {
          send(mqtt::Pingresp{});
        } else if constexpr (std::is_same_v<T, mqtt::Disconnect>) {
          if (packet.reason_code != static_cast<std::uint8_t>(ReasonCode::disconnect_with_will_message)) will_.reset();
          close(DisconnectReason::client_initiated);
        } else {
          protocol_failure(ReasonCode::protocol_error, DisconnectReason::client_error,
                           "unexpected " + std::string(mqtt::to_string(mqtt::type_of(p))));
        }
      },
      p);
}

void Connection::on_publish(mqtt::Publish& p) {
  ++ctx_.stats.messages_in;
  // validate
  if (p.qos == mqtt::QoS::exactly_once) {
    protocol_failure(ReasonCode::qos_not_supported, DisconnectReason::client_error, "QoS 2 PUBLISH");
    return;
  }
  if (p.properties.topic_alias) {
    protocol_failure(ReasonCode::topic_alias_invalid, DisconnectReason::client_error, "topic alias (maximum is 0)");
    return;
  }
  if (auto bad = mqtt::validate_topic_name(p.topic)) {
    protocol_failure(ReasonCode::topic_name_invalid, DisconnectReason::client_error,
                     "topic name " + std::string(mqtt::to_string(*bad)));
    return;
  }
  auto ack = [&](ReasonCode code) {
    if (p.qos == mqtt::QoS::at_least_once) {
      mqtt::Puback a;
      a.packet_id = p.packet_id;
      a.reason_code = static_cast<std::uint8_t>(code);
      send(a);
    }
  };
  auto now = Clock::now();
  if (!publish_rate_.take(1, now) || !byte_rate_.take(static_cast<double>(p.payload.size()), now)) {
    ++ctx_.stats.dropped;
    ctx_.stats.refused("publish_throttled");
    spdlog::debug("broker: client {} over the publish rate: message on {} dropped", client_id_, p.topic);
    ack(ReasonCode::message_rate_too_high);  // 3.1.1 gets a plain PUBACK: the message is dropped
    return;
  }
  // authorise
  bool reserved_ok = !p.topic.starts_with("$") || (publishable_reserved(p.topic) && !p.retain);
  auto decision = permissions_->check(Action::publish, p.topic);
  bool allowed = reserved_ok && decision.allowed();
  if (allowed && p.retain) allowed = permissions_->allowed(Action::retain_publish, p.topic);
  if (!allowed) {
    ctx_.stats.refused("publish_not_authorized");
    std::string why = reserved_ok ? decision.why() : "reserved topic";
    if (version_ == mqtt::Version::v3_1_1) {
      spdlog::warn("broker: client {} not authorized to publish on {} ({}): disconnecting", client_id_, p.topic, why);
      close(DisconnectReason::auth_error);
    } else {
      spdlog::info("broker: client {} not authorized to publish on {} ({})", client_id_, p.topic, why);
      ack(ReasonCode::not_authorized);
    }
    return;
  }
  // act
  if (!p.topic.starts_with("$aws/rules/")) {  // Basic Ingest goes to rules only, never to subscribers
    auto m = std::make_shared<Message>();
    m->topic = std::move(p.topic);
    m->payload = std::move(p.payload);
    m->qos = p.qos;
    m->retain = p.retain;
    m->properties = forwarded(p.properties);
    m->received_ms = wall_ms();
    ctx_.hub.publish(identity_->scope, std::move(m), session_);
  }
  // reply
  ack(ReasonCode::success);
}

void Connection::on_subscribe(const mqtt::Subscribe& s) {
  const auto& limits = ctx_.options.limits;
  const bool v5 = version_ == mqtt::Version::v5;
  mqtt::Suback ack;
  ack.packet_id = s.packet_id;
  std::vector<Delivery> retained;
  std::vector<std::string> granted_filters;
  std::uint32_t sub_id = s.properties.subscription_identifiers.empty() ? 0 : s.properties.subscription_identifiers[0];
  for (std::size_t i = 0; i < s.subscriptions.size(); ++i) {
    const auto& sub = s.subscriptions[i];
    auto failure = [&](ReasonCode v5_code) {
      ack.reason_codes.push_back(v5 ? static_cast<std::uint8_t>(v5_code) : 0x80);
    };
    if (i >= limits.max_filters_per_subscribe) {
      failure(ReasonCode::quota_exceeded);
      continue;
    }
    if (mqtt::validate_topic_filter(sub.filter)) {
      failure(ReasonCode::topic_filter_invalid);
      continue;
    }
    auto decision = permissions_->check(Action::subscribe, sub.filter);
    if (!decision.allowed()) {
      ctx_.stats.refused("subscribe_not_authorized");
      if (!v5) {
        spdlog::warn("broker: client {} not authorized to subscribe to {} ({}): disconnecting", client_id_,
                     sub.filter, decision.why());
        close(DisconnectReason::auth_error);
        return;
      }
      spdlog::info("broker: client {} not authorized to subscribe to {} ({})", client_id_, sub.filter, decision.why());
      failure(ReasonCode::not_authorized);
      continue;
    }
    if (subscriptions_ >= limits.max_subscriptions) {
      failure(ReasonCode::quota_exceeded);
      continue;
    }
    SubscriptionOptions o;
    o.qos = sub.qos == mqtt::QoS::at_most_once ? mqtt::QoS::at_most_once : mqtt::QoS::at_least_once;
    o.no_local = sub.no_local;
    o.retain_as_published = sub.retain_as_published;
    o.retain_handling = sub.retain_handling;
    o.subscription_id = sub_id;
    if (ctx_.hub.subscribe(session_, sub.filter, o, retained)) ++subscriptions_;
    ack.reason_codes.push_back(static_cast<std::uint8_t>(o.qos));
    granted_filters.push_back(sub.filter);
  }
  send(ack);
  for (auto& d : retained) deliver_here(std::move(d));
  if (!granted_filters.empty() && lifecycle_events_allowed(client_id_))
    publish_event(ctx_.hub, identity_->scope, subscription_topic(true, client_id_),
                  subscription_payload(true, presence(), granted_filters));
}

void Connection::on_unsubscribe(const mqtt::Unsubscribe& u) {
  mqtt::Unsuback ack;
  ack.packet_id = u.packet_id;
  for (const auto& f : u.filters) {
    bool had = ctx_.hub.unsubscribe(session_, f);
    if (had && subscriptions_ > 0) --subscriptions_;
    ack.reason_codes.push_back(static_cast<std::uint8_t>(had ? ReasonCode::success : ReasonCode::no_subscription_existed));
  }
  send(ack);
  if (lifecycle_events_allowed(client_id_))
    publish_event(ctx_.hub, identity_->scope, subscription_topic(false, client_id_),
                  subscription_payload(false, presence(), u.filters));
}

void Connection::on_puback(const mqtt::Puback& a) {
  inflight_.erase(a.packet_id);
  while (!pending_.empty() && inflight_.size() < send_quota_) {
    auto d = std::move(pending_.front());
    pending_.pop_front();
    auto id = next_packet_id();
    send_publish(d, id);
    inflight_.emplace(id, std::move(d));
  }
}

// ---- outgoing messages -------------------------------------------------------------------

void Connection::deliver(Delivery d) {
  asio::post(executor_, [self = shared_from_this(), d = std::move(d)]() mutable { self->deliver_here(std::move(d)); });
}

void Connection::disconnect(DisconnectReason why) {
  asio::post(executor_, [self = shared_from_this(), why] {
    if (self->closed_) return;
    std::optional<ReasonCode> code;
    switch (why) {
      case DisconnectReason::duplicate_clientid: code = ReasonCode::session_taken_over; break;
      case DisconnectReason::auth_error: code = ReasonCode::not_authorized; break;
      case DisconnectReason::server_initiated: code = ReasonCode::server_shutting_down; break;
      case DisconnectReason::client_initiated:
      case DisconnectReason::client_error:
      case DisconnectReason::connection_lost:
      case DisconnectReason::keep_alive_timeout:
      case DisconnectReason::throttled: break;
    }
    spdlog::info("broker: disconnecting client {}: {}", self->client_id_, to_string(why));
    self->close_after_flush(why, code);
  });
}

void Connection::reload_policies() {
  asio::post(executor_, [self = shared_from_this()] {
    if (self->permissions_ && self->identity_) self->permissions_->load(self->ctx_.registry, self->identity_->certificate.id);
  });
}

void Connection::deliver_here(Delivery d) {
  if (closed_ || !established_) return;
  const auto& m = *d.message;
  if (m.properties.message_expiry_interval) {
    auto age_s = (wall_ms() - m.received_ms) / 1000;
    if (age_s >= *m.properties.message_expiry_interval) return;  // expired: not delivered
  }
  if (!permissions_->allowed(Action::receive, m.topic)) {
    spdlog::debug("broker: client {} not authorized to receive {}", client_id_, m.topic);
    return;
  }
  if (d.qos == mqtt::QoS::at_least_once) {
    if (inflight_.size() < send_quota_) {
      auto id = next_packet_id();
      send_publish(d, id);
      inflight_.emplace(id, std::move(d));
    } else if (pending_.size() < ctx_.options.limits.max_queued_messages) {
      pending_.push_back(std::move(d));
    } else {
      ctx_.stats.refused("slow_subscriber");
      spdlog::warn("broker: client {} does not acknowledge QoS 1 messages: disconnecting", client_id_);
      close(DisconnectReason::throttled);
    }
    return;
  }
  if (out_bytes_ > ctx_.options.limits.max_outgoing_bytes) {
    ++ctx_.stats.dropped;  // a slow subscriber loses QoS 0 messages instead of growing memory
    return;
  }
  send_publish(d, 0);
}

void Connection::send_publish(const Delivery& d, std::uint16_t packet_id) {
  const auto& m = *d.message;
  mqtt::Publish p;
  p.qos = d.qos;
  p.retain = d.retain;
  p.topic = m.topic;
  p.packet_id = packet_id;
  p.payload = m.payload;
  if (version_ == mqtt::Version::v5) {
    p.properties = m.properties;
    if (m.properties.message_expiry_interval) {
      auto age_s = static_cast<std::uint32_t>((wall_ms() - m.received_ms) / 1000);
      p.properties.message_expiry_interval = *m.properties.message_expiry_interval - age_s;
    }
    if (d.subscription_id) p.properties.subscription_identifiers.push_back(d.subscription_id);
  }
  auto bytes = mqtt::encode(p, version_);
  if (client_max_packet_ && bytes.size() > client_max_packet_) return;  // MQTT 5 §3.1.2.11.4: discard
  ++ctx_.stats.messages_out;
  out_bytes_ += bytes.size();
  out_.push_back(std::move(bytes));
  write_wake_.cancel();
}

void Connection::send(const mqtt::Packet& p) {
  auto bytes = mqtt::encode(p, version_);
  out_bytes_ += bytes.size();
  out_.push_back(std::move(bytes));
  write_wake_.cancel();
}

awaitable<void> Connection::write_loop() {
  auto self = shared_from_this();
  while (!closed_) {
    if (out_.empty()) {
      if (close_when_flushed_) {
        close(cause_.value_or(DisconnectReason::server_initiated));
        co_return;
      }
      write_wake_.expires_at(Clock::time_point::max());
      boost::system::error_code ec;
      co_await write_wake_.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    // Gather what is queued into one TLS write.
    Bytes batch;
    while (!out_.empty() && batch.size() < 64 * 1024) {
      auto& front = out_.front();
      batch.insert(batch.end(), front.begin(), front.end());
      out_bytes_ -= front.size();
      out_.pop_front();
    }
    boost::system::error_code ec;
    co_await asio::async_write(stream_, asio::buffer(batch), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      close(DisconnectReason::connection_lost);
      co_return;
    }
    ctx_.stats.bytes_out += batch.size();
  }
}

std::uint16_t Connection::next_packet_id() {
  do {
    last_packet_id_ = static_cast<std::uint16_t>(last_packet_id_ == 0xFFFF ? 1 : last_packet_id_ + 1);
  } while (inflight_.count(last_packet_id_));
  return last_packet_id_;
}

// ---- ending ------------------------------------------------------------------------------

void Connection::protocol_failure(ReasonCode code, DisconnectReason why, std::string detail) {
  ctx_.stats.refused("protocol_error");
  spdlog::info("broker: client {} protocol error: {} ({})", client_id_.empty() ? peer_ip_ : client_id_, detail,
               mqtt::to_string(code));
  close_after_flush(why, code);
}

void Connection::close_after_flush(DisconnectReason why, std::optional<ReasonCode> v5_reason) {
  if (closed_) return;
  if (!cause_) cause_ = why;
  if (!established_) {
    close(why);
    return;
  }
  if (version_ == mqtt::Version::v5 && v5_reason && !close_when_flushed_) {
    mqtt::Disconnect d;
    d.reason_code = static_cast<std::uint8_t>(*v5_reason);
    send(d);
  }
  close_when_flushed_ = true;
  write_wake_.cancel();
  // The writer closes once the DISCONNECT is out; the watchdog bounds how long that may take.
  deadline_ = std::min(deadline_, Clock::now() + std::chrono::seconds(5));
  watchdog_timer_.cancel();
}

void Connection::close(DisconnectReason why) {
  if (closed_) return;
  if (!cause_) cause_ = why;
  closed_ = true;
  boost::system::error_code ec;
  stream_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream_.next_layer().close(ec);
  write_wake_.cancel();
  watchdog_timer_.cancel();
}

void Connection::finish() {
  close(cause_.value_or(DisconnectReason::connection_lost));
  if (!established_) return;
  established_ = false;
  --ctx_.stats.connections;
  std::vector<Delivery> unacked;
  for (auto& [_, d] : inflight_) unacked.push_back(std::move(d));
  for (auto& d : pending_) unacked.push_back(std::move(d));
  inflight_.clear();
  pending_.clear();
  ctx_.hub.detach(session_, this, std::move(unacked));
  auto why = *cause_;
  if (why != DisconnectReason::client_initiated && why != DisconnectReason::duplicate_clientid) publish_will();
  else if (why == DisconnectReason::client_initiated && will_) publish_will();  // DISCONNECT 0x04
  spdlog::info("broker: disconnected client {}: {}", client_id_, to_string(why));
  if (lifecycle_events_allowed(client_id_))
    publish_event(ctx_.hub, identity_->scope, disconnected_topic(client_id_),
                  disconnected_payload(presence(), why == DisconnectReason::client_initiated, to_string(why)));
}

void Connection::publish_will() {
  if (!will_) return;
  auto w = std::move(*will_);
  will_.reset();
  bool ok = !w.topic.starts_with("$") && permissions_->allowed(Action::publish, w.topic) &&
            (!w.retain || permissions_->allowed(Action::retain_publish, w.topic));
  if (!ok) {
    spdlog::info("broker: will of client {} on {} not authorized: dropped", client_id_, w.topic);
    return;
  }
  auto m = std::make_shared<Message>();
  m->topic = std::move(w.topic);
  m->payload = std::move(w.payload);
  m->qos = w.qos == mqtt::QoS::exactly_once ? mqtt::QoS::at_least_once : w.qos;
  m->retain = w.retain;
  m->properties = forwarded(w.properties);
  m->received_ms = wall_ms();
  ctx_.hub.publish(identity_->scope, std::move(m), 0);
}

}  // namespace trustlane::broker::net
