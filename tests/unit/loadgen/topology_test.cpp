#include "loadgen/topology.hpp"

#include <gtest/gtest.h>

#include <map>

namespace trustlane::loadgen {
namespace {

// Counts, for a plan, how many clients listen on each topic a publisher uses.
std::size_t listeners_of(const Plan& plan, const std::string& topic) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < plan.clients(); ++i)
    if (plan.role(i).subscribe == topic) ++n;
  return n;
}

TEST(Topology, ParsesNamesAndRefusesOthers) {
  EXPECT_EQ(parse_topology("fan-in"), Topology::fan_in);
  EXPECT_EQ(parse_topology("fan-out"), Topology::fan_out);
  EXPECT_EQ(parse_topology("p2p"), Topology::point_to_point);
  EXPECT_EQ(parse_topology("point-to-point"), Topology::point_to_point);
  EXPECT_FALSE(parse_topology("mesh").has_value());
  EXPECT_FALSE(parse_topology("").has_value());
  for (auto t : {Topology::fan_in, Topology::fan_out, Topology::point_to_point}) EXPECT_EQ(parse_topology(to_string(t)), t);
}

TEST(Topology, FanInIsNPublishersToOneSubscriber) {
  Plan plan(Topology::fan_in, 5, "b/1");
  EXPECT_EQ(plan.clients(), 6u);
  EXPECT_EQ(plan.publishers(), 5u);
  EXPECT_EQ(plan.copies_per_message(), 1u);
  EXPECT_EQ(plan.role(0).subscribe, "b/1/in");
  EXPECT_FALSE(plan.role(0).publish);
  for (std::size_t i = 1; i < 6; ++i) {
    EXPECT_EQ(plan.role(i).publish, "b/1/in");
    EXPECT_FALSE(plan.role(i).subscribe);
  }
}

TEST(Topology, FanOutIsOnePublisherToNSubscribers) {
  Plan plan(Topology::fan_out, 4, "b");
  EXPECT_EQ(plan.clients(), 5u);
  EXPECT_EQ(plan.publishers(), 1u);
  EXPECT_EQ(plan.copies_per_message(), 4u);
  ASSERT_TRUE(plan.role(0).publish);
  EXPECT_EQ(listeners_of(plan, *plan.role(0).publish), 4u);
}

TEST(Topology, PointToPointEveryClientHearsExactlyOneOther) {
  Plan plan(Topology::point_to_point, 7, "b");
  EXPECT_EQ(plan.clients(), 7u);
  EXPECT_EQ(plan.publishers(), 7u);
  std::map<std::string, int> published;
  for (std::size_t i = 0; i < 7; ++i) {
    auto r = plan.role(i);
    ASSERT_TRUE(r.publish && r.subscribe);
    EXPECT_NE(*r.publish, *r.subscribe) << i;  // never to itself (unless N = 1)
    EXPECT_EQ(listeners_of(plan, *r.publish), plan.copies_per_message());
    ++published[*r.publish];
  }
  for (const auto& [topic, n] : published) EXPECT_EQ(n, 1) << topic;  // a permutation
}

TEST(Topology, ZeroClientsMeansOne) {
  Plan plan(Topology::point_to_point, 0, "b");
  EXPECT_EQ(plan.clients(), 1u);
  EXPECT_EQ(plan.role(0).publish, plan.role(0).subscribe);
}

}  // namespace
}  // namespace trustlane::loadgen
