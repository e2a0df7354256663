// The control-plane side of the load generator: signed RegisterCertificateWithoutCA requests
// per second (P5), and the fleet run (P6): N in-process chips minted, registered through the
// API, connected and each publishing and receiving.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

#include "ledger/api_client.hpp"
#include "ledger/importer.hpp"
#include "loadgen/identities.hpp"
#include "loadgen/engine.hpp"
#include "loadgen/report.hpp"

namespace trustlane::loadgen {

struct ApiTarget {
  ledger::ApiEndpoint endpoint;  // host, port, region, keys (the access key names the account)
  std::string account;           // 12 digits
};

struct RegistryLoad {
  std::size_t count = 2000;      // distinct certificates registered (each one request)
  unsigned connections = 8;      // keep-alive connections in parallel
};

// Certificates are made up front (self-signed P-256, distinct) and not timed.
Report run_registry(const ApiTarget& api, const RegistryLoad& load);

struct FleetLoad {
  std::size_t devices = 100;
  std::string policy = "trustlane-bench-fleet";  // created (allow iot:*) if missing, attached to every chip
  unsigned api_connections = 16;  // keep-alive connections registering in parallel
  std::uint64_t messages = 1;    // per device, QoS 1, to the next device's topic
  std::size_t payload = 64;
  std::chrono::milliseconds publish_duration{30000};  // bound of the publishing phase
};

// Engine options give the MQTT target; an empty SNI is asked of the API (DescribeEndpoint).
Report run_fleet(EngineOptions engine, const ApiTarget& api, const FleetLoad& load, const std::string& root_ca_pem);

// The fleet's registration step, behind one function so it can move to a bulk route: ensures
// the policy, then registers every chip (register without CA, attach policy, thing, principal).
ledger::ImportSummary register_fleet(const Identities& ids, const ApiTarget& api, const FleetLoad& load,
                                     const ledger::ApiClientFactory& factory);

// The account's iot:Data-ATS endpoint address. Throws std::runtime_error.
std::string describe_endpoint(ledger::ApiClient& client);

}  // namespace trustlane::loadgen
