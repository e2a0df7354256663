// Configuration of the MQTT broker service: listeners, endpoint names and the AWS IoT limits
// (every one can be raised for a self-hosted deployment).
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace trustlane::broker {

// AWS IoT Core's documented per-connection and per-client limits (docs/compatibility.md).
struct Limits {
  std::size_t max_client_id = 128;
  std::size_t max_packet = 128 * 1024 + 512;     // payload ≤ 128 KB plus headers
  std::size_t max_filters_per_subscribe = 8;
  std::size_t max_subscriptions = 50;
  std::size_t max_inflight = 100;                // unacknowledged QoS 1 per direction
  double publishes_per_second = 100;
  double bytes_per_second = 512 * 1024;
  double connects_per_second_per_client = 1;
  std::uint16_t min_keep_alive = 30;
  std::uint16_t max_keep_alive = 1200;
  std::uint32_t default_session_expiry = 3600;   // cleanSession=0 sessions
  std::uint32_t max_session_expiry = 7 * 24 * 3600;
  std::size_t max_queued_messages = 1000;        // per offline session / per connection backlog
  std::size_t max_outgoing_bytes = 4 * 1024 * 1024;  // bytes waiting for a slow subscriber
};

struct ServerOptions {
  std::string mqtt_listen = "127.0.0.1:8883";   // MQTT over mutual TLS
  std::string alpn_listen;                       // "": off; the 443-style listener (x-amzn-mqtt-ca)
  std::string domain = "trustlane.local";        // endpoint hosts: <prefix>-ats.iot.<region>.<domain>
  std::vector<std::string> regions = {"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
                                      "eu-central-1", "ap-southeast-1", "ap-northeast-1"};
  std::filesystem::path data_dir;                // retained messages and sessions (SQLite); "": memory
  unsigned threads = 0;                          // 0: one per core
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds connect_timeout{10'000};
  Limits limits;
};

}  // namespace trustlane::broker
