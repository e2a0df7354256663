#include "loadgen/control_plane.hpp"

#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "ledger/importer.hpp"
#include "loadgen/identities.hpp"

namespace trustlane::loadgen {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU seconds (user + system) of this whole process so far: what a phase costs on a shared,
// noisy machine where wall time says more about the neighbours than about us.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

std::string error_kind(const ledger::ApiResponse& r) {
  return "http-" + std::to_string(r.status) + (r.error_type.empty() ? "" : "-" + r.error_type);
}

constexpr const char* kAllowAll =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})";

std::optional<ProcSample> broker_sample(int pid) {
  if (pid <= 0) return std::nullopt;
  return sample_process(pid);
}

}  // namespace

std::string describe_endpoint(ledger::ApiClient& client) {
  auto r = client.send({"GET", "/endpoint", "endpointType=iot%3AData-ATS", "", {}});
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status != 200 || !body.is_object() || !body.contains("endpointAddress") || !body["endpointAddress"].is_string())
    throw std::runtime_error("DescribeEndpoint failed: HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200));
  return body["endpointAddress"].get<std::string>();
}

Report run_registry(const ApiTarget& api, const RegistryLoad& load) {
  Report r;
  r.mode = "registry";
  r.target = api.endpoint.host + ":" + api.endpoint.port;
  r.settings["operation"] = "RegisterCertificateWithoutCA";
  r.settings["count"] = std::to_string(load.count);
  r.settings["connections"] = std::to_string(load.connections);

  // Distinct certificates, made before the clock starts (two threads: this is not measured).
  const auto make_begin = Clock::now();
  std::vector<std::string> pems(load.count);
  {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> makers;
    for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t)
      makers.emplace_back([&] {
        for (std::size_t i = next++; i < load.count; i = next++) {
          auto key = crypto::Key::generate();
          crypto::CertificateSpec spec;
          spec.subject = {{"CN", "bench-registry-" + std::to_string(i)}};
          spec.client_auth = true;
          pems[i] = crypto::issue_certificate(spec, key, key, nullptr).pem();
        }
      });
    for (auto& t : makers) t.join();
  }
  r.extra["certificates_made_seconds"] = since(make_begin);

  std::mutex mu;
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> ok{0};
  std::vector<std::thread> workers;
  const auto begin = Clock::now();
  for (unsigned t = 0; t < std::max(1u, load.connections); ++t)
    workers.emplace_back([&] {
      std::unique_ptr<ledger::ApiClient> client;
      for (std::size_t i = next++; i < load.count; i = next++) {
        const auto sent = Clock::now();
        try {
          if (!client) client = ledger::make_http_client(api.endpoint);
          nlohmann::json body{{"certificatePem", pems[i]}, {"status", "ACTIVE"}};
          auto reply = client->send({"POST", "/certificate/register-no-ca", "", body.dump(), {}});
          const auto us = static_cast<std::uint64_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count());
          std::lock_guard lock(mu);
          if (reply.status == 200) {
            ++ok;
            r.latency_us.record(us);
          } else {
            ++r.errors[error_kind(reply)];
          }
        } catch (const std::exception&) {
          client.reset();  // reconnect for the next one
          std::lock_guard lock(mu);
          ++r.errors["transport"];
        }
      }
    });
  for (auto& t : workers) t.join();
  r.seconds = since(begin);
  r.requests = ok.load();
  r.extra["registrations_per_second"] = r.seconds > 0 ? static_cast<double>(r.requests) / r.seconds : 0.0;
  return r;
}

ledger::ImportSummary register_fleet(const Identities& ids, const ApiTarget& api, const FleetLoad& load,
                                     const ledger::ApiClientFactory& factory) {
  std::vector<ledger::VerifiedEntry> entries;
  entries.reserve(ids.list.size());
  for (const auto& id : ids.list) entries.push_back({id.unique_id_hex, id.certificate_pem, id.certificate_id});
  ledger::ImportOptions options;
  options.account = api.account;
  options.region = api.endpoint.region;
  options.policy = load.policy;
  options.thing_prefix = "bench-";
  options.create_policy = kAllowAll;
  options.connections = load.api_connections;
  {
    auto client = factory();
    ledger::ensure_policy(*client, options);
  }
  return ledger::import_entries(entries, options, factory);
}

Report run_fleet(EngineOptions engine, const ApiTarget& api, const FleetLoad& load, const std::string& root_ca_pem) {
  const auto begin = Clock::now();
  const double cpu_begin = process_cpu_seconds();
  // 1. Mint: in-process chips, each with its factory key and certificate, and its identity.
  IdentitySource source;
  source.inproc_chips = load.devices;
  source.root_ca_pem = root_ca_pem;
  auto ids = load_identities(source);
  const double mint_s = since(begin);
  const double mint_cpu = process_cpu_seconds() - cpu_begin;

  // 2. Register every chip through the control plane, as the ledger import does.
  const auto register_begin = Clock::now();
  const double register_cpu_begin = process_cpu_seconds();
  const auto cloud_before_register = broker_sample(engine.broker_pid);
  ledger::ApiClientFactory factory = [endpoint = api.endpoint] { return ledger::make_http_client(endpoint); };
  auto summary = register_fleet(ids, api, load, factory);
  if (engine.target.sni.empty()) {
    auto client = factory();
    engine.target.sni = describe_endpoint(*client);
  }
  const double register_s = since(register_begin);
  const double register_cpu = process_cpu_seconds() - register_cpu_begin;
  const auto cloud_after_register = broker_sample(engine.broker_pid);

  // 3. Connect every device and have each publish to the next one (point to point).
  const double connect_cpu_begin = process_cpu_seconds();
  engine.chip_client_ids = true;
  PubSubLoad pubsub;
  pubsub.topology = Topology::point_to_point;
  pubsub.n = load.devices;
  pubsub.qos = mqtt::QoS::at_least_once;
  pubsub.payload = load.payload;
  pubsub.per_publisher = load.messages;
  pubsub.duration = load.publish_duration;
  pubsub.topic_prefix = "fleet";
  auto r = run_pubsub(engine, ids, pubsub);
  const double connect_cpu = process_cpu_seconds() - connect_cpu_begin;
  // The pubsub run samples the broker after its connect phase; the fleet's broker figure must
  // include the handshakes, so it starts where registration ended.
  if (cloud_after_register) r.broker_before = cloud_after_register;
  if (cloud_before_register && cloud_after_register)
    r.extra["cloud_register_cpu_seconds"] = cloud_after_register->cpu_seconds - cloud_before_register->cpu_seconds;
  r.mode = "fleet";
  r.target = engine.target.host + ":" + std::to_string(engine.target.port) + " (" + engine.target.sni + ")";
  r.settings["devices"] = std::to_string(load.devices);
  r.settings["messages_per_device"] = std::to_string(load.messages);
  r.settings["connect_concurrency"] = std::to_string(engine.connect_concurrency);
  r.extra["mint_seconds"] = mint_s;
  r.extra["register_seconds"] = register_s;
  r.extra["registered"] = static_cast<double>(summary.imported + summary.already_present);
  r.extra["api_requests"] = static_cast<double>(summary.requests);
  for (const auto& f : summary.failed) ++r.errors["register-" + f.step];
  r.extra["connect_seconds"] = r.connect_seconds;
  r.extra["publish_seconds"] = r.publish_seconds;
  // This process's CPU per phase (the broker's is in "broker" when --broker-pid is given).
  r.extra["mint_cpu_seconds"] = mint_cpu;
  r.extra["register_cpu_seconds"] = register_cpu;
  r.extra["connect_publish_cpu_seconds"] = connect_cpu;
  r.extra["cpu_ms_per_device"] = (mint_cpu + register_cpu + connect_cpu) * 1e3 / static_cast<double>(load.devices);
  r.seconds = since(begin);
  r.extra["end_to_end_seconds"] = r.seconds;
  return r;
}

}  // namespace trustlane::loadgen
