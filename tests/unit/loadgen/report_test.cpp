#include "loadgen/report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace trustlane::loadgen {
namespace {

Report sample() {
  Report r;
  r.mode = "pubsub";
  r.target = "127.0.0.1:8883";
  r.connections_attempted = 10;
  r.connections_ok = 9;
  r.connect_seconds = 0.5;
  r.sent = 100;
  r.acknowledged = 100;
  r.expected = 100;
  r.received = 97;
  r.publish_seconds = 2;
  for (std::uint64_t v = 1; v <= 100; ++v) r.latency_us.record(v * 10);
  r.errors["tls-handshake"] = 1;
  r.broker_before = ProcSample{1.0, 1000};
  r.broker_after = ProcSample{1.9, 5000};
  return r;
}

TEST(Report, DerivedFigures) {
  auto r = sample();
  EXPECT_EQ(r.lost(), 3u);
  EXPECT_DOUBLE_EQ(r.connections_per_second(), 18.0);
  EXPECT_DOUBLE_EQ(r.messages_per_second(), 48.5);
  ASSERT_TRUE(r.broker_cpu_seconds().has_value());
  EXPECT_NEAR(*r.broker_cpu_seconds(), 0.9, 1e-9);
  EXPECT_EQ(r.error_count(), 1u);
  r.delivery_seconds = 4;  // the last message arrived 2 s after the publishers stopped
  EXPECT_DOUBLE_EQ(r.messages_per_second(), 24.25);
  EXPECT_DOUBLE_EQ(r.delivery_window_seconds(), 4.0);
  r.received = 120;  // more than expected (never negative loss)
  EXPECT_EQ(r.lost(), 0u);
}

TEST(Report, JsonCarriesEveryCount) {
  auto j = nlohmann::json::parse(to_json(sample()));
  EXPECT_EQ(j["mode"], "pubsub");
  EXPECT_EQ(j["connections"]["ok"], 9);
  EXPECT_EQ(j["messages"]["sent"], 100);
  EXPECT_EQ(j["messages"]["received"], 97);
  EXPECT_EQ(j["messages"]["lost"], 3);
  EXPECT_EQ(j["latency_us"]["count"], 100);
  EXPECT_EQ(j["latency_us"]["p50"], 503);  // upper bound of 500's bucket (4 wide at 1/64 precision)
  EXPECT_EQ(j["latency_us"]["max"], 1000);
  EXPECT_EQ(j["errors"]["tls-handshake"], 1);
  EXPECT_NEAR(j["broker"]["cpu_seconds"].get<double>(), 0.9, 1e-9);
  EXPECT_NEAR(j["broker"]["cpu_us_per_connection"].get<double>(), 100000.0, 1e-3);
  EXPECT_NEAR(j["broker"]["cpu_us_per_message"].get<double>(), 0.9e6 / 97, 1e-6);  // per delivered message
}

TEST(Report, NoBrokerSectionWithoutSamples) {
  auto r = sample();
  r.broker_after.reset();
  EXPECT_FALSE(nlohmann::json::parse(to_json(r)).contains("broker"));
}

TEST(Report, IdleMemoryPerConnection) {
  auto r = sample();
  r.broker_rss_baseline = 1000000;
  r.broker_rss_loaded = 1000000 + 9 * 20480;
  auto j = nlohmann::json::parse(to_json(r));
  EXPECT_DOUBLE_EQ(j["broker"]["rss_bytes_per_connection"].get<double>(), 20480.0);
  EXPECT_NE(to_table(r).find("20.0 KiB/connection"), std::string::npos);
}

TEST(Report, TableNamesLossAndErrors) {
  auto t = to_table(sample());
  EXPECT_NE(t.find("lost 3"), std::string::npos) << t;
  EXPECT_NE(t.find("1 × tls-handshake"), std::string::npos) << t;
  EXPECT_NE(t.find("p50 503"), std::string::npos) << t;
}

}  // namespace
}  // namespace trustlane::loadgen
