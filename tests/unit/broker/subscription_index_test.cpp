// Subscription index: wildcards with AWS semantics, scopes, replacement, removal and pruning,
// shared groups round-robin, no-local; checked against mqtt::topic_matches on random data.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "broker/subscription_index.hpp"
#include "mqtt/topic.hpp"

using namespace trustlane::broker;
using trustlane::mqtt::QoS;

namespace {

const Scope kA{"111111111111", "us-east-1"};
const Scope kB{"222222222222", "us-east-1"};
const Scope kAEu{"111111111111", "eu-west-1"};

std::multiset<SessionId> receivers(SubscriptionIndex& idx, const Scope& s, std::string_view topic, SessionId from = 0) {
  std::vector<Match> out;
  idx.match(s, topic, from, out);
  std::multiset<SessionId> ids;
  for (const auto& m : out) ids.insert(m.subscriber.session);
  return ids;
}

TEST(SubscriptionIndex, ExactPlusHashWithAwsHashRule) {
  SubscriptionIndex idx;
  idx.add(kA, "sensor/temp", {1});
  idx.add(kA, "sensor/+", {2});
  idx.add(kA, "sensor/#", {3});
  idx.add(kA, "#", {4});
  idx.add(kA, "+/+/x", {5});
  EXPECT_EQ(receivers(idx, kA, "sensor/temp"), (std::multiset<SessionId>{1, 2, 3, 4}));
  EXPECT_EQ(receivers(idx, kA, "sensor"), (std::multiset<SessionId>{4}));  // not sensor/#
  EXPECT_EQ(receivers(idx, kA, "sensor/"), (std::multiset<SessionId>{2, 3, 4}));
  EXPECT_EQ(receivers(idx, kA, "sensor/a/x"), (std::multiset<SessionId>{3, 4, 5}));
  EXPECT_EQ(idx.size(), 5u);
}

TEST(SubscriptionIndex, DollarTopicsSkipLeadingWildcards) {
  SubscriptionIndex idx;
  idx.add(kA, "#", {1});
  idx.add(kA, "+/events/x", {2});
  idx.add(kA, "$aws/events/+", {3});
  idx.add(kA, "$aws/#", {4});
  EXPECT_EQ(receivers(idx, kA, "$aws/events/x"), (std::multiset<SessionId>{3, 4}));
}

TEST(SubscriptionIndex, ScopesNeverCross) {
  SubscriptionIndex idx;
  idx.add(kA, "t", {1});
  idx.add(kB, "t", {2});
  idx.add(kAEu, "#", {3});
  EXPECT_EQ(receivers(idx, kA, "t"), (std::multiset<SessionId>{1}));
  EXPECT_EQ(receivers(idx, kB, "t"), (std::multiset<SessionId>{2}));
  EXPECT_EQ(receivers(idx, kAEu, "t"), (std::multiset<SessionId>{3}));
  EXPECT_TRUE(receivers(idx, Scope{"333333333333", "us-east-1"}, "t").empty());
}

TEST(SubscriptionIndex, ResubscribeReplacesQos) {
  SubscriptionIndex idx;
  EXPECT_TRUE(idx.add(kA, "a", {1, QoS::at_most_once}));
  EXPECT_FALSE(idx.add(kA, "a", {1, QoS::at_least_once}));
  std::vector<Match> out;
  idx.match(kA, "a", 0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].subscriber.qos, QoS::at_least_once);
  EXPECT_EQ(idx.size(), 1u);
}

TEST(SubscriptionIndex, RemovePrunesNodes) {
  SubscriptionIndex idx;
  std::size_t base = idx.node_count();
  idx.add(kA, "a/b/c/d", {1});
  idx.add(kA, "a/+/#", {2});
  EXPECT_GT(idx.node_count(), base);
  EXPECT_FALSE(idx.remove(kA, "a/b/c/d", 9));  // not this session's
  EXPECT_FALSE(idx.remove(kA, "a/b", 1));      // no such filter
  EXPECT_TRUE(idx.remove(kA, "a/b/c/d", 1));
  EXPECT_TRUE(idx.remove(kA, "a/+/#", 2));
  EXPECT_EQ(idx.size(), 0u);
  EXPECT_TRUE(receivers(idx, kA, "a/b/c/d").empty());
  EXPECT_LE(idx.node_count(), base + 1);  // only the scope root remains
  // Freed nodes are reused and still work.
  idx.add(kA, "x/y", {3});
  EXPECT_EQ(receivers(idx, kA, "x/y"), (std::multiset<SessionId>{3}));
}

TEST(SubscriptionIndex, SharedGroupsRoundRobin) {
  SubscriptionIndex idx;
  idx.add(kA, "$share/g/jobs/+", {1});
  idx.add(kA, "$share/g/jobs/+", {2});
  idx.add(kA, "$share/g/jobs/+", {3});
  idx.add(kA, "$share/h/jobs/+", {4});
  idx.add(kA, "jobs/+", {5});
  std::map<SessionId, int> counts;
  for (int i = 0; i < 30; ++i)
    for (auto id : receivers(idx, kA, "jobs/x")) ++counts[id];
  EXPECT_EQ(counts[1], 10);
  EXPECT_EQ(counts[2], 10);
  EXPECT_EQ(counts[3], 10);
  EXPECT_EQ(counts[4], 30);  // sole member of group h
  EXPECT_EQ(counts[5], 30);  // plain subscriber gets every message
  EXPECT_TRUE(idx.remove(kA, "$share/g/jobs/+", 2));
  EXPECT_FALSE(idx.remove(kA, "$share/zz/jobs/+", 1));
  counts.clear();
  for (int i = 0; i < 10; ++i)
    for (auto id : receivers(idx, kA, "jobs/x")) ++counts[id];
  EXPECT_EQ(counts[1] + counts[3], 10);
  EXPECT_EQ(counts[2], 0);
}

TEST(SubscriptionIndex, NoLocalSkipsPublisher) {
  SubscriptionIndex idx;
  idx.add(kA, "chat", {1, QoS::at_most_once, true});
  idx.add(kA, "chat", {2});
  EXPECT_EQ(receivers(idx, kA, "chat", 1), (std::multiset<SessionId>{2}));
  EXPECT_EQ(receivers(idx, kA, "chat", 2), (std::multiset<SessionId>{1, 2}));
}

TEST(SubscriptionIndex, AgreesWithTopicMatchesOnRandomData) {
  std::mt19937 rng(7);
  const char* words[] = {"a", "b", "c", "", "$x"};
  auto random_topic = [&](bool filter) {
    std::string t;
    int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      if (i) t += '/';
      int r = static_cast<int>(rng() % 7);
      if (filter && r == 5) t += "+";
      else if (filter && r == 6 && i == n - 1) t += "#";
      else t += words[rng() % (i == 0 ? 5 : 4)];
    }
    return t;
  };
  SubscriptionIndex idx;
  std::vector<std::string> filters;
  for (SessionId id = 1; id <= 300; ++id) {
    std::string f = random_topic(true);
    if (trustlane::mqtt::validate_topic_filter(f)) continue;
    filters.push_back(f);
    idx.add(kA, f, {id});
  }
  for (int i = 0; i < 500; ++i) {
    std::string topic = random_topic(false);
    if (trustlane::mqtt::validate_topic_name(topic)) continue;
    std::vector<Match> out;
    idx.match(kA, topic, 0, out);
    std::size_t want = static_cast<std::size_t>(
        std::count_if(filters.begin(), filters.end(), [&](const std::string& f) { return trustlane::mqtt::topic_matches(f, topic); }));
    EXPECT_EQ(out.size(), want) << topic;
  }
}

}  // namespace
