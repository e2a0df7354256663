// Lifecycle event messages: topics, JSON fields per AWS, and no events for '+'/'#' client IDs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "broker/lifecycle_events.hpp"

using namespace trustlane::broker;

namespace {

PresenceFacts facts(std::string id) {
  return {std::move(id), 1700000000123, "sess-1", "ab12", "10.0.0.7", 3};
}

TEST(LifecycleEvents, Connected) {
  auto e = presence_event(facts("dev-1"), Lifecycle{true, "dev-1", {}, false});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->topic, "$aws/events/presence/connected/dev-1");
  auto j = nlohmann::json::parse(e->payload);
  EXPECT_EQ(j["clientId"], "dev-1");
  EXPECT_EQ(j["timestamp"], 1700000000123);
  EXPECT_EQ(j["eventType"], "connected");
  EXPECT_EQ(j["sessionIdentifier"], "sess-1");
  EXPECT_EQ(j["principalIdentifier"], "ab12");
  EXPECT_EQ(j["ipAddress"], "10.0.0.7");
  EXPECT_EQ(j["versionNumber"], 3);
  EXPECT_FALSE(j.contains("disconnectReason"));
}

TEST(LifecycleEvents, Disconnected) {
  auto e = presence_event(facts("dev-1"), Lifecycle{false, "dev-1", "MQTT_KEEP_ALIVE_TIMEOUT", false});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->topic, "$aws/events/presence/disconnected/dev-1");
  auto j = nlohmann::json::parse(e->payload);
  EXPECT_EQ(j["eventType"], "disconnected");
  EXPECT_EQ(j["disconnectReason"], "MQTT_KEEP_ALIVE_TIMEOUT");
  EXPECT_EQ(j["clientInitiatedDisconnect"], false);
  EXPECT_FALSE(j.contains("ipAddress"));
}

TEST(LifecycleEvents, Subscriptions) {
  auto e = subscription_event(facts("dev-1"), SubscriptionChange{true, {"a/b", "c/#"}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->topic, "$aws/events/subscriptions/subscribed/dev-1");
  auto j = nlohmann::json::parse(e->payload);
  EXPECT_EQ(j["eventType"], "subscribed");
  EXPECT_EQ(j["topics"], (nlohmann::json{"a/b", "c/#"}));
  auto u = subscription_event(facts("dev-1"), SubscriptionChange{false, {"a/b"}});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->topic, "$aws/events/subscriptions/unsubscribed/dev-1");
}

TEST(LifecycleEvents, WildcardClientIdsGetNone) {
  EXPECT_FALSE(presence_event(facts("a+b"), Lifecycle{true, "a+b", {}, false}));
  EXPECT_FALSE(presence_event(facts("#"), Lifecycle{false, "#", "CONNECTION_LOST", false}));
  EXPECT_FALSE(subscription_event(facts("x#"), SubscriptionChange{true, {"t"}}));
}

}  // namespace
