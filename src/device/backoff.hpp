// Reconnect delays: exponential from `first` doubling up to `cap`, with jitter so a fleet that
// lost its broker at once does not come back at once. Pure arithmetic: the caller supplies
// the random fraction (tests pass fixed values).
#pragma once
#include <chrono>

namespace trustlane::device {

class Backoff {
 public:
  explicit Backoff(std::chrono::milliseconds first = std::chrono::seconds(1),
                   std::chrono::milliseconds cap = std::chrono::seconds(128));

  // Delay before the next attempt. The n-th call (from 0) waits in [base/2, base] with
  // base = min(cap, first × 2^n); `jitter` ∈ [0, 1] picks the point.
  std::chrono::milliseconds next(double jitter);
  // After a good connection: the next failure starts again from `first`.
  void reset() { attempt_ = 0; }
  unsigned attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds first_, cap_;
  unsigned attempt_ = 0;
};

}  // namespace trustlane::device
