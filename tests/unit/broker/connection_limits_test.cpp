// AWS size and count limits at the connection: payload ≤ 128 KB exactly (131,072 bytes pass, one
// more is refused as AWS does: CLIENT_ERROR), CONNECT ≤ 128 KB, the Maximum Packet Size announced
// to v5 clients, and ≤ 8 filters per UNSUBSCRIBE like SUBSCRIBE. Table-driven, both versions.
#include <gtest/gtest.h>

#include "connection_harness.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::harness;

namespace {

std::string name_of(Version v) { return v == Version::v5 ? "v5" : "v311"; }

struct PayloadCase {
  std::string name;
  std::size_t payload;
  std::size_t topic_bytes;
  bool with_properties;  // v5 only: user properties, correlation data, content type…
  bool accepted;
};

class PublishPayload : public ::testing::TestWithParam<std::tuple<PayloadCase, Version>> {};

TEST_P(PublishPayload, LimitIsExact) {
  const auto& [k, version] = GetParam();
  World w;
  Client sub(w, Version::v5), pub(w, version);
  sub.connect("dev-sub");
  pub.connect("dev-pub");
  std::string topic = std::string(k.topic_bytes - 2, 't') + "/x";
  sub.subscribe({{topic, QoS::at_least_once}});
  mqtt::Publish p;
  p.topic = topic;
  p.payload.assign(k.payload, 'p');
  p.qos = QoS::at_least_once;
  p.packet_id = 1;
  if (k.with_properties && version == Version::v5) {
    p.properties.user_properties = {{std::string(2000, 'k'), std::string(2000, 'v')}};
    p.properties.correlation_data = Bytes(1000, 0x42);
    p.properties.content_type = std::string(500, 'c');
    p.properties.response_topic = std::string(250, 'r');
    p.properties.message_expiry_interval = 60;
  }
  pub.send(p);
  auto got = sub.take<mqtt::Publish>();
  if (k.accepted) {
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].payload.size(), k.payload);
    EXPECT_EQ(pub.take<mqtt::Puback>().size(), 1u);
    EXPECT_EQ(pub.closed(), nullptr);
    return;
  }
  EXPECT_TRUE(got.empty());
  ASSERT_NE(pub.closed(), nullptr);
  EXPECT_EQ(pub.closed()->disconnect_reason, "CLIENT_ERROR");
  auto d = pub.take<mqtt::Disconnect>();
  if (version == Version::v5) {
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, static_cast<std::uint8_t>(ReasonCode::packet_too_large));
  } else {
    EXPECT_TRUE(d.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, PublishPayload,
    ::testing::Combine(::testing::Values(PayloadCase{"small", 10, 10, false, true},
                                         PayloadCase{"exactly_128k", 128 * 1024, 10, false, true},
                                         PayloadCase{"exactly_128k_longest_topic", 128 * 1024, 256, true, true},
                                         PayloadCase{"one_byte_over", 128 * 1024 + 1, 10, false, false},
                                         PayloadCase{"one_byte_over_longest_topic", 128 * 1024 + 1, 256, true, false},
                                         PayloadCase{"one_kib_over", 129 * 1024, 10, false, false}),
                       ::testing::Values(Version::v3_1_1, Version::v5)),
    [](const auto& test_info) { return std::get<0>(test_info.param).name + "_" + name_of(std::get<1>(test_info.param)); });

// A CONNECT of exactly `size` bytes. Each field is at most 65,535 bytes long, so the Will payload,
// the user name and the password together pad it past 128 KB.
Bytes connect_of_size(Version version, std::size_t size) {
  mqtt::Connect c;
  c.version = version;
  c.client_id = "dev-1";
  c.keep_alive = 60;
  c.will = mqtt::Will{"lwt/dev-1", Bytes(60'000, 'w'), QoS::at_most_once, false, {}};
  c.username = std::string(60'000, 'u');
  c.password = Bytes(1000, 'p');
  Bytes out = mqtt::encode(c, version);
  // Twice: the Remaining Length field itself may grow by a byte.
  for (int pass = 0; pass < 2; ++pass) {
    c.password->resize(c.password->size() + size - out.size());
    out = mqtt::encode(c, version);
  }
  EXPECT_EQ(out.size(), size);
  return out;
}

struct ConnectCase {
  std::string name;
  std::size_t size;
  bool accepted;
};

class ConnectSize : public ::testing::TestWithParam<std::tuple<ConnectCase, Version>> {};

TEST_P(ConnectSize, LimitIsExact) {
  const auto& [k, version] = GetParam();
  World w;
  Client c(w, version);
  c.raw(connect_of_size(version, k.size));
  auto acks = c.take<mqtt::Connack>();
  if (k.accepted) {
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].reason_code, 0);
    EXPECT_TRUE(c.connection().connected());
    return;
  }
  ASSERT_NE(c.closed(), nullptr);
  EXPECT_FALSE(c.connection().connected());
  if (version == Version::v5) {
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].reason_code, static_cast<std::uint8_t>(ReasonCode::packet_too_large));
  } else {
    EXPECT_TRUE(acks.empty());  // no 3.1.1 code fits: closed without CONNACK
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ConnectSize,
                         ::testing::Combine(::testing::Values(ConnectCase{"exactly_128k", 128 * 1024, true},
                                                              ConnectCase{"one_byte_over", 128 * 1024 + 1, false},
                                                              ConnectCase{"one_kib_over", 129 * 1024, false}),
                                            ::testing::Values(Version::v3_1_1, Version::v5)),
                         [](const auto& test_info) {
                           return std::get<0>(test_info.param).name + "_" + name_of(std::get<1>(test_info.param));
                         });

TEST(ConnectionLimits, V5LearnsTheMaximumPacketSize) {
  World w;
  Client c(w, Version::v5);
  auto ack = c.connect("dev-1");
  EXPECT_EQ(ack.properties.maximum_packet_size, 128u * 1024 + kPublishHeaderRoom);
}

class UnsubscribeCount : public ::testing::TestWithParam<Version> {};

TEST_P(UnsubscribeCount, AtMostEightFiltersLikeSubscribe) {
  Version version = GetParam();
  World w;
  Client c(w, version), pub(w, Version::v5);
  c.connect("dev-1");
  pub.connect("dev-pub");
  std::vector<std::string> filters;
  for (int i = 0; i < 9; ++i) filters.push_back("f/" + std::to_string(i));
  for (const auto& f : filters) c.subscribe({{f, QoS::at_most_once}});
  c.send(mqtt::Unsubscribe{7, {}, filters});
  auto acks = c.take<mqtt::Unsuback>();
  ASSERT_EQ(acks.size(), 1u);
  if (version == Version::v5) {
    std::vector<std::uint8_t> want(8, 0x00);
    want.push_back(static_cast<std::uint8_t>(ReasonCode::implementation_specific_error));
    EXPECT_EQ(acks[0].reason_codes, want);
  }
  for (const auto& f : filters) pub.publish(f, "m");
  auto got = c.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 1u);  // only the ninth is still subscribed
  EXPECT_EQ(got[0].topic, "f/8");
}

INSTANTIATE_TEST_SUITE_P(Table, UnsubscribeCount, ::testing::Values(Version::v3_1_1, Version::v5),
                         [](const auto& test_info) { return name_of(test_info.param); });

}  // namespace
