// GCC 12 reports Asio coroutine frames' recycling allocator as mismatched new/delete (false positive).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// BrokerService: listeners, threads, registry observers, housekeeping.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <signal.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>
#include <thread>

#include "broker/server_ids.hpp"
#include "broker/net/core.hpp"
#include "broker/net/tls_session.hpp"
#include "broker/net/tls.hpp"
#include "broker/server_persistence.hpp"
#include "broker/server_session_store.hpp"
#include "broker/server_service.hpp"

namespace trustlane::broker {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// SIGUSR1 counter: the handler only increments it; housekeeping toggles the stats line.
std::atomic<unsigned> usr1_signals{0};

tcp::endpoint parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("listen address must be HOST:PORT: " + text);
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("bad listen host in " + text + " (give an IP address)");
  int port = 0;
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw std::runtime_error("bad listen port in " + text);
  return {address, static_cast<unsigned short>(port)};
}

std::unique_ptr<RetainedStore> make_retained(const ServerOptions& o) {
  if (o.data_dir.empty()) return std::make_unique<InMemoryRetainedStore>();
  std::filesystem::create_directories(o.data_dir);
  return std::make_unique<SqliteRetainedStore>(o.data_dir / "broker.db");
}

// Persistent sessions share broker.db with the retained messages (tables of their own).
std::unique_ptr<SessionStore> make_sessions(const ServerOptions& o) {
  if (o.data_dir.empty()) return nullptr;
  return std::make_unique<SqliteSessionStore>(o.data_dir / "broker.db");
}

}  // namespace

struct BrokerService::Impl {
  Impl(iot::Registry& r, const iot::CloudCa& ca, ServerOptions o)
      : registry(r),
        options(std::move(o)),
        retained(make_retained(options)),
        sessions(make_sessions(options)),
        core_ioc(1),
        core(core_ioc, registry, *retained, options, stats, sessions.get()),
        tls_mqtt(asio::ssl::context::tls_server),
        tls_alpn(asio::ssl::context::tls_server) {
    auto key = crypto::Key::generate(crypto::Curve::P256);
    std::vector<std::string> names;
    for (const auto& region : options.regions) names.push_back("*.iot." + region + "." + options.domain);
    names.push_back("localhost");
    auto cert = ca.issue_server_certificate(key, names);
    net::configure_server_context(tls_mqtt, key, cert, ca.certificate(), false);
    net::configure_server_context(tls_alpn, key, cert, ca.certificate(), true);
    unsigned n = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    core_work.emplace_back(asio::make_work_guard(core_ioc));
    for (unsigned i = 0; i < n; ++i) {
      ioc.push_back(std::make_unique<asio::io_context>(1));
      work.emplace_back(asio::make_work_guard(*ioc.back()));
    }
  }

  iot::Registry& registry;
  ServerOptions options;
  Stats stats;
  std::unique_ptr<RetainedStore> retained;
  std::unique_ptr<SessionStore> sessions;
  asio::io_context core_ioc;  // the MQTT core's one thread
  net::Core core;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> core_work;
  std::thread core_thread;
  asio::ssl::context tls_mqtt;
  asio::ssl::context tls_alpn;
  std::vector<std::unique_ptr<asio::io_context>> ioc;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::unique_ptr<tcp::acceptor> mqtt_acceptor;
  std::unique_ptr<tcp::acceptor> alpn_acceptor;
  std::unique_ptr<asio::steady_timer> housekeeping;
  std::atomic<std::size_t> next_ioc{0};
  std::atomic<bool> periodic{options.periodic_stats};
  std::uint64_t observer = 0;
  bool running = false;

  std::unique_ptr<tcp::acceptor> listen(const std::string& where) {
    auto a = std::make_unique<tcp::acceptor>(*ioc[0]);
    auto ep = parse_listen(where);
    boost::system::error_code ec;
    a->open(ep.protocol(), ec);
    if (!ec) a->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) a->bind(ep, ec);
    if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("broker: cannot listen on " + where + ": " + ec.message());
    return a;
  }

  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::ssl::context& tls, bool alpn) {
    for (;;) {
      auto& target = *ioc[next_ioc++ % ioc.size()];  // spread connections over the threads
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(target, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        spdlog::warn("broker: accept failed: {}", ec.message());
        asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      ++stats.tls_accepted;
      socket.set_option(tcp::no_delay(true), ec);
      auto session = std::make_shared<net::TlsSession>(core, registry, stats, options, std::move(socket), tls, alpn);
      session->start();
    }
  }

  asio::awaitable<void> housekeeping_loop() {
    std::size_t tick = 0;
    unsigned seen_usr1 = usr1_signals.load();
    for (;;) {
      housekeeping->expires_after(std::chrono::seconds(1));
      boost::system::error_code ec;
      co_await housekeeping->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      if (auto n = usr1_signals.load(); n != seen_usr1) {
        if ((n - seen_usr1) % 2) periodic = !periodic;
        seen_usr1 = n;
      }
      stats.sample(std::chrono::steady_clock::now());
      if (periodic) spdlog::info("broker stats: {}", stats.line());
      ++tick;
      core.tick();
    }
  }

  void observe_registry() {
    iot::RegistryObserver o;
    o.certificate_changed = [this](const iot::Scope& scope, const std::string& id,
                                   std::optional<iot::CertificateStatus> status) {
      if (status != iot::CertificateStatus::Active) core.kick_certificate(scope, id);
    };
    o.ca_changed = [this](const iot::Scope& scope, const std::string& ca_id, std::optional<iot::CaStatus> status) {
      if (status != iot::CaStatus::Active) core.kick_ca(scope, ca_id);
    };
    o.policies_changed = [this](const iot::Scope& scope, const std::string& id) {
      core.reload_policies(scope, id);
    };
    o.certificate_registered = [this](const iot::Scope& scope, const iot::CertificateInfo& info,
                                      const std::string& payload) {
      core.publish_event(scope, jitr_topic(info.ca_id), payload);
    };
    observer = registry.observe(std::move(o));
  }
};

BrokerService::BrokerService(iot::Registry& registry, const iot::CloudCa& ca, ServerOptions options)
    : impl_(std::make_unique<Impl>(registry, ca, std::move(options))) {}

BrokerService::~BrokerService() { stop(); }

void BrokerService::start() {
  auto& m = *impl_;
  if (m.running) return;
  m.mqtt_acceptor = m.listen(m.options.mqtt_listen);
  if (!m.options.alpn_listen.empty()) m.alpn_acceptor = m.listen(m.options.alpn_listen);
  m.observe_registry();
  asio::co_spawn(*m.ioc[0], m.accept_loop(*m.mqtt_acceptor, m.tls_mqtt, false), asio::detached);
  if (m.alpn_acceptor) asio::co_spawn(*m.ioc[0], m.accept_loop(*m.alpn_acceptor, m.tls_alpn, true), asio::detached);
  m.housekeeping = std::make_unique<asio::steady_timer>(*m.ioc[0]);
  asio::co_spawn(*m.ioc[0], m.housekeeping_loop(), asio::detached);
  m.core_thread = std::thread([&m] { m.core_ioc.run(); });
  for (auto& ctx : m.ioc) m.threads.emplace_back([c = ctx.get()] { c->run(); });
  m.running = true;
  spdlog::info("broker: MQTT over mutual TLS on {}:{}{} ({} threads)", m.mqtt_acceptor->local_endpoint().address().to_string(),
               mqtt_port(), m.alpn_acceptor ? ", ALPN x-amzn-mqtt-ca on port " + std::to_string(alpn_port()) : "",
               m.ioc.size());
}

void BrokerService::stop() {
  auto& m = *impl_;
  if (!m.running) return;
  m.running = false;
  m.registry.unobserve(m.observer);
  asio::post(*m.ioc[0], [&m] {
    boost::system::error_code ec;
    m.mqtt_acceptor->close(ec);
    if (m.alpn_acceptor) m.alpn_acceptor->close(ec);
    m.housekeeping->cancel();
  });
  // Tell live clients (MQTT 5: DISCONNECT SERVER_SHUTTING_DOWN), give them a moment, then stop.
  m.core.kick_all();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (m.core.open_connections() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // last bytes out
  m.work.clear();
  m.core_work.clear();
  for (auto& ctx : m.ioc) ctx->stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  m.core_ioc.stop();
  if (m.core_thread.joinable()) m.core_thread.join();
}

std::uint16_t BrokerService::mqtt_port() const {
  return impl_->mqtt_acceptor ? impl_->mqtt_acceptor->local_endpoint().port() : 0;
}
std::uint16_t BrokerService::alpn_port() const {
  return impl_->alpn_acceptor ? impl_->alpn_acceptor->local_endpoint().port() : 0;
}
const Stats& BrokerService::stats() const { return impl_->stats; }
std::string BrokerService::stats_json() const {
  auto j = impl_->stats.to_json();
  j["accounts"] = nlohmann::json::object();
  for (const auto& [scope, n] : impl_->core.connections_by_account()) j["accounts"][scope]["connections"] = n;
  const auto& o = impl_->options;
  j["limits"] = {{"publishesPerSecondPerConnection", o.limits.publishes_per_second},
                 {"connectsPerSecondPerClient", o.accounts.connects_per_second_per_client},
                 {"accountConnectsPerSecond", o.accounts.connects_per_second},
                 {"accountPublishesInPerSecond", o.accounts.publishes_in_per_second},
                 {"accountPublishesOutPerSecond", o.accounts.publishes_out_per_second},
                 {"accountMaxConnections", o.accounts.max_connections}};
  return j.dump();
}
void BrokerService::set_periodic_stats(bool on) { impl_->periodic = on; }
bool BrokerService::periodic_stats() const { return impl_->periodic; }

std::unique_ptr<BrokerService> start_broker_service(iot::Registry& registry, const iot::CloudCa& ca,
                                                    const std::string& mqtt_listen, const std::string& alpn_listen,
                                                    const std::string& domain,
                                                    const std::filesystem::path& data_dir, const NetLimits& net) {
  ServerOptions o;
  o.net = net;
  o.mqtt_listen = mqtt_listen;
  o.alpn_listen = alpn_listen;
  if (!domain.empty()) o.domain = domain;
  o.data_dir = data_dir;
  return start_broker_service(registry, ca, std::move(o));
}

std::unique_ptr<BrokerService> start_broker_service(iot::Registry& registry, const iot::CloudCa& ca,
                                                    ServerOptions options) {
  auto service = std::make_unique<BrokerService>(registry, ca, std::move(options));
  service->start();
  // SIGUSR1 toggles the per-second stats line.
  struct sigaction sa {};
  sa.sa_handler = [](int) { ++usr1_signals; };
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, nullptr);
  return service;
}

}  // namespace trustlane::broker
