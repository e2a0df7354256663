#include "device/backoff.hpp"

#include <algorithm>

namespace trustlane::device {

Backoff::Backoff(std::chrono::milliseconds first, std::chrono::milliseconds cap)
    : first_(std::max(first, std::chrono::milliseconds(1))), cap_(std::max(cap, first_)) {}

std::chrono::milliseconds Backoff::next(double jitter) {
  jitter = std::clamp(jitter, 0.0, 1.0);
  auto base = first_;
  for (unsigned i = 0; i < attempt_ && base < cap_; ++i) base *= 2;
  base = std::min(base, cap_);
  if (base < cap_) ++attempt_;  // stop counting once capped: no overflow however long it fails
  const auto half = base.count() / 2.0;
  return std::chrono::milliseconds(static_cast<long long>(half + jitter * half));
}

}  // namespace trustlane::device
