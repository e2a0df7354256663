#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "broker/events_lifecycle.hpp"
#include "broker/server_limits.hpp"

namespace trustlane::broker {
namespace {

TEST(ServerEvents, PresencePayloadsHaveAwsFields) {
  PresenceFacts f{"dev1", 1700000000123, "uuid-1", "abcd", "10.0.0.1", 3};
  auto c = nlohmann::json::parse(connected_payload(f));
  EXPECT_EQ(c["clientId"], "dev1");
  EXPECT_EQ(c["timestamp"], 1700000000123);
  EXPECT_EQ(c["eventType"], "connected");
  EXPECT_EQ(c["sessionIdentifier"], "uuid-1");
  EXPECT_EQ(c["principalIdentifier"], "abcd");
  EXPECT_EQ(c["ipAddress"], "10.0.0.1");
  EXPECT_EQ(c["versionNumber"], 3);
  auto d = nlohmann::json::parse(disconnected_payload(f, false, "MQTT_KEEP_ALIVE_TIMEOUT"));
  EXPECT_EQ(d["eventType"], "disconnected");
  EXPECT_FALSE(d.contains("ipAddress"));
  EXPECT_EQ(d["clientInitiatedDisconnect"], false);
  EXPECT_EQ(d["disconnectReason"], "MQTT_KEEP_ALIVE_TIMEOUT");
  auto s = nlohmann::json::parse(subscription_payload(true, f, {"a/b", "c/#"}));
  EXPECT_EQ(s["eventType"], "subscribed");
  EXPECT_EQ(s["topics"], nlohmann::json::array({"a/b", "c/#"}));
}

TEST(ServerEvents, Topics) {
  EXPECT_EQ(connected_topic("d"), "$aws/events/presence/connected/d");
  EXPECT_EQ(disconnected_topic("d"), "$aws/events/presence/disconnected/d");
  EXPECT_EQ(subscription_topic(false, "d"), "$aws/events/subscriptions/unsubscribed/d");
  EXPECT_EQ(jitr_topic("ca1"), "$aws/events/certificates/registered/ca1");
  EXPECT_TRUE(lifecycle_events_allowed("dev-1"));
  EXPECT_FALSE(lifecycle_events_allowed("a#"));
  EXPECT_FALSE(lifecycle_events_allowed("+"));
}

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
