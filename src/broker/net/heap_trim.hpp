// When the broker gives free heap back to the kernel. A TLS handshake allocates and frees tens of
// KB between the long-lived objects of the connections around it; glibc keeps those holes, so
// after a burst of connections the RSS stays at the burst's peak (about half of it, measured:
// bench/findings.md, P3). Once a burst is over (a housekeeping tick without new accepts), or
// every `period` while accepts go on, malloc_trim(0) returns the free pages.
#pragma once
#include <chrono>
#include <cstdint>

namespace trustlane::broker::net {

class HeapTrimPolicy {
 public:
  explicit HeapTrimPolicy(std::chrono::seconds period = std::chrono::seconds(10)) : period_(period) {}
  // Called once per housekeeping tick with the total of accepted connections so far.
  bool due(std::uint64_t accepted, std::chrono::steady_clock::time_point now);

 private:
  std::chrono::seconds period_;
  std::uint64_t seen_ = 0;     // accepted at the previous tick
  std::uint64_t trimmed_ = 0;  // accepted at the last trim
  std::chrono::steady_clock::time_point last_trim_{};
  bool started_ = false;
};

// malloc_trim(0) where the C library has it; returns whether memory was released.
bool release_free_heap();

}  // namespace trustlane::broker::net
