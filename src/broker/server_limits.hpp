// Small pure helpers for the MQTT limits AWS IoT enforces per connection (sans-I/O: the caller
// passes the time).
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>

#include "broker/server_options.hpp"
#include "mqtt/packets.hpp"

namespace trustlane::broker {

// Token bucket: `rate` tokens per second, bursts up to one second's worth.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenBucket(double rate) : rate_(rate), tokens_(rate) {}
  bool take(double n, Clock::time_point now) {
    if (last_ != Clock::time_point{})
      tokens_ = std::min(rate_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    last_ = now;
    if (tokens_ < n) return false;
    tokens_ -= n;
    return true;
  }

 private:
  double rate_;
  double tokens_;
  Clock::time_point last_{};
};

// The keep-alive the broker applies: 0 → the maximum; otherwise clamped to [min, max].
inline std::uint16_t effective_keep_alive(std::uint16_t requested, const Limits& l) {
  if (requested == 0) return l.max_keep_alive;
  return std::clamp(requested, l.min_keep_alive, l.max_keep_alive);
}

// How long the session outlives the connection, in seconds (0: it ends with it).
inline std::uint32_t session_expiry(const mqtt::Connect& c, const Limits& l) {
  if (c.version == mqtt::Version::v3_1_1) return c.clean_start ? 0 : l.default_session_expiry;
  return std::min(c.properties.session_expiry_interval.value_or(0), l.max_session_expiry);
}

}  // namespace trustlane::broker
