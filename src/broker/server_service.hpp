// The MQTT broker service of `trustlane cloud serve`: TLS listeners (MQTT on mutual TLS, and the
// 443-style listener with ALPN x-amzn-mqtt-ca), one io_context per thread, connections spread
// over them, wired to the registry's change notifications. Asio stays inside broker/net/.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "broker/server_options.hpp"
#include "broker/server_stats.hpp"
#include "iot/cloud_ca.hpp"
#include "iot/registry.hpp"

namespace trustlane::broker {

class BrokerService {
 public:
  BrokerService(iot::Registry& registry, const iot::CloudCa& ca, ServerOptions options);
  ~BrokerService();  // stops
  BrokerService(const BrokerService&) = delete;
  BrokerService& operator=(const BrokerService&) = delete;

  // Binds the listeners (throws std::runtime_error with the address on failure) and starts the threads.
  void start();
  void stop();

  std::uint16_t mqtt_port() const;  // the bound port (useful with port 0)
  std::uint16_t alpn_port() const;  // 0 when off
  const Stats& stats() const;
  // Stats::to_json() plus "accounts" ({"account/region":{"connections":n}}) and the "limits" in force.
  std::string stats_json() const;
  // Logs Stats::line() once per second while on (toggled by SIGUSR1 in `cloud serve`).
  void set_periodic_stats(bool on);
  bool periodic_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The one call `trustlane cloud serve` makes: starts a broker for `registry` with the listener
// addresses given on the command line ("HOST:PORT"; alpn may be empty) and the network limits,
// installs SIGUSR1 to toggle per-second stats, and returns it (stopped by its destructor).
std::unique_ptr<BrokerService> start_broker_service(iot::Registry& registry, const iot::CloudCa& ca,
                                                    const std::string& mqtt_listen, const std::string& alpn_listen,
                                                    const std::string& domain,
                                                    const std::filesystem::path& data_dir,
                                                    const NetLimits& net = {});
// The same with every option (quotas, periodic stats from the start…).
std::unique_ptr<BrokerService> start_broker_service(iot::Registry& registry, const iot::CloudCa& ca,
                                                    ServerOptions options);

}  // namespace trustlane::broker
