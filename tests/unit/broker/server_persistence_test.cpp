#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "broker/server_persistence.hpp"

namespace trustlane::broker {
namespace {

TEST(ServerPersistence, RetainedMessagesSurviveReopenAndEmptyDeletes) {
  namespace fs = std::filesystem;
  auto dir = fs::temp_directory_path() / ("broker-retained-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  Scope a{"111111111111", "us-east-1"}, b{"222222222222", "us-east-1"};
  {
    SqliteRetainedStore s(dir / "broker.db");
    RetainedMessage m{"cfg/led", Bytes{'o', 'n', 0, 0xFF}, mqtt::QoS::at_least_once, {}};
    m.properties.content_type = "text/plain";
    m.properties.user_properties = {{"k", "v"}};
    s.put(a, m);
    s.put(a, RetainedMessage{"cfg/gone", Bytes{'x'}, mqtt::QoS::at_most_once, {}});
    s.put(a, RetainedMessage{"cfg/gone", Bytes{}, mqtt::QoS::at_most_once, {}});
    s.put(b, RetainedMessage{"cfg/led", Bytes{'b'}, mqtt::QoS::at_most_once, {}});
  }
  SqliteRetainedStore again(dir / "broker.db");
  EXPECT_EQ(again.size(), 2u);
  std::vector<RetainedMessage> out;
  again.match(a, "cfg/#", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "cfg/led");
  EXPECT_EQ(out[0].payload, (Bytes{'o', 'n', 0, 0xFF}));
  EXPECT_EQ(out[0].qos, mqtt::QoS::at_least_once);
  EXPECT_EQ(out[0].properties.content_type, "text/plain");
  EXPECT_EQ(out[0].properties.user_properties, (mqtt::UserProperties{{"k", "v"}}));
  out.clear();
  again.match(b, "cfg/led", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, Bytes{'b'});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace trustlane::broker
