// Hub's dirty list: each connection once per take_dirty(), in the order first marked, marks after
// a take count again, a destroyed connection leaves it; marking is O(1) (a publish fanned out to
// k receivers marks k connections, and many publishes may come before one drain).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "connection_harness.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::harness;

namespace {

std::vector<std::unique_ptr<Connection>> connections(World& w, std::size_t n) {
  std::vector<std::unique_ptr<Connection>> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(std::make_unique<Connection>(w.hub, ConnectionIdentity{kAccountA, {}}, w.authorize));
  return out;
}

TEST(HubDirty, OncePerTakeInFirstMarkedOrder) {
  World w;
  auto c = connections(w, 3);
  (void)w.hub.take_dirty();
  for (int round = 0; round < 3; ++round)
    for (int i : {2, 0, 2, 1, 0}) w.hub.mark_dirty(*c[i]);
  EXPECT_EQ(w.hub.take_dirty(), (std::vector<Connection*>{c[2].get(), c[0].get(), c[1].get()}));
  EXPECT_TRUE(w.hub.take_dirty().empty());
  w.hub.mark_dirty(*c[1]);  // marked again after the take: listed again
  EXPECT_EQ(w.hub.take_dirty(), (std::vector<Connection*>{c[1].get()}));
}

TEST(HubDirty, DestroyedConnectionLeavesTheList) {
  World w;
  auto c = connections(w, 3);
  (void)w.hub.take_dirty();
  for (auto& x : c) w.hub.mark_dirty(*x);
  Connection* first = c[0].get();
  Connection* last = c[2].get();
  c[1].reset();  // closes (marks itself) and is forgotten
  EXPECT_EQ(w.hub.take_dirty(), (std::vector<Connection*>{first, last}));
}

// 5,000 receivers marked 2,000 times each before a drain. Searching the list made each mark cost
// up to 5,000 comparisons (≈ 2.5·10^10 in all: tens of seconds); with a flag it is 10^7 steps.
// The budget is generous for sanitizer builds on a loaded machine.
TEST(HubDirty, MarkingIsConstantTime) {
  World w;
  auto c = connections(w, 5000);
  (void)w.hub.take_dirty();
  auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 2000; ++round)
    for (auto& x : c) w.hub.mark_dirty(*x);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(w.hub.take_dirty().size(), 5000u);
  EXPECT_LT(took, std::chrono::seconds(3));
}

}  // namespace
