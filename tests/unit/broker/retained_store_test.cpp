// Retained store: one per topic, replace, empty payload deletes, filter matching, scopes.
#include <gtest/gtest.h>

#include <algorithm>

#include "broker/retained_store.hpp"

using namespace trustlane::broker;

namespace {

const Scope kA{"111111111111", "us-east-1"};
const Scope kB{"222222222222", "us-east-1"};

RetainedMessage msg(std::string topic, std::string payload) {
  return {std::move(topic), trustlane::Bytes(payload.begin(), payload.end()), trustlane::mqtt::QoS::at_least_once, {}};
}

std::vector<std::string> topics(const RetainedStore& store, const Scope& s, std::string_view filter) {
  std::vector<RetainedMessage> out;
  store.match(s, filter, out);
  std::vector<std::string> t;
  for (auto& m : out) t.push_back(m.topic);
  std::sort(t.begin(), t.end());
  return t;
}

TEST(RetainedStore, OnePerTopicAndEmptyPayloadDeletes) {
  InMemoryRetainedStore store;
  store.put(kA, msg("a/b", "1"));
  store.put(kA, msg("a/b", "2"));
  EXPECT_EQ(store.size(), 1u);
  std::vector<RetainedMessage> out;
  store.match(kA, "a/b", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, trustlane::Bytes{'2'});
  store.put(kA, msg("a/b", ""));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_TRUE(topics(store, kA, "a/b").empty());
  store.put(kA, msg("never", ""));  // deleting nothing is fine
  EXPECT_EQ(store.size(), 0u);
}

TEST(RetainedStore, FilterMatchingWithAwsRules) {
  InMemoryRetainedStore store;
  for (auto t : {"sensor", "sensor/", "sensor/a", "sensor/a/b", "sensors/x", "other", "$aws/x"}) store.put(kA, msg(t, "p"));
  EXPECT_EQ(topics(store, kA, "sensor/#"), (std::vector<std::string>{"sensor/", "sensor/a", "sensor/a/b"}));
  EXPECT_EQ(topics(store, kA, "sensor/+"), (std::vector<std::string>{"sensor/", "sensor/a"}));
  EXPECT_EQ(topics(store, kA, "+"), (std::vector<std::string>{"other", "sensor"}));
  EXPECT_EQ(topics(store, kA, "#").size(), 6u);  // all but the $ topic
  EXPECT_EQ(topics(store, kA, "sensor"), (std::vector<std::string>{"sensor"}));
}

TEST(RetainedStore, ScopesAreSeparate) {
  InMemoryRetainedStore store;
  store.put(kA, msg("t", "a"));
  EXPECT_TRUE(topics(store, kB, "#").empty());
  EXPECT_EQ(topics(store, kA, "#"), (std::vector<std::string>{"t"}));
}

}  // namespace
