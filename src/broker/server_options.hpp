// Configuration of the MQTT broker service: listeners, endpoint names, timeouts and the limits
// the network layer enforces (the MQTT-level ones are broker::Limits of the sans-I/O core).
// Every AWS IoT quota here can be raised for a self-hosted deployment.
#pragma once
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "broker/account_quotas.hpp"
#include "broker/limits.hpp"

namespace trustlane::broker {

struct NetLimits {
  double bytes_per_second = 512 * 1024;            // per connection; reading pauses above it; 0 = unlimited
  std::size_t max_outgoing_bytes = 1024 * 1024;    // queued for a slow reader: QoS 0 dropped above; 0 = never
  std::size_t hard_outgoing_bytes = 8 * 1024 * 1024;  // above (or 8 × the QoS 0 limit, if more; never
                                                      // when that is 0): the connection is closed
};

struct ServerOptions {
  std::string mqtt_listen = "127.0.0.1:8883";   // MQTT over mutual TLS
  std::string alpn_listen;                       // "": off; the 443-style listener (x-amzn-mqtt-ca)
  std::string domain = "trustlane.local";        // endpoint hosts: <prefix>-ats.iot.<region>.<domain>
  std::vector<std::string> regions = {"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
                                      "eu-central-1", "ap-southeast-1", "ap-northeast-1"};
  std::filesystem::path data_dir;                // retained messages (SQLite); "": memory only
  unsigned threads = 0;                          // TLS I/O threads; 0: one per core
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds connect_timeout{10'000};
  Limits limits;                                 // MQTT limits of the core (publishes/s per connection)
  AccountLimits accounts;                        // quotas per (account, region) and per client ID
  NetLimits net;
  bool periodic_stats = false;                   // log the stats line every second from the start
};

}  // namespace trustlane::broker
