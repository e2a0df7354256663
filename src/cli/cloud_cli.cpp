// `trustlane cloud serve|ca`: the AWS IoT compatible control plane in one process.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "api/credentials.hpp"
#include "api/server.hpp"
#include "api/service.hpp"
#include "broker/server_service.hpp"
#include "cli/commands.hpp"
#include "iot/cloud_ca.hpp"
#include "iot/store.hpp"

namespace trustlane::cli {

namespace {

struct HostPort {
  std::string host;
  std::uint16_t port;
};

HostPort parse_host_port(const std::string& text, const char* what) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw UsageError(std::string(what) + " must be HOST:PORT, got " + text);
  auto port = text.substr(colon + 1);
  char* end = nullptr;
  long value = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 0 || value > 65535)
    throw UsageError(std::string(what) + " has an invalid port: " + text);
  return {text.substr(0, colon), static_cast<std::uint16_t>(value)};
}

struct ServeOptions {
  std::string data;
  std::string api = "127.0.0.1:8080";
  std::string mqtt = "127.0.0.1:8883";
  std::string mqtt_alpn;  // broker: 443-style listener (ALPN x-amzn-mqtt-ca); empty = off
  std::string domain = "trustlane.local";
  std::string credentials;
  bool strict = false;
  bool sync_full = false;
  unsigned threads = 0;
  broker::Limits mqtt_limits;       // --mqtt-publishes-per-second
  broker::AccountLimits quotas;     // --account-*, --client-connects-per-second
  bool stats = false;               // --stats: the per-second stats line from the start
  std::optional<double> quota_publishes;      // --account-publishes-per-second: sets both below
  std::optional<double> quota_publishes_in;   // --account-publishes-in-per-second
  std::optional<double> quota_publishes_out;  // --account-publishes-out-per-second
  double mqtt_bytes_per_second = 512 * 1024;          // AWS IoT: 512 KB/s per connection; 0 = unlimited
  std::size_t mqtt_max_queued_bytes = 1024 * 1024;    // QoS 0 dropped above, per reader; 0 = never
};

void serve(const ServeOptions& o) {
  auto api_addr = parse_host_port(o.api, "--api");
  auto quotas = o.quotas;
  if (o.quota_publishes) quotas.publishes_in_per_second = quotas.publishes_out_per_second = *o.quota_publishes;
  if (o.quota_publishes_in) quotas.publishes_in_per_second = *o.quota_publishes_in;
  if (o.quota_publishes_out) quotas.publishes_out_per_second = *o.quota_publishes_out;
  parse_host_port(o.mqtt, "--mqtt");
  std::filesystem::path dir(o.data);
  auto ca = std::make_shared<const iot::CloudCa>(iot::CloudCa::load_or_create(dir));
  iot::StoreOptions store_options;
  store_options.domain = o.domain;
  store_options.sync_full = o.sync_full;
  iot::Store store(dir / "registry.db", ca, store_options);
  api::Credentials credentials;
  if (!o.credentials.empty()) {
    auto loaded = api::Credentials::load(o.credentials);
    if (!loaded) throw UsageError(loaded.error());
    credentials = std::move(*loaded);
  }
  if (o.strict && credentials.size() == 0) throw UsageError("--strict-auth needs --credentials with at least one key");
  api::ServiceOptions service_options;
  service_options.auth.strict = o.strict;
  std::unique_ptr<broker::BrokerService> broker;  // started below, once the API port is bound
  service_options.broker_stats = [&broker] { return broker ? broker->stats_json() : std::string("{}"); };
  api::Service service(store, std::move(credentials), service_options);
  api::HttpServer server(api_addr.host, api_addr.port, [&](const api::HttpRequest& r) { return service.handle(r); },
                         o.threads);

  std::printf("trustlane cloud: API (AWS IoT control plane, rest-json) on http://%s:%u — use --endpoint-url\n",
              api_addr.host.c_str(), server.port());
  broker::ServerOptions broker_options;
  broker_options.mqtt_listen = o.mqtt;
  broker_options.alpn_listen = o.mqtt_alpn;
  broker_options.domain = o.domain;
  broker_options.data_dir = dir;
  broker_options.limits = o.mqtt_limits;
  broker_options.accounts = quotas;
  broker_options.periodic_stats = o.stats;
  broker_options.net.bytes_per_second = o.mqtt_bytes_per_second;
  broker_options.net.max_outgoing_bytes = o.mqtt_max_queued_bytes;
  broker = broker::start_broker_service(store, *ca, std::move(broker_options));
  // The bound port, not the requested one: port 0 asks the system for a free port.
  std::string mqtt_host = o.mqtt.substr(0, o.mqtt.rfind(':'));
  std::printf("trustlane cloud: MQTT (mutual TLS, SNI account routing) on %s:%u%s%s\n", mqtt_host.c_str(),
              broker->mqtt_port(), o.mqtt_alpn.empty() ? "" : ", ALPN x-amzn-mqtt-ca on ", o.mqtt_alpn.c_str());
  std::printf("trustlane cloud: endpoints <prefix>-ats.iot.<region>.%s (describe-endpoint --endpoint-type iot:Data-ATS)\n",
              o.domain.c_str());
  std::printf("trustlane cloud: root CA %s\n", ca->certificate_path().c_str());
  std::printf("trustlane cloud: data %s (SQLite WAL), auth %s\n", std::filesystem::absolute(dir).c_str(),
              o.strict ? "strict (signed requests from known keys only)" : "lenient (12-digit access key = account)");
  std::printf("trustlane cloud: ready\n");
  std::fflush(stdout);
  server.run(true);
  std::printf("trustlane cloud: stopped\n");
  std::fflush(stdout);
}

}  // namespace

void add_cloud_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("cloud", "the AWS IoT compatible cloud: control plane API (and MQTT broker)");
  cmd->require_subcommand(1);

  auto opts = std::make_shared<ServeOptions>();
  auto* serve_cmd = cmd->add_subcommand("serve", "run the cloud (control plane API; registry in --data)");
  serve_cmd->add_option("--data", opts->data, "data directory (registry.db, root-ca.pem/.key)")->required();
  serve_cmd->add_option("--api", opts->api, "HTTP API listen address HOST:PORT")->capture_default_str();
  serve_cmd->add_option("--mqtt", opts->mqtt, "MQTT (mutual TLS) listen address HOST:PORT")->capture_default_str();
  serve_cmd->add_option("--mqtt-alpn", opts->mqtt_alpn, "MQTT listener requiring ALPN x-amzn-mqtt-ca (443-style) HOST:PORT");
  serve_cmd->add_option("--domain", opts->domain, "endpoint domain: <prefix>-ats.iot.<region>.<domain>")
      ->capture_default_str();
  serve_cmd->add_option("--credentials", opts->credentials,
                        "JSON file {\"credentials\":[{\"accessKeyId\",\"secretAccessKey\",\"accountId\"}]}: keys "
                        "whose SigV4 signatures are verified");
  serve_cmd->add_flag("--strict-auth", opts->strict, "reject unknown access keys and unsigned or badly signed requests");
  serve_cmd->add_flag("--sync-full", opts->sync_full, "fsync every commit (survive power loss, not only kill -9)");
  serve_cmd->add_option("--threads", opts->threads, "server threads (default: one per core)");
  // Broker quotas: AWS IoT Core's defaults; 0 = unlimited. Lower them to test throttling.
  serve_cmd->add_option("--mqtt-publishes-per-second", opts->mqtt_limits.publishes_per_second,
                        "inbound PUBLISH per second per connection (0: unlimited)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  serve_cmd->add_option("--client-connects-per-second", opts->quotas.connects_per_second_per_client,
                        "CONNECT per second per client ID (0: unlimited)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  serve_cmd->add_option("--account-connects-per-second", opts->quotas.connects_per_second,
                        "CONNECT per second per account and region (0: unlimited)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  serve_cmd->add_option("--account-publishes-per-second", opts->quota_publishes,
                        "sets both quotas below at once")
      ->check(CLI::NonNegativeNumber);
  serve_cmd->add_option("--account-publishes-in-per-second", opts->quota_publishes_in,
                        "inbound PUBLISH per second per account and region (default 20000; 0: unlimited)")
      ->check(CLI::NonNegativeNumber);
  serve_cmd->add_option("--account-publishes-out-per-second", opts->quota_publishes_out,
                        "outbound deliveries per second per account and region (default 20000; 0: unlimited)")
      ->check(CLI::NonNegativeNumber);
  serve_cmd->add_option("--mqtt-inflight-window", opts->mqtt_limits.inflight_window,
                        "unacknowledged QoS 1 messages per client in each direction (AWS: 100); MQTT 5 "
                        "clients are told as Receive Maximum")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  serve_cmd->add_option("--mqtt-session-queue", opts->mqtt_limits.offline_queue,
                        "QoS 1 messages kept per client (offline session, or behind its in-flight window); "
                        "newer ones are dropped")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve_cmd->add_option("--mqtt-session-queue-bytes", opts->mqtt_limits.queue_bytes,
                        "bytes of such messages kept per client, whichever limit comes first")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve_cmd->add_option("--session-expiry", opts->mqtt_limits.session_expiry,
                        "persistent session expiry period in seconds (AWS: 1 hour, adjustable up to 7 days): "
                        "3.1.1 persistent sessions get it, MQTT 5 requests are capped at it")
      ->check(CLI::Range(3600u, 7u * 24 * 3600))
      ->capture_default_str();
  serve_cmd->add_option("--account-max-connections", opts->quotas.max_connections,
                        "concurrent connections per account and region (0: unlimited)")
      ->capture_default_str();
  serve_cmd->add_flag("--stats", opts->stats, "log broker stats every second on stderr (SIGUSR1 toggles it)");
  serve_cmd->add_option("--mqtt-bytes-per-second", opts->mqtt_bytes_per_second,
                        "inbound bytes per second per MQTT connection (AWS: 512 KB/s); reading pauses above; 0 = unlimited")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve_cmd->add_option("--mqtt-max-queued-bytes", opts->mqtt_max_queued_bytes,
                        "bytes queued for a slow reader above which QoS 0 messages to it are dropped (the "
                        "connection is closed above 8 × this, at least 8 MiB); 0 = never drop: publishers to a "
                        "reader more than 1 MiB behind are held back until it catches up")
      ->capture_default_str();
  serve_cmd->callback([opts] { serve(*opts); });
  add_cloud_stats_command(*cmd);

  auto data = std::make_shared<std::string>();
  auto* ca_cmd = cmd->add_subcommand("ca", "print the cloud's root CA certificate (PEM); creates it if missing");
  ca_cmd->add_option("--data", *data, "data directory")->required();
  ca_cmd->callback([data] {
    auto ca = iot::CloudCa::load_or_create(*data);
    std::fputs(ca.certificate().pem().c_str(), stdout);
  });
}

}  // namespace trustlane::cli
