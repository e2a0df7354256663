// Per-connection limits (AWS IoT Core defaults; a self-hosted deployment may raise them).
#pragma once
#include <cstddef>
#include <cstdint>

#include "broker/message_queue.hpp"

namespace trustlane::broker {

// Room a PUBLISH needs around its payload: fixed header (5), topic (2 + 256, plus the
// "$aws/rules/<rule>/" prefix AWS does not count, ≤ 140), packet id (2); the rest of 8 KiB is for
// v5 properties (user properties, correlation data, response topic…).
inline constexpr std::size_t kPublishHeaderRoom = 8 * 1024;

struct Limits {
  // AWS "payload and CONNECT ≤ 128 KB", in bytes (KB = 1024): a PUBLISH payload of exactly
  // 131,072 bytes passes, one byte more is refused (CLIENT_ERROR; v5 DISCONNECT 0x95), and so is
  // a CONNECT packet (the Will payload lives in it) over 131,072 bytes (v5 CONNACK 0x95).
  std::size_t max_payload = 128 * 1024;
  std::size_t max_connect = 128 * 1024;
  // Largest packet read at all (checked on the fixed header, before the body is buffered) and
  // announced to v5 clients as Maximum Packet Size: the largest payload plus its headers.
  std::size_t max_packet_size = 128 * 1024 + kPublishHeaderRoom;
  std::size_t max_client_id = 128;
  std::uint16_t min_keep_alive = 30;                // seconds; AWS clamps into [30, 1200]
  std::uint16_t max_keep_alive = 1200;              // also used when the client sends 0
  std::size_t max_filters_per_subscribe = 8;        // and per UNSUBSCRIBE
  std::size_t max_subscriptions = 50;               // per connection
  double publishes_per_second = 100;                // inbound PUBLISH per connection (0: unlimited)
  std::uint16_t inflight_window = 100;              // unacknowledged QoS 1, each direction
  std::uint16_t topic_alias_maximum = 8;            // client → broker aliases we accept (v5)
  // QoS 1 messages kept for an offline session, and for a connected one behind its window: at
  // most this many, and at most this many bytes (queued_bytes()), whichever comes first.
  std::size_t offline_queue = 1000;
  std::size_t queue_bytes = 16u << 20;
  // The account's persistent session expiry period (AWS: 1 hour, adjustable up to 7 days), in
  // seconds: a 3.1.1 persistent session gets it, an MQTT 5 request is capped at it (the CONNACK
  // then says so), so no session outlives it (0xFFFFFFFF included).
  std::uint32_t session_expiry = 3600;

  QueueBudget queue_budget() const { return {offline_queue, queue_bytes}; }
};

}  // namespace trustlane::broker
