#include "broker/net/heap_trim.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace trustlane::broker::net {

bool HeapTrimPolicy::due(std::uint64_t accepted, std::chrono::steady_clock::time_point now) {
  if (!started_) {  // the period counts from the first tick
    started_ = true;
    last_trim_ = now;
  }
  const bool quiet = accepted == seen_;
  seen_ = accepted;
  if (accepted == trimmed_) return false;  // nothing new since the last trim
  if (!quiet && now - last_trim_ < period_) return false;
  trimmed_ = accepted;
  last_trim_ = now;
  return true;
}

bool release_free_heap() {
#if defined(__GLIBC__)
  return malloc_trim(0) == 1;
#else
  return false;
#endif
}

}  // namespace trustlane::broker::net
