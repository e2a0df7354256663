// `trustlane bench connect|pubsub|idle|fleet|registry`: the load generator (src/loadgen).
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "ledger/api_client.hpp"
#include "loadgen/control_plane.hpp"
#include "loadgen/engine.hpp"
#include "loadgen/identities.hpp"

namespace trustlane::cli {

namespace {

struct Common {
  std::string target = "127.0.0.1:8883", sni, ca;
  std::string cert, key, cert_dir, store;
  std::size_t chips = 0, limit = 0;
  unsigned threads = 0, concurrency = 64;
  double connect_rate = 0, connect_timeout = 10;
  int broker_pid = 0;
  bool mqtt5 = false, json = false;
};

struct Api {
  std::string url = "http://127.0.0.1:8080", account = "123456789012", region = "us-east-1", secret = "trustlane";
};

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) throw UsageError(std::string("cannot read ") + what + " " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

loadgen::Target parse_target(const std::string& text, const std::string& sni) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw UsageError("--target must be HOST:PORT, got " + text);
  char* end = nullptr;
  long port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (colon + 1 == text.size() || *end != '\0' || port <= 0 || port > 65535) throw UsageError("--target has a bad port: " + text);
  loadgen::Target t;
  t.host = text.substr(0, colon);
  t.port = static_cast<std::uint16_t>(port);
  t.sni = sni.empty() ? t.host : sni;
  return t;
}

void add_common(CLI::App* cmd, Common& c, bool identities) {
  cmd->add_option("--target", c.target, "broker HOST:PORT (MQTT over TLS)")->capture_default_str();
  cmd->add_option("--sni", c.sni, "server name: SNI and the name the server certificate must carry (default: host)");
  cmd->add_option("--ca", c.ca, "root CA PEM that must have issued the broker certificate")->required();
  if (identities) {
    cmd->add_option("--cert", c.cert, "client certificate PEM (every client)");
    cmd->add_option("--key", c.key, "client private key PEM (with --cert)");
    cmd->add_option("--cert-dir", c.cert_dir, "directory of NAME.pem + NAME.key client pairs, used round-robin");
    cmd->add_option("--store", c.store, "chip store: clients use its chips (keys through the provider)");
    cmd->add_option("--chips", c.chips, "mint this many in-process chips and use them");
    cmd->add_option("--limit", c.limit, "use at most this many pairs/chips of --cert-dir/--store");
  }
  cmd->add_option("--threads", c.threads, "I/O threads (default: one per core)");
  cmd->add_option("--connect-rate", c.connect_rate, "new connections per second (default: unlimited)");
  cmd->add_option("--concurrency", c.concurrency, "connection attempts in flight at once")->capture_default_str();
  cmd->add_option("--connect-timeout", c.connect_timeout, "seconds for one connection to reach CONNACK/SUBACK")->capture_default_str();
  cmd->add_option("--broker-pid", c.broker_pid, "broker process: report its CPU seconds and RSS from /proc");
  cmd->add_flag("--mqtt5", c.mqtt5, "speak MQTT 5 instead of 3.1.1");
  cmd->add_flag("--json", c.json, "print the report as JSON");
}

void add_api(CLI::App* cmd, Api& a) {
  cmd->add_option("--api", a.url, "control plane URL")->capture_default_str();
  cmd->add_option("--account", a.account, "12-digit account (the access key)")->capture_default_str();
  cmd->add_option("--region", a.region, "region")->capture_default_str();
  cmd->add_option("--secret-key", a.secret, "secret access key")->capture_default_str();
}

loadgen::ApiTarget api_target(const Api& a) {
  if (a.account.size() != 12 || a.account.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError("--account must be 12 digits, got '" + a.account + "'");
  loadgen::ApiTarget t;
  t.account = a.account;
  ledger::apply_endpoint_url(t.endpoint, a.url);
  t.endpoint.region = a.region;
  t.endpoint.access_key = a.account;
  t.endpoint.secret_key = a.secret;
  return t;
}

loadgen::EngineOptions engine_options(const Common& c) {
  if (c.concurrency == 0) throw UsageError("--concurrency must be at least 1");
  if (c.connect_timeout <= 0) throw UsageError("--connect-timeout must be positive");
  loadgen::EngineOptions o;
  o.target = parse_target(c.target, c.sni);
  o.version = c.mqtt5 ? mqtt::Version::v5 : mqtt::Version::v3_1_1;
  o.threads = c.threads;
  o.connect_rate = c.connect_rate;
  o.connect_concurrency = c.concurrency;
  o.connect_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(c.connect_timeout * 1000));
  o.broker_pid = c.broker_pid;
  return o;
}

loadgen::Identities identities(const Common& c) {
  loadgen::IdentitySource s;
  s.cert_file = c.cert;
  s.key_file = c.key;
  s.cert_dir = c.cert_dir;
  s.store_dir = c.store;
  s.inproc_chips = c.chips;
  s.limit = c.limit;
  s.root_ca_pem = read_file(c.ca, "--ca");
  try {
    return loadgen::load_identities(s);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
}

std::chrono::milliseconds seconds(double s, const char* what) {
  if (!(s > 0) || s > 86400) throw UsageError(std::string(what) + " must be in (0, 86400] seconds");
  return std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000));
}

void print(loadgen::Report& r, const Common& c, bool json) {
  if (r.target.empty()) r.target = c.target + (c.sni.empty() ? "" : " (" + c.sni + ")");
  const std::string text = json ? loadgen::to_json(r) + "\n" : loadgen::to_table(r);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

void add_bench_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "load generator: MQTT over mutual TLS with SNI against any broker; control plane");
  cmd->require_subcommand(1);

  {  // connect
    auto c = std::make_shared<Common>();
    auto count = std::make_shared<std::size_t>(1000);
    auto* sub = cmd->add_subcommand("connect", "connection rate: TCP + mutual TLS + CONNECT/CONNACK, then DISCONNECT");
    add_common(sub, *c, true);
    sub->add_option("--count", *count, "connections to make")->capture_default_str();
    sub->callback([c, count] {
      if (*count == 0) throw UsageError("--count must be at least 1");
      auto ids = identities(*c);
      auto r = loadgen::run_connect(engine_options(*c), ids, {*count});
      print(r, *c, c->json);
    });
  }
  {  // idle
    auto c = std::make_shared<Common>();
    auto count = std::make_shared<std::size_t>(1000);
    auto hold = std::make_shared<double>(2.0);
    auto* sub = cmd->add_subcommand("idle", "idle connections held: broker memory per connection (with --broker-pid)");
    add_common(sub, *c, true);
    sub->add_option("--count", *count, "connections to open and hold")->capture_default_str();
    sub->add_option("--hold", *hold, "seconds to hold them once all are open")->capture_default_str();
    sub->callback([c, count, hold] {
      if (*count == 0) throw UsageError("--count must be at least 1");
      auto ids = identities(*c);
      auto r = loadgen::run_idle(engine_options(*c), ids, {*count, seconds(*hold, "--hold")});
      print(r, *c, c->json);
    });
  }
  {  // pubsub
    auto c = std::make_shared<Common>();
    struct Args {
      std::string topology = "p2p";
      std::size_t n = 10, size = 64;
      int qos = 1;
      double rate = 0, duration = 5, drain = 3;
      std::uint64_t count = 0;
      unsigned window = 32;
    };
    auto a = std::make_shared<Args>();
    auto* sub = cmd->add_subcommand("pubsub", "message throughput and latency: fan-in, fan-out or point to point");
    add_common(sub, *c, true);
    sub->add_option("--topology", a->topology, "fan-in (N→1), fan-out (1→N) or p2p (N→N)")->capture_default_str();
    sub->add_option("-n,--clients", a->n, "N of the topology")->capture_default_str();
    sub->add_option("--qos", a->qos, "0 or 1")->capture_default_str();
    sub->add_option("--size", a->size, "payload bytes (at least 20)")->capture_default_str();
    sub->add_option("--rate", a->rate, "total publishes per second (default: as fast as the window allows)");
    sub->add_option("--duration", a->duration, "seconds of publishing")->capture_default_str();
    sub->add_option("--count", a->count, "stop each publisher after this many messages");
    sub->add_option("--window", a->window, "QoS 1 messages in flight per publisher")->capture_default_str();
    sub->add_option("--drain", a->drain, "seconds to wait for stragglers")->capture_default_str();
    sub->callback([c, a] {
      auto topology = loadgen::parse_topology(a->topology);
      if (!topology) throw UsageError("--topology must be fan-in, fan-out or p2p, got " + a->topology);
      if (a->qos != 0 && a->qos != 1) throw UsageError("--qos must be 0 or 1");
      if (a->n == 0) throw UsageError("--clients must be at least 1");
      if (a->window == 0) throw UsageError("--window must be at least 1");
      if (a->size > 256 * 1024) throw UsageError("--size is at most 262144");
      loadgen::PubSubLoad load;
      load.topology = *topology;
      load.n = a->n;
      load.qos = a->qos ? mqtt::QoS::at_least_once : mqtt::QoS::at_most_once;
      load.payload = a->size;
      load.rate = a->rate;
      load.duration = seconds(a->duration, "--duration");
      load.per_publisher = a->count;
      load.window = a->window;
      load.drain = seconds(a->drain, "--drain");
      auto ids = identities(*c);
      auto r = loadgen::run_pubsub(engine_options(*c), ids, load);
      print(r, *c, c->json);
    });
  }
  {  // fleet
    auto c = std::make_shared<Common>();
    auto api = std::make_shared<Api>();
    auto f = std::make_shared<loadgen::FleetLoad>();
    auto timeout = std::make_shared<double>(30);
    auto* sub = cmd->add_subcommand("fleet", "N in-process chips minted, registered (API), connected, publishing and receiving");
    add_common(sub, *c, false);
    add_api(sub, *api);
    sub->add_option("--devices", f->devices, "devices")->capture_default_str();
    sub->add_option("--messages", f->messages, "QoS 1 messages each device publishes to the next")->capture_default_str();
    sub->add_option("--policy", f->policy, "policy attached to every chip (created allowing iot:* if missing)")->capture_default_str();
    sub->add_option("--api-connections", f->api_connections, "parallel API connections for registration")->capture_default_str();
    sub->add_option("--publish-timeout", *timeout, "bound of the publishing phase in seconds")->capture_default_str();
    sub->callback([c, api, f, timeout] {
      if (f->devices == 0) throw UsageError("--devices must be at least 1");
      if (f->messages == 0) throw UsageError("--messages must be at least 1");
      f->publish_duration = seconds(*timeout, "--publish-timeout");
      auto o = engine_options(*c);
      if (c->sni.empty()) o.target.sni.clear();  // ask DescribeEndpoint
      auto r = loadgen::run_fleet(o, api_target(*api), *f, read_file(c->ca, "--ca"));
      print(r, *c, c->json);
    });
  }
  {  // registry
    auto api = std::make_shared<Api>();
    auto load = std::make_shared<loadgen::RegistryLoad>();
    auto json = std::make_shared<bool>(false);
    auto* sub = cmd->add_subcommand("registry", "control plane: signed RegisterCertificateWithoutCA requests per second");
    add_api(sub, *api);
    sub->add_option("--count", load->count, "distinct certificates to register")->capture_default_str();
    sub->add_option("--connections", load->connections, "keep-alive connections in parallel")->capture_default_str();
    sub->add_flag("--json", *json, "print the report as JSON");
    sub->callback([api, load, json] {
      if (load->count == 0) throw UsageError("--count must be at least 1");
      if (load->connections == 0 || load->connections > 256) throw UsageError("--connections must be 1..256");
      auto r = loadgen::run_registry(api_target(*api), *load);
      Common c;
      c.target = api->url;
      print(r, c, *json);
    });
  }
}

}  // namespace trustlane::cli
