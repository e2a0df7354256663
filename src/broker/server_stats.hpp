// Broker counters, updated lock-free from every I/O thread; refusals counted by reason; per-second
// rates computed from samples (the housekeeping timer calls sample() once a second).
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace trustlane::broker {

// The per-second rate of a growing counter between its last two samples (sans-I/O: the caller
// passes the time). 0 until two samples exist.
class RateMeter {
 public:
  using Clock = std::chrono::steady_clock;
  void sample(std::uint64_t total, Clock::time_point now);
  double per_second() const { return rate_; }

 private:
  std::uint64_t last_total_ = 0;
  Clock::time_point last_time_{};
  bool sampled_ = false;
  double rate_ = 0;
};

class Stats {
 public:
  using Clock = std::chrono::steady_clock;
  std::atomic<std::int64_t> connections{0};        // open MQTT sessions now
  std::atomic<std::uint64_t> tls_accepted{0};       // TCP connections accepted
  std::atomic<std::uint64_t> connects_accepted{0};  // CONNACK success (connections in total)
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_out{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> dropped{0};            // QoS 0 dropped for slow subscribers, throttled

  void refused(std::string_view reason);
  std::map<std::string, std::uint64_t> refusals() const;
  // Repeated events (quota refusals) are logged once per second per reason, not per message:
  // true when `reason` was not logged in the last second; `suppressed` gets how many were not.
  bool log_due(std::string_view reason, Clock::time_point now, std::uint64_t* suppressed = nullptr);

  void sample(Clock::time_point now);  // updates the per-second rates
  // {"connections":…, "connectionsTotal":…, "messagesIn":…, …, "rates":{"messagesInPerSecond":…},
  //  "refusals":{"unknown_certificate":3,…}}
  nlohmann::json to_json() const;
  std::string json() const { return to_json().dump(); }
  std::string line() const;  // one line for the per-second log

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> refusals_;
  struct LogState {
    Clock::time_point last{};
    std::uint64_t suppressed = 0;
  };
  std::map<std::string, LogState, std::less<>> log_state_;
  RateMeter messages_in_rate_, messages_out_rate_, bytes_in_rate_, bytes_out_rate_, connects_rate_, refusals_rate_;
  std::uint64_t refusals_total_ = 0;
};

}  // namespace trustlane::broker
