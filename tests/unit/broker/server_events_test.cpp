#include <gtest/gtest.h>

#include "broker/server_ids.hpp"
#include "broker/server_limits.hpp"

namespace trustlane::broker {
namespace {

TEST(ServerEvents, JitrTopic) { EXPECT_EQ(jitr_topic("ca1"), "$aws/events/certificates/registered/ca1"); }

TEST(ServerEvents, UuidsAreVersion4AndDistinct) {
  auto a = random_uuid(), b = random_uuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_EQ(a[8], '-');
}

TEST(ServerLimits, TokenBucketAsksToWaitWhenEmpty) {
  TokenBucket b(100);  // 100 per second, burst 100
  auto t0 = TokenBucket::Clock::time_point{} + std::chrono::seconds(1);
  EXPECT_EQ(b.take(100, t0), TokenBucket::Clock::duration::zero());
  auto wait = b.take(50, t0);
  EXPECT_NEAR(std::chrono::duration<double>(wait).count(), 0.5, 1e-6);
  // Half a second later the debt is paid.
  EXPECT_EQ(b.take(0, t0 + std::chrono::milliseconds(500)), TokenBucket::Clock::duration::zero());
}

}  // namespace
}  // namespace trustlane::broker
