// The Will obeys PUBLISH's topic rules, checked at CONNECT (topic validity, 256 bytes, 7 slashes,
// `$` topics, no retained `$`), and its policy when it is published. Table-driven, both versions.
#include <gtest/gtest.h>

#include "connection_harness.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::harness;

namespace {

struct WillCase {
  std::string name;
  std::string topic;
  bool retain;
  bool accepted;
};

std::ostream& operator<<(std::ostream& os, const WillCase& c) { return os << c.name; }

class WillTopic : public ::testing::TestWithParam<std::tuple<WillCase, Version>> {};

TEST_P(WillTopic, CheckedAtConnectLikePublish) {
  const auto& [c, version] = GetParam();
  World w;
  Client client(w, version);
  mqtt::Connect connect;
  connect.version = version;
  connect.client_id = "dev-1";
  connect.keep_alive = 60;
  connect.will = mqtt::Will{c.topic, {'x'}, QoS::at_most_once, c.retain, {}};
  client.send(connect);
  auto acks = client.take<mqtt::Connack>();
  if (c.accepted) {
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].reason_code, 0);
    EXPECT_EQ(client.closed(), nullptr);
    return;
  }
  ASSERT_NE(client.closed(), nullptr);
  EXPECT_FALSE(client.connection().connected());
  if (version == Version::v5) {
    ASSERT_EQ(acks.size(), 1u);  // MQTT 5: "Topic Name invalid: the Will Topic is not accepted"
    EXPECT_EQ(acks[0].reason_code, static_cast<std::uint8_t>(ReasonCode::topic_name_invalid));
  } else {
    EXPECT_TRUE(acks.empty());  // 3.1.1 has no code for it: closed without CONNACK, never 0x03
  }
  EXPECT_EQ(w.hub.session_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Table, WillTopic,
    ::testing::Combine(
        ::testing::Values(
            WillCase{"plain", "lwt/dev-1", false, true},
            WillCase{"plain_retained", "r/lwt", true, true},
            WillCase{"shadow", "$aws/things/dev-1/shadow/update", false, true},
            WillCase{"basic_ingest", "$aws/rules/r1/x", false, true},
            WillCase{"broker_event_topic", "$aws/events/presence/connected/dev-2", false, false},
            WillCase{"other_dollar", "$SYS/broker/x", false, false},
            WillCase{"dollar_share", "$share/g/x", false, false},
            WillCase{"retained_shadow", "$aws/things/dev-1/shadow/update", true, false},
            WillCase{"retained_ingest", "$aws/rules/r1/x", true, false},
            WillCase{"wildcard_plus", "lwt/+", false, false},
            WillCase{"wildcard_hash", "lwt/#", false, false},
            WillCase{"too_long", std::string(257, 'a'), false, false},
            WillCase{"longest", std::string(256, 'a'), false, true},
            WillCase{"eight_slashes", "a/b/c/d/e/f/g/h/i", false, false},
            WillCase{"seven_slashes", "a/b/c/d/e/f/g/h", false, true}),
        ::testing::Values(Version::v3_1_1, Version::v5)),
    [](const auto& test_info) {
      return std::get<0>(test_info.param).name + (std::get<1>(test_info.param) == Version::v5 ? "_v5" : "_v311");
    });

// What the Will reaches when the connection is lost: the policy is evaluated then, and Basic
// Ingest never reaches subscribers.
struct Delivery {
  std::string name;
  std::string topic;
  bool retain;
  bool delivered;
};

class WillDelivery : public ::testing::TestWithParam<std::tuple<Delivery, Version>> {};

TEST_P(WillDelivery, PublishedOnLossSubjectToPolicy) {
  const auto& [d, version] = GetParam();
  World w;
  Client watcher(w, Version::v5);
  watcher.connect("dev-w");
  watcher.subscribe({{d.topic, QoS::at_most_once}});
  {
    Client c(w, version);
    c.connect("dev-1", true, 60, mqtt::Will{d.topic, {'x'}, QoS::at_most_once, d.retain, {}});
    c.drop();
  }
  auto got = watcher.take<mqtt::Publish>();
  EXPECT_EQ(got.size(), d.delivered ? 1u : 0u);
  std::vector<RetainedMessage> retained;
  w.hub.retained_for(kAccountA, d.topic, retained);
  EXPECT_EQ(retained.size(), d.delivered && d.retain ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Table, WillDelivery,
    ::testing::Combine(::testing::Values(Delivery{"allowed", "lwt/1", false, true},
                                         Delivery{"retained_allowed", "r/lwt", true, true},
                                         Delivery{"retain_denied", "lwt/2", true, false},  // no iot:RetainPublish
                                         Delivery{"publish_denied", "forbidden", false, false},
                                         Delivery{"shadow", "$aws/things/dev-1/shadow/update", false, true},
                                         Delivery{"basic_ingest", "$aws/rules/r1/x", false, false}),
                       ::testing::Values(Version::v3_1_1, Version::v5)),
    [](const auto& test_info) {
      return std::get<0>(test_info.param).name + (std::get<1>(test_info.param) == Version::v5 ? "_v5" : "_v311");
    });

}  // namespace
