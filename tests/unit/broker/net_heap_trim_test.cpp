// The heap is trimmed once a burst of connections is over, or periodically during steady churn,
// and never when nothing was accepted since the last trim.
#include <gtest/gtest.h>

#include "broker/net/heap_trim.hpp"

namespace trustlane::broker::net {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

TEST(HeapTrimPolicy, TrimsOnceWhenABurstIsOver) {
  HeapTrimPolicy p(seconds(10));
  Clock::time_point t{seconds(1000)};
  EXPECT_FALSE(p.due(0, t));             // idle broker: nothing to do
  EXPECT_FALSE(p.due(500, t + seconds(1)));   // accepts going on
  EXPECT_TRUE(p.due(500, t + seconds(2)));    // a tick without accepts: the burst is over
  EXPECT_FALSE(p.due(500, t + seconds(3)));   // and only once
  EXPECT_FALSE(p.due(500, t + seconds(60)));
}

TEST(HeapTrimPolicy, TrimsEveryPeriodDuringSteadyChurn) {
  HeapTrimPolicy p(seconds(10));
  Clock::time_point t{seconds(1000)};
  std::uint64_t accepted = 0;
  int trims = 0;
  for (int s = 1; s <= 35; ++s) trims += p.due(accepted += 100, t + seconds(s));
  EXPECT_EQ(trims, 3);  // at 11, 21 and 31 s: once per period, counted from the first tick
}

}  // namespace
}  // namespace trustlane::broker::net
