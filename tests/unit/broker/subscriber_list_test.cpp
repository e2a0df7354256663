// SubscriberList: add/replace/remove against a reference map through the switch between scanning
// and the position index (both directions), and subscribe/unsubscribe cost on one crowded filter.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>

#include "broker/subscriber_list.hpp"
#include "broker/subscription_index.hpp"

using namespace trustlane::broker;
using trustlane::mqtt::QoS;

namespace {

void expect_same(const SubscriberList& list, const std::map<SessionId, Subscriber>& want) {
  ASSERT_EQ(list.size(), want.size());
  std::map<SessionId, Subscriber> got;
  for (const auto& s : list) EXPECT_TRUE(got.emplace(s.session, s).second) << "duplicate " << s.session;
  EXPECT_EQ(got, want);
}

struct Step {
  enum { add, replace, remove } op;
  SessionId first, last;  // a range of sessions
};

struct ListCase {
  std::string name;
  std::vector<Step> steps;
  bool indexed_at_end;
};

class SubscriberListTable : public ::testing::TestWithParam<ListCase> {};

TEST_P(SubscriberListTable, AgreesWithAMap) {
  SubscriberList list;
  std::map<SessionId, Subscriber> want;
  for (const Step& step : GetParam().steps) {
    for (SessionId id = step.first; id <= step.last; ++id) {
      switch (step.op) {
        case Step::add: {
          Subscriber s{id, QoS::at_most_once};
          EXPECT_EQ(list.upsert(s), want.emplace(id, s).second) << id;
          break;
        }
        case Step::replace: {
          Subscriber s{id, QoS::at_least_once, true, true, static_cast<std::uint32_t>(id)};
          EXPECT_EQ(list.upsert(s), !want.count(id)) << id;
          want[id] = s;
          break;
        }
        case Step::remove:
          EXPECT_EQ(list.erase(id), want.erase(id) == 1) << id;
          break;
      }
    }
    expect_same(list, want);
  }
  EXPECT_EQ(list.indexed(), GetParam().indexed_at_end);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SubscriberListTable,
    ::testing::Values(
        ListCase{"small_stays_scanned", {{Step::add, 1, 10}, {Step::replace, 3, 5}, {Step::remove, 2, 4}}, false},
        ListCase{"grows_into_index", {{Step::add, 1, 40}, {Step::replace, 10, 20}}, true},
        ListCase{"index_survives_replace_and_missing", {{Step::add, 1, 20}, {Step::replace, 15, 25}, {Step::remove, 100, 110}}, true},
        ListCase{"removes_from_the_middle", {{Step::add, 1, 50}, {Step::remove, 10, 30}, {Step::add, 60, 70}}, true},
        ListCase{"shrinks_back_to_scanning", {{Step::add, 1, 30}, {Step::remove, 1, 28}, {Step::replace, 29, 30}}, false},
        ListCase{"regrows", {{Step::add, 1, 30}, {Step::remove, 1, 30}, {Step::add, 5, 40}}, true},
        ListCase{"remove_everything_twice", {{Step::add, 1, 100}, {Step::remove, 1, 100}, {Step::remove, 1, 100}}, false}),
    [](const auto& test_info) { return test_info.param.name; });

// 100,000 devices on one filter subscribe, re-subscribe and unsubscribe in random order. A
// linear scan per call made this ≈ 1.5·10^10 comparisons (tens of seconds); indexed it is
// 3·10^5 hash operations. The budget is generous for sanitizer builds on a loaded machine.
TEST(SubscriberList, CrowdedFilterIsNotQuadratic) {
  const Scope scope{"111111111111", "us-east-1"};
  SubscriptionIndex idx;
  constexpr SessionId kDevices = 100'000;
  std::vector<SessionId> order(kDevices);
  for (SessionId i = 0; i < kDevices; ++i) order[i] = i + 1;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(11));
  auto start = std::chrono::steady_clock::now();
  for (SessionId id : order) ASSERT_TRUE(idx.add(scope, "fleet/+/cmd", {id}));
  for (SessionId id : order) ASSERT_FALSE(idx.add(scope, "fleet/+/cmd", {id, QoS::at_least_once}));
  std::shuffle(order.begin(), order.end(), std::mt19937_64(12));
  std::vector<Match> out;
  idx.match(scope, "fleet/a/cmd", 0, out);
  EXPECT_EQ(out.size(), kDevices);
  for (SessionId id : order) ASSERT_TRUE(idx.remove(scope, "fleet/+/cmd", id));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(idx.size(), 0u);
  EXPECT_LT(took, std::chrono::seconds(5));
}

}  // namespace
