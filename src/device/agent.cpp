// The Asio half of the device agent (the only translation unit of the module that includes
// Asio): resolve → TCP → TLS (chip key) → MQTT session, then three coroutines per connection —
// reader (drives the sans-I/O Session), writer (one queue, one write at a time) and ticker
// (keep-alive, handshake deadline) — plus a publisher once subscribed. Everything of one agent
// runs on its strand, so the session and queues need no locks.
#include "device/agent.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <deque>
#include <random>
#include <stdexcept>

#include "device/backoff.hpp"
#include "device/outbox.hpp"
#include "device/session.hpp"
#include "device/tls_context.hpp"
#include "host/secure_element.hpp"
#include "link/open_channel.hpp"
#include "provider/chip_handle.hpp"
#include "provider/provider.hpp"
#include "se05x/constants.hpp"
#include "util/bytes.hpp"

namespace trustlane::device {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;

const char* to_string(AgentEvent::Kind kind) {
  switch (kind) {
    case AgentEvent::Kind::connected: return "connected";
    case AgentEvent::Kind::subscribed: return "subscribed";
    case AgentEvent::Kind::published: return "published";
    case AgentEvent::Kind::resent: return "resent";
    case AgentEvent::Kind::acknowledged: return "acknowledged";
    case AgentEvent::Kind::received: return "received";
    case AgentEvent::Kind::disconnected: return "disconnected";
    case AgentEvent::Kind::reconnecting: return "reconnecting";
    case AgentEvent::Kind::error: return "error";
    case AgentEvent::Kind::stopped: return "stopped";
  }
  return "?";
}

std::string message_payload(const std::string& uid_hex, const std::string& client_id, std::uint64_t counter, int qos) {
  return nlohmann::json{{"uid", uid_hex}, {"clientId", client_id}, {"counter", counter}, {"qos", qos}}.dump();
}

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kStopGrace = std::chrono::seconds(3);

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

struct Connection {
  Connection(const Strand& strand, asio::ssl::context& tls, SessionConfig config)
      : stream(strand, tls), session(std::move(config)), wake(strand), started(Clock::now()) {}

  void send(Bytes bytes) {
    queue.push_back(std::move(bytes));
    wake.cancel();
  }
  void close() {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    stream.lowest_layer().close(ignored);
    wake.cancel();
  }

  asio::ssl::stream<tcp::socket> stream;
  Session session;
  std::deque<Bytes> queue;
  asio::steady_timer wake;
  Clock::time_point started;
  bool handshake_done = false;
  bool closed = false;
  bool close_after_flush = false;
  bool publisher_started = false;
  std::size_t subscriptions_pending = 0;
  std::string failure;  // why it ended, when we know better than the socket error
};

}  // namespace

struct Agent::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, AgentConfig c, Callback cb)
      : strand(asio::make_strand(io)),
        config(std::move(c)),
        on_event(std::move(cb)),
        backoff(config.backoff_first, config.backoff_cap),
        rng(std::random_device{}()),
        retry_timer(strand),
        outbox(config.max_unacknowledged) {}

  void load_identity();
  void emit(AgentEvent::Kind kind, std::string text, std::string topic = {}, Bytes payload = {},
            mqtt::QoS qos = mqtt::QoS::at_most_once, std::chrono::milliseconds delay = {}) {
    if (on_event) on_event(AgentEvent{kind, std::move(text), std::move(topic), std::move(payload), qos, delay});
  }

  asio::awaitable<void> run();
  asio::awaitable<bool> connect_once();
  asio::awaitable<bool> reader(std::shared_ptr<Connection> c);
  asio::awaitable<void> writer(std::shared_ptr<Connection> c);
  asio::awaitable<void> ticker(std::shared_ptr<Connection> c);
  asio::awaitable<void> publisher(std::shared_ptr<Connection> c);
  bool process(const std::shared_ptr<Connection>& c, SessionOutput out);
  void resend_unacknowledged(const std::shared_ptr<Connection>& c, bool session_present);
  void track(std::uint16_t packet_id, const std::string& topic, const Bytes& payload);
  void request_stop();
  void check_done(const std::shared_ptr<Connection>& c);

  Strand strand;
  AgentConfig config;
  Callback on_event;
  Backoff backoff;
  std::mt19937_64 rng;
  asio::steady_timer retry_timer;

  provider::LoadedKey identity;
  Bytes unique_id;
  std::string uid_hex, client_id, server_text;
  std::unique_ptr<asio::ssl::context> tls;

  std::shared_ptr<Connection> current;
  bool started = false;
  bool stopping = false;
  std::uint64_t published = 0;
  Outbox outbox;  // QoS 1 publishes not yet acknowledged, across connections
};

void Agent::Impl::load_identity() {
  if (config.endpoint.empty()) throw std::runtime_error("no endpoint host name given");
  if (config.connect_host.empty()) config.connect_host = config.endpoint;
  server_text = config.connect_host + ":" + std::to_string(config.connect_port);
  std::string uri;
  if (config.chip) {
    host::SecureElement se(*config.chip);
    se.select();
    unique_id = se.unique_id();
    provider::register_inproc_chip(unique_id, config.chip);
    uri = provider::inproc_uri(unique_id, config.key_id);
  } else {
    auto address = link::parse_channel_address(config.chip_address);
    if (!address)
      throw std::runtime_error("bad chip address '" + config.chip_address + "' (expected HOST:PORT, jrcp://… or t1://…)");
    uri = std::string(address->transport == link::Transport::kT1 ? "se05x+t1://" : "se05x://") +
          address->endpoint.text() + "/" + provider::object_id_text(config.key_id);
    auto parsed = provider::parse_key_uri(uri);
    if (!parsed) throw std::runtime_error(parsed.error());
    unique_id = provider::ChipHandle::for_uri(*parsed)->unique_id();
  }
  uid_hex = to_hex(unique_id);
  client_id = base64_encode(unique_id);
  identity = provider::load_key(device_lib_context(), uri);
  if (!identity.certificate)
    throw std::runtime_error("chip " + uid_hex + " has no certificate next to key " + provider::object_id_text(config.key_id));
  tls = std::make_unique<asio::ssl::context>(
      make_tls_context(device_lib_context(), *identity.certificate, identity.key.get(), config.root_ca_pem));
}

asio::awaitable<void> Agent::Impl::run() {
  auto self = shared_from_this();  // keeps the agent alive while its coroutines run
  while (!stopping) {
    const bool was_good = co_await connect_once();
    if (stopping) break;
    if (was_good) backoff.reset();
    auto delay = backoff.next(std::uniform_real_distribution<double>(0.0, 1.0)(rng));
    emit(AgentEvent::Kind::reconnecting, "reconnect in " + seconds_text(delay), {}, {}, mqtt::QoS::at_most_once, delay);
    retry_timer.expires_after(delay);
    boost::system::error_code ec;
    co_await retry_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  emit(AgentEvent::Kind::stopped, "stopped");
}

namespace {

std::string tls_failure(const boost::system::error_code& ec, SSL* ssl) {
  std::string text = ec.message();
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) text += " (server certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
  return text;
}

}  // namespace

asio::awaitable<bool> Agent::Impl::connect_once() {
  boost::system::error_code ec;
  tcp::resolver resolver(strand);
  auto endpoints = co_await resolver.async_resolve(config.connect_host, std::to_string(config.connect_port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    emit(AgentEvent::Kind::error, "cannot resolve " + config.connect_host + ": " + ec.message());
    co_return false;
  }
  if (stopping) co_return false;
  SessionConfig session{client_id, config.version, config.keep_alive_seconds, config.subscriptions,
                        !config.persistent_session, config.session_expiry_seconds};
  auto c = std::make_shared<Connection>(strand, *tls, std::move(session));
  current = c;
  asio::co_spawn(strand, ticker(c), asio::detached);
  co_await asio::async_connect(c->stream.lowest_layer(), endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || c->closed) {
    if (!stopping) emit(AgentEvent::Kind::error, server_text + " unreachable: " + (ec ? ec.message() : c->failure));
    c->close();
    current.reset();
    co_return false;
  }
  configure_connection(c->stream.native_handle(), config.endpoint, config.alpn_mqtt);
  co_await c->stream.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || c->closed) {
    if (!stopping)
      emit(AgentEvent::Kind::error, "TLS handshake with " + config.endpoint + " (" + server_text + ") failed: " +
                                        (c->failure.empty() ? tls_failure(ec, c->stream.native_handle()) : c->failure));
    c->close();
    current.reset();
    co_return false;
  }
  c->handshake_done = true;
  c->send(c->session.start(Clock::now()));
  asio::co_spawn(strand, writer(c), asio::detached);
  const bool good = co_await reader(c);
  c->close();
  current.reset();
  emit(AgentEvent::Kind::disconnected, "disconnected" + (c->failure.empty() ? std::string() : ": " + c->failure));
  co_return good;
}

asio::awaitable<bool> Agent::Impl::reader(std::shared_ptr<Connection> c) {
  auto self = shared_from_this();  // the Agent object may be gone before this ends
  std::array<std::uint8_t, 8192> buffer;
  bool good = false;
  for (;;) {
    boost::system::error_code ec;
    auto n = co_await c->stream.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (c->failure.empty() && !stopping) {
        c->failure = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated
                         ? "connection closed by the broker"
                         : ec.message();
      }
      break;
    }
    good = process(c, c->session.on_bytes(ByteView(buffer.data(), n), Clock::now())) || good;
    if (c->closed) break;
  }
  co_return good || c->session.connected();
}

// Turns session output into events and bytes to send; true if it held a successful CONNACK.
bool Agent::Impl::process(const std::shared_ptr<Connection>& c, SessionOutput out) {
  bool connected = false;
  bool session_present = false;
  for (auto& e : out.events) {
    if (auto* ok = std::get_if<event::Connected>(&e)) {
      connected = true;
      session_present = ok->session_present;
      emit(AgentEvent::Kind::connected, "connected to " + config.endpoint + " (" + server_text + ") as " + client_id +
                                            (ok->session_present ? " (session present)" : ""));
      c->subscriptions_pending = config.subscriptions.size();
    } else if (auto* refused = std::get_if<event::Refused>(&e)) {
      c->failure = "broker refused the connection: " + refused->reason;
      emit(AgentEvent::Kind::error, c->failure);
    } else if (auto* sub = std::get_if<event::Subscribed>(&e)) {
      if (sub->granted) {
        emit(AgentEvent::Kind::subscribed, "subscribed " + sub->filter + " (granted QoS " + std::to_string(sub->code) + ")",
             sub->filter);
      } else {
        emit(AgentEvent::Kind::error, "subscription to " + sub->filter + " refused (code " + std::to_string(sub->code) + ")",
             sub->filter);
      }
      if (c->subscriptions_pending > 0) --c->subscriptions_pending;
    } else if (auto* received = std::get_if<event::Received>(&e)) {
      // Text first: argument evaluation order is unspecified and the payload moves.
      auto text = "received " + received->topic + " qos=" + std::to_string(static_cast<int>(received->qos)) + " " +
                  trustlane::to_string(received->payload);
      emit(AgentEvent::Kind::received, std::move(text), received->topic, std::move(received->payload), received->qos);
    } else if (auto* ack = std::get_if<event::Acknowledged>(&e)) {
      outbox.acknowledge(ack->packet_id);
      emit(AgentEvent::Kind::acknowledged, "acknowledged packet " + std::to_string(ack->packet_id));
    } else if (auto* failed = std::get_if<event::Failed>(&e)) {
      c->failure = failed->reason;
      emit(AgentEvent::Kind::error, failed->reason);
    }
  }
  for (auto& bytes : out.to_send) c->send(std::move(bytes));
  // After the SUBSCRIBE (so our own resent messages reach our subscriptions), before new publishes.
  if (connected && !out.close) resend_unacknowledged(c, session_present);
  if (out.close) {
    c->close_after_flush = true;
    c->wake.cancel();
  }
  if (c->session.connected() && c->subscriptions_pending == 0 && !c->publisher_started && !c->closed &&
      !out.close && !config.publish_topic.empty()) {
    c->publisher_started = true;
    asio::co_spawn(strand, publisher(c), asio::detached);
  }
  check_done(c);
  return connected;
}

// A present session knows the original packet ids (MQTT: resend with them and DUP); a new one
// gets the messages as new publishes.
void Agent::Impl::resend_unacknowledged(const std::shared_ptr<Connection>& c, bool session_present) {
  for (auto& m : outbox.take_pending()) {
    std::uint16_t id = m.packet_id;
    Bytes bytes;
    if (session_present) {
      bytes = c->session.resend(id, m.topic, m.payload, Clock::now());
    } else {
      std::tie(bytes, id) = c->session.publish(m.topic, m.payload, mqtt::QoS::at_least_once, Clock::now());
    }
    c->send(std::move(bytes));
    auto text = "resent " + m.topic + " qos=1 " + trustlane::to_string(m.payload);
    track(id, m.topic, m.payload);
    emit(AgentEvent::Kind::resent, std::move(text), m.topic, std::move(m.payload), mqtt::QoS::at_least_once);
  }
}

void Agent::Impl::track(std::uint16_t packet_id, const std::string& topic, const Bytes& payload) {
  if (auto dropped = outbox.track(packet_id, topic, payload))
    emit(AgentEvent::Kind::error, "gave up " + std::to_string(dropped) +
                                      " unacknowledged QoS 1 message(s): more than " +
                                      std::to_string(config.max_unacknowledged) + " waiting");
}

void Agent::Impl::check_done(const std::shared_ptr<Connection>& c) {
  if (config.publish_count != 0 && published >= config.publish_count && outbox.empty() &&
      c->session.unacknowledged() == 0)
    request_stop();
}

asio::awaitable<void> Agent::Impl::writer(std::shared_ptr<Connection> c) {
  auto self = shared_from_this();  // the Agent object may be gone before this ends
  while (!c->closed) {
    while (!c->queue.empty() && !c->closed) {
      Bytes bytes = std::move(c->queue.front());
      c->queue.pop_front();
      boost::system::error_code ec;
      co_await asio::async_write(c->stream, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (c->failure.empty() && !stopping) c->failure = "write failed: " + ec.message();
        c->close();
        co_return;
      }
    }
    if (c->close_after_flush) {
      c->close();
      co_return;
    }
    c->wake.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ignored;
    co_await c->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> Agent::Impl::ticker(std::shared_ptr<Connection> c) {
  auto self = shared_from_this();  // the Agent object may be gone before this ends
  asio::steady_timer timer(strand);
  while (!c->closed) {
    timer.expires_after(std::chrono::milliseconds(250));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (c->closed) break;
    if (!c->handshake_done) {
      if (Clock::now() - c->started > kHandshakeTimeout) {
        c->failure = "no TLS connection within 30 s";
        c->close();
      }
      continue;
    }
    process(c, c->session.on_tick(Clock::now()));
  }
}

asio::awaitable<void> Agent::Impl::publisher(std::shared_ptr<Connection> c) {
  auto self = shared_from_this();  // the Agent object may be gone before this ends
  asio::steady_timer timer(strand);
  while (!c->closed && !stopping && (config.publish_count == 0 || published < config.publish_count)) {
    const auto counter = ++published;
    mqtt::QoS qos = mqtt::QoS::at_most_once;
    switch (config.qos) {
      case QosMode::alternate: qos = counter % 2 == 1 ? mqtt::QoS::at_most_once : mqtt::QoS::at_least_once; break;
      case QosMode::qos0: qos = mqtt::QoS::at_most_once; break;
      case QosMode::qos1: qos = mqtt::QoS::at_least_once; break;
    }
    auto payload = message_payload(uid_hex, client_id, counter, static_cast<int>(qos));
    auto [bytes, id] = c->session.publish(config.publish_topic, Bytes(payload.begin(), payload.end()), qos, Clock::now());
    c->send(std::move(bytes));
    if (qos == mqtt::QoS::at_least_once) track(id, config.publish_topic, Bytes(payload.begin(), payload.end()));
    emit(AgentEvent::Kind::published,
         "published " + config.publish_topic + " qos=" + std::to_string(static_cast<int>(qos)) + " " + payload,
         config.publish_topic, Bytes(payload.begin(), payload.end()), qos);
    check_done(c);
    timer.expires_after(config.publish_interval);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void Agent::Impl::request_stop() {
  if (stopping) return;
  stopping = true;
  retry_timer.cancel();
  if (auto c = current) {
    if (c->session.connected() && !c->closed) {
      c->send(c->session.disconnect());
      c->close_after_flush = true;
      c->wake.cancel();
      // A broker that stopped reading must not hold the stop up.
      auto grace = std::make_shared<asio::steady_timer>(strand, kStopGrace);
      grace->async_wait([c, grace](const boost::system::error_code&) { c->close(); });
    } else {
      c->close();
    }
  }
}

Agent::Agent(asio::io_context& io, AgentConfig config, Callback on_event)
    : impl_(std::make_shared<Impl>(io, std::move(config), std::move(on_event))) {
  impl_->load_identity();
}

Agent::~Agent() { stop(); }

void Agent::start() {
  asio::post(impl_->strand, [impl = impl_] {
    if (impl->started || impl->stopping) return;
    impl->started = true;
    asio::co_spawn(impl->strand, impl->run(), asio::detached);
  });
}

void Agent::stop() {
  asio::post(impl_->strand, [impl = impl_] {
    if (!impl->started) {
      if (!impl->stopping) {
        impl->stopping = true;
        impl->emit(AgentEvent::Kind::stopped, "stopped");
      }
      return;
    }
    impl->request_stop();
  });
}

const std::string& Agent::client_id() const { return impl_->client_id; }
const std::string& Agent::unique_id_hex() const { return impl_->uid_hex; }

}  // namespace trustlane::device
