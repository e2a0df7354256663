// Per-connection limits (AWS IoT Core defaults; a self-hosted deployment may raise them).
#pragma once
#include <cstddef>
#include <cstdint>

namespace trustlane::broker {

struct Limits {
  std::size_t max_packet_size = 128 * 1024 + 1024;  // payload ≤ 128 KB plus headers
  std::size_t max_client_id = 128;
  std::uint16_t min_keep_alive = 30;                // seconds; AWS clamps into [30, 1200]
  std::uint16_t max_keep_alive = 1200;              // also used when the client sends 0
  std::size_t max_filters_per_subscribe = 8;
  std::size_t max_subscriptions = 50;               // per connection
  double publishes_per_second = 100;                // inbound PUBLISH per connection (0: unlimited)
  std::uint16_t inflight_window = 100;              // unacknowledged QoS 1, each direction
  std::uint16_t topic_alias_maximum = 8;            // client → broker aliases we accept (v5)
  std::size_t offline_queue = 1000;                 // QoS 1 messages kept for an offline session
  std::uint32_t default_session_expiry = 3600;      // seconds (3.1.1 persistent sessions)
};

}  // namespace trustlane::broker
