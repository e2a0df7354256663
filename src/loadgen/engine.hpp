// The MQTT load engine: opens client connections (TCP → TLS with SNI and a client certificate →
// MQTT CONNECT/CONNACK, SUBSCRIBE) at a controlled rate on an io_context run by every core, then
// publishes by the plan and accounts every message as received or lost. Always stops by itself:
// every phase has a deadline.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "loadgen/identities.hpp"
#include "loadgen/report.hpp"
#include "loadgen/topology.hpp"
#include "mqtt/packets.hpp"

namespace trustlane::loadgen {

struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8883;
  std::string sni;  // SNI and the name the server certificate must carry
};

struct EngineOptions {
  Target target;
  mqtt::Version version = mqtt::Version::v3_1_1;
  std::string client_prefix = "bench";    // client IDs: <prefix>-<index> (chips: their base64 unique ID)
  bool chip_client_ids = false;           // use the identity's name as client ID (one connection per chip)
  unsigned threads = 0;                   // 0: one per core
  double connect_rate = 0;                // new connections per second; 0 = as fast as allowed
  unsigned connect_concurrency = 64;      // connection attempts in flight at once
  std::chrono::milliseconds connect_timeout{10000};
  int broker_pid = 0;
};

struct ConnectLoad {   // mode connect: count connections, each closed right after its CONNACK
  std::size_t count = 1000;
};

struct IdleLoad {      // mode idle: hold `count` connections for `hold`
  std::size_t count = 1000;
  std::chrono::milliseconds hold{2000};
};

struct PubSubLoad {    // mode pubsub / fleet
  Topology topology = Topology::point_to_point;
  std::size_t n = 10;
  mqtt::QoS qos = mqtt::QoS::at_least_once;
  std::size_t payload = 64;               // bytes (at least 20: timestamp, publisher, sequence)
  double rate = 0;                        // total publishes/s; 0 = as fast as the window allows
  std::chrono::milliseconds duration{5000};
  std::uint64_t per_publisher = 0;        // stop each publisher after this many; 0 = until duration
  unsigned window = 32;                   // QoS 1 publishes in flight per publisher (unlimited rate)
  std::chrono::milliseconds drain{3000};  // wait for stragglers after publishing stops
  std::string topic_prefix = "bench";
};

Report run_connect(const EngineOptions& o, const Identities& ids, const ConnectLoad& load);
Report run_idle(const EngineOptions& o, const Identities& ids, const IdleLoad& load);
Report run_pubsub(const EngineOptions& o, const Identities& ids, const PubSubLoad& load);

// Raises the open-files limit to its hard maximum (many connections); returns the new soft limit.
std::uint64_t raise_open_files_limit();

}  // namespace trustlane::loadgen
