// Token bucket for the per-connection throughput limits (sans-I/O: the caller passes the time).
#pragma once
#include <algorithm>
#include <chrono>

namespace trustlane::broker {

// `rate` tokens per second, bursts up to one second's worth; a rate of 0 (or less) is unlimited.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenBucket(double rate) : rate_(rate), tokens_(rate) {}
  bool unlimited() const { return !(rate_ > 0); }
  // Takes n tokens (going into debt if needed) and returns how long to wait before going on.
  Clock::duration take(double n, Clock::time_point now) {
    if (unlimited()) return Clock::duration::zero();
    if (last_ != Clock::time_point{})
      tokens_ = std::min(rate_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    last_ = now;
    tokens_ -= n;
    if (tokens_ >= 0) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
  }

 private:
  double rate_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace trustlane::broker
