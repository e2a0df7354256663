// Stats: per-second rates computed from samples at explicit times, refusals by reason, the
// once-per-second log gate and the JSON shape served on /trustlane/stats.
#include "broker/server_stats.hpp"

#include <gtest/gtest.h>

using namespace trustlane::broker;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const Clock::time_point t0 = Clock::time_point{} + 100s;

TEST(RateMeter, RateIsTheDeltaOverTheElapsedTime) {
  RateMeter m;
  EXPECT_EQ(m.per_second(), 0);
  m.sample(1000, t0);
  EXPECT_EQ(m.per_second(), 0);  // one sample: no rate yet
  m.sample(1500, t0 + 1s);
  EXPECT_DOUBLE_EQ(m.per_second(), 500);
  m.sample(1600, t0 + 3s);
  EXPECT_DOUBLE_EQ(m.per_second(), 50);
  m.sample(1600, t0 + 4s);
  EXPECT_DOUBLE_EQ(m.per_second(), 0);
  m.sample(1700, t0 + 4s);  // no time passed: ignored, no division by zero
  EXPECT_DOUBLE_EQ(m.per_second(), 0);
  m.sample(1800, t0 + 4500ms);
  EXPECT_DOUBLE_EQ(m.per_second(), 400);  // (1800 - 1600) / 0.5 s
}

TEST(Stats, JsonCarriesTotalsRatesAndRefusalsByReason) {
  Stats s;
  s.sample(t0);
  s.messages_in += 300;
  s.messages_out += 600;
  s.bytes_in += 3000;
  s.connects_accepted += 4;
  s.connections += 2;
  s.refused("publish_rate");
  s.refused("publish_rate");
  s.refused("account_connections");
  s.sample(t0 + 2s);
  auto j = s.to_json();
  EXPECT_EQ(j["connections"], 2);
  EXPECT_EQ(j["connectionsTotal"], 4);
  EXPECT_EQ(j["messagesIn"], 300);
  EXPECT_EQ(j["messagesOut"], 600);
  EXPECT_DOUBLE_EQ(j["rates"]["messagesInPerSecond"].get<double>(), 150);
  EXPECT_DOUBLE_EQ(j["rates"]["messagesOutPerSecond"].get<double>(), 300);
  EXPECT_DOUBLE_EQ(j["rates"]["bytesInPerSecond"].get<double>(), 1500);
  EXPECT_DOUBLE_EQ(j["rates"]["connectsPerSecond"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(j["rates"]["refusalsPerSecond"].get<double>(), 1.5);
  EXPECT_EQ(j["refusals"]["publish_rate"], 2);
  EXPECT_EQ(j["refusals"]["account_connections"], 1);
  EXPECT_EQ(nlohmann::json::parse(s.json()), j);
  auto line = s.line();
  EXPECT_NE(line.find("msgs_in=300 (150/s)"), std::string::npos) << line;
  EXPECT_NE(line.find("publish_rate=2"), std::string::npos) << line;
}

TEST(Stats, LogIsDueOncePerSecondPerReasonAndCountsWhatWasHeldBack) {
  Stats s;
  std::uint64_t suppressed = 99;
  EXPECT_TRUE(s.log_due("publish_rate", t0, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(s.log_due("publish_rate", t0 + 100ms * i));
  EXPECT_TRUE(s.log_due("account_connections", t0 + 500ms));  // another reason has its own second
  EXPECT_TRUE(s.log_due("publish_rate", t0 + 1s, &suppressed));
  EXPECT_EQ(suppressed, 5u);
  EXPECT_FALSE(s.log_due("publish_rate", t0 + 1999ms));
}

}  // namespace
