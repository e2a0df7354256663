// `trustlane device run`: one device agent in the foreground, one line per event on stdout.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "chip/store.hpp"
#include "cli/commands.hpp"
#include "device/agent.hpp"
#include "link/tcp_stream.hpp"

namespace trustlane::cli {
namespace {

struct RunArgs {
  std::string se, store, chip_uid, endpoint, connect, ca, pub, interval = "5s", qos = "alternate";
  std::vector<std::string> subs;
  bool port_443 = false, mqtt5 = false, persistent_session = false;
  long long count = 0, session_expiry = 3600, max_unacknowledged = 1000;
  int keep_alive = 60;
};

// "5s", "500ms", "2m" or a plain number of seconds.
std::chrono::milliseconds parse_interval(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string unit(end, text.data() + text.size());
  if (ec != std::errc{} || value <= 0) throw UsageError("--interval must be like 5s, 500ms or 2m, got '" + text + "'");
  double ms = 0;
  if (unit.empty() || unit == "s") ms = value * 1000;
  else if (unit == "ms") ms = value;
  else if (unit == "m") ms = value * 60000;
  else throw UsageError("--interval must be like 5s, 500ms or 2m, got '" + text + "'");
  if (ms < 10) throw UsageError("--interval must be at least 10ms");
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void run_device(const RunArgs& a) {
  device::AgentConfig config;
  std::unique_ptr<chip::Store> store;
  if (!a.store.empty() || !a.chip_uid.empty()) {
    if (a.store.empty() || a.chip_uid.empty()) throw UsageError("--store and --chip go together");
    if (!a.se.empty()) throw UsageError("give either --se or --store/--chip, not both");
    auto uid = from_hex(a.chip_uid);
    if (!uid) throw UsageError("--chip must be a unique ID in hex, got '" + a.chip_uid + "'");
    store = chip::Store::open(a.store);
    config.chip = store->find(*uid);
    if (!config.chip) throw UsageError("no chip " + a.chip_uid + " in " + a.store);
  } else if (a.se.empty()) {
    throw UsageError("give the chip: --se HOST:PORT or --store DIR --chip UID");
  } else {
    config.chip_address = a.se;
  }
  config.endpoint = a.endpoint;
  config.connect_host = a.endpoint;
  config.connect_port = a.port_443 ? 443 : 8883;
  if (!a.connect.empty()) {
    auto ep = link::parse_endpoint(a.connect);
    if (!ep) throw UsageError("--connect must be HOST:PORT, got '" + a.connect + "'");
    config.connect_host = ep->host;
    config.connect_port = ep->port;
  }
  config.root_ca_pem = read_file(a.ca);
  config.alpn_mqtt = a.port_443;
  config.version = a.mqtt5 ? mqtt::Version::v5 : mqtt::Version::v3_1_1;
  config.subscriptions = a.subs;
  config.publish_topic = a.pub;
  config.publish_interval = parse_interval(a.interval);
  if (a.qos == "alternate") config.qos = device::QosMode::alternate;
  else if (a.qos == "0") config.qos = device::QosMode::qos0;
  else if (a.qos == "1") config.qos = device::QosMode::qos1;
  else throw UsageError("--qos must be 0, 1 or alternate, got '" + a.qos + "'");
  if (a.count < 0) throw UsageError("--count must not be negative");
  config.publish_count = static_cast<std::uint64_t>(a.count);
  if (a.keep_alive < 0 || a.keep_alive > 65535) throw UsageError("--keep-alive must be 0..65535 seconds");
  config.keep_alive_seconds = static_cast<std::uint16_t>(a.keep_alive);
  config.persistent_session = a.persistent_session;
  if (a.session_expiry < 0 || a.session_expiry > 0xFFFFFFFFLL)
    throw UsageError("--session-expiry must be 0..4294967295 seconds");
  config.session_expiry_seconds = static_cast<std::uint32_t>(a.session_expiry);
  if (a.max_unacknowledged < 1) throw UsageError("--max-unacknowledged must be at least 1");
  config.max_unacknowledged = static_cast<std::size_t>(a.max_unacknowledged);

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  device::Agent agent(io, config, [&](const device::AgentEvent& e) {
    std::printf("%s\n", e.text.c_str());
    std::fflush(stdout);
    if (e.kind == device::AgentEvent::Kind::stopped) signals.cancel();
  });
  std::printf("device %s (client ID %s) → %s\n", agent.unique_id_hex().c_str(), agent.client_id().c_str(),
              config.endpoint.c_str());
  std::fflush(stdout);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) agent.stop();
  });
  agent.start();
  io.run();
}

}  // namespace

void add_device_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("device", "the device agent: chip key + TLS + MQTT, like the seed's ESP32 boards");
  cmd->require_subcommand(1);
  auto a = std::make_shared<RunArgs>();
  auto* run = cmd->add_subcommand("run", "connect one device to an MQTT endpoint and publish/subscribe until stopped");
  run->add_option("--se", a->se, "served chip: HOST:PORT (JRCP), jrcp://… or t1://…");
  run->add_option("--store", a->store, "chip store directory (in-process chip, with --chip)");
  run->add_option("--chip", a->chip_uid, "unique ID (hex) of the chip in --store");
  run->add_option("--endpoint", a->endpoint, "endpoint host name (SNI, server certificate name)")->required();
  run->add_option("--connect", a->connect, "connect to HOST:PORT instead of the endpoint");
  run->add_option("--ca", a->ca, "root CA PEM that must have issued the server certificate")->required();
  run->add_option("--sub", a->subs, "topic filter to subscribe (repeatable)");
  run->add_option("--pub", a->pub, "topic to publish to");
  run->add_option("--interval", a->interval, "publish interval (5s, 500ms, 2m)")->capture_default_str();
  run->add_option("--qos", a->qos, "publish QoS: 0, 1 or alternate")->capture_default_str();
  run->add_flag("--port-443", a->port_443, "port 443 mode: ALPN x-amzn-mqtt-ca (default port 443)");
  run->add_option("--count", a->count, "stop after N messages (QoS 1 ones acknowledged); 0 = run until stopped");
  run->add_flag("--mqtt5", a->mqtt5, "speak MQTT 5 instead of 3.1.1");
  run->add_option("--keep-alive", a->keep_alive, "MQTT keep-alive in seconds")->capture_default_str();
  run->add_flag("--persistent-session", a->persistent_session,
                "clean session off: the broker keeps subscriptions and queues QoS 1 messages while offline");
  run->add_option("--session-expiry", a->session_expiry, "MQTT 5 session expiry in seconds (--persistent-session)")
      ->capture_default_str();
  run->add_option("--max-unacknowledged", a->max_unacknowledged,
                  "QoS 1 publishes kept for resending after a reconnect (oldest given up beyond)")
      ->capture_default_str();
  run->callback([a] { run_device(*a); });
}

}  // namespace trustlane::cli
