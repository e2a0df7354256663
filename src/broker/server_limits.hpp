// Token bucket for the per-connection throughput limits (sans-I/O: the caller passes the time).
#pragma once
#include <algorithm>
#include <chrono>

namespace trustlane::broker {

// `rate` tokens per second, bursts up to one second's worth; a rate of 0 (or less) is unlimited.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TokenBucket(double rate) : rate_(rate), tokens_(std::max(rate, 1.0)) {}
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
  // The tokens there are at `now`, without taking any: how much may pass before a wait.
  double available(Clock::time_point now) const {
    if (unlimited() || last_ == Clock::time_point{}) return tokens_;
    return std::min(rate_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
  }
  // Takes n tokens if there are that many (never goes into debt): a refusing limit, for quotas.
  // A rate of 0 (or less) means unlimited. The bucket holds at least one token so rates below
  // 1/s still admit one request every 1/rate seconds.
  bool try_take(double n, Clock::time_point now) {
    if (rate_ <= 0) return true;
    double capacity = std::max(rate_, 1.0);
    if (last_ != Clock::time_point{} && now > last_)
      tokens_ = std::min(capacity, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    if (last_ == Clock::time_point{} || now > last_) last_ = now;
    if (tokens_ < n) return false;
    tokens_ -= n;
    return true;
  }

 private:
  double rate_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace trustlane::broker
