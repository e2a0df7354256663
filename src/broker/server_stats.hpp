// Broker counters, updated lock-free from every I/O thread; refusals counted by reason.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace trustlane::broker {

class Stats {
 public:
  std::atomic<std::int64_t> connections{0};        // open MQTT sessions now
  std::atomic<std::uint64_t> tls_accepted{0};       // TCP connections accepted
  std::atomic<std::uint64_t> connects_accepted{0};  // CONNACK success
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_out{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> dropped{0};            // QoS 0 dropped for slow subscribers, throttled

  void refused(std::string_view reason);
  std::map<std::string, std::uint64_t> refusals() const;
  // {"connections":…, "messagesIn":…, …, "refusals":{"unknown_certificate":3,…}}
  std::string json() const;
  std::string line() const;  // one line for the per-second log

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> refusals_;
};

}  // namespace trustlane::broker
