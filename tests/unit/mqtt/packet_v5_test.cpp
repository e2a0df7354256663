// MQTT 5.0: every packet type as annotated bytes, with properties; decode → compare → re-encode.
#include <gtest/gtest.h>

#include <sstream>

#include "test_bytes.hpp"

using namespace trustlane::mqtt;
using mqtt_test::B;
using mqtt_test::expect_round_trip;

namespace {
constexpr auto V5 = Version::v5;

TEST(PacketV5, ConnectWithPropertiesAndWill) {
  Connect c;
  c.version = V5;
  c.client_id = "d";
  c.clean_start = true;
  c.keep_alive = 30;
  c.properties.session_expiry_interval = 3600;
  c.properties.receive_maximum = 100;
  c.properties.user_properties = {{"k", "v"}};
  Will w;
  w.topic = "lwt";
  w.payload = {'x'};
  w.properties.will_delay_interval = 5;
  c.will = w;
  c.username = "me";
  expect_round_trip(B({{0x10, 47},
                       {0x00, 0x04}, "MQTT", {0x05},         // level 5
                       {0x86},                               // username | will | clean start
                       {0x00, 0x1E},                         // keep alive 30
                       {15},                                 // property length
                       {0x11, 0x00, 0x00, 0x0E, 0x10},       //   session expiry 3600
                       {0x21, 0x00, 0x64},                   //   receive maximum 100
                       {0x26, 0x00, 0x01}, "k", {0x00, 0x01}, "v",  // user property
                       {0x00, 0x01}, "d",                    // client id
                       {5}, {0x18, 0x00, 0x00, 0x00, 0x05},  // will properties: delay 5
                       {0x00, 0x03}, "lwt",
                       {0x00, 0x01}, "x",
                       {0x00, 0x02}, "me"}),
                    c, V5);
}

TEST(PacketV5, ConnackWithServerLimits) {
  Connack c;
  c.session_present = false;
  c.reason_code = 0;
  c.properties.assigned_client_identifier = "gen";
  c.properties.topic_alias_maximum = 8;
  c.properties.maximum_qos = 1;
  c.properties.retain_available = 1;
  c.properties.maximum_packet_size = 131072;
  c.properties.shared_subscription_available = 1;
  expect_round_trip(B({{0x20, 23},
                       {0x00, 0x00},                         // flags, reason SUCCESS
                       {20},                                 // property length
                       {0x12, 0x00, 0x03}, "gen",            // assigned client id
                       {0x22, 0x00, 0x08},                   // topic alias maximum 8
                       {0x24, 0x01},                         // maximum QoS 1
                       {0x25, 0x01},                         // retain available
                       {0x27, 0x00, 0x02, 0x00, 0x00},       // maximum packet size 131072
                       {0x2A, 0x01}}),                       // shared subscriptions available
                    c, V5);
  expect_round_trip(B({{0x20, 0x03, 0x00, 0x87, 0x00}}), Connack{false, 0x87, {}}, V5);  // NOT_AUTHORIZED
}

TEST(PacketV5, PublishWithAllPublishProperties) {
  Publish p;
  p.qos = QoS::at_least_once;
  p.topic = "a";
  p.packet_id = 1;
  p.properties.payload_format_indicator = 1;
  p.properties.message_expiry_interval = 10;
  p.properties.content_type = "j";
  p.properties.response_topic = "r";
  p.properties.correlation_data = trustlane::Bytes{0xAB};
  p.properties.subscription_identifiers = {1, 200};
  p.properties.topic_alias = 3;
  p.payload = {'{', '}'};
  expect_round_trip(B({{0x32, 35},
                       {0x00, 0x01}, "a", {0x00, 0x01},
                       {27},
                       {0x01, 0x01},                         // payload format: UTF-8
                       {0x02, 0x00, 0x00, 0x00, 0x0A},       // message expiry 10
                       {0x03, 0x00, 0x01}, "j",              // content type
                       {0x08, 0x00, 0x01}, "r",              // response topic
                       {0x09, 0x00, 0x01, 0xAB},             // correlation data
                       {0x0B, 0x01},                         // subscription id 1
                       {0x0B, 0xC8, 0x01},                   // subscription id 200 (varint)
                       {0x23, 0x00, 0x03},                   // topic alias 3
                       "{}"}),
                    p, V5);
}

// The broker's path: a PUBLISH from views of a message's parts, the same bytes as encode().
TEST(PacketV5, PublishFromPartsMatchesEncodeOfThePacket) {
  Publish p;
  p.qos = QoS::at_least_once;
  p.topic = "t/1";
  p.packet_id = 0x1234;
  p.dup = true;
  p.retain = true;
  p.properties.message_expiry_interval = 10;
  p.payload.assign(200, 0x5A);  // a two-byte Remaining Length
  const PublishParts parts{p.topic, p.payload, p.qos, p.retain, p.dup, p.packet_id, &p.properties};
  EXPECT_EQ(encode_publish(parts, V5), encode(p, V5));
  EXPECT_EQ(encode_publish(parts, Version::v3_1_1), encode(p, Version::v3_1_1));  // no properties in 3.1.1
  // No properties given: v5 still carries an empty property section.
  PublishParts bare{"t", {}, QoS::at_most_once};
  EXPECT_EQ(encode_publish(bare, V5), B({{0x30, 0x04, 0x00, 0x01}, "t", {0x00}}));
}

TEST(PacketV5, PublishWithAliasOnlyHasEmptyTopic) {
  Publish p;
  p.properties.topic_alias = 2;
  p.payload = {'z'};
  expect_round_trip(B({{0x30, 7}, {0x00, 0x00}, {3, 0x23, 0x00, 0x02}, "z"}), p, V5);
}

TEST(PacketV5, AcksShortAndLongForms) {
  expect_round_trip(B({{0x40, 0x02, 0x00, 0x01}}), Puback{{1, 0, {}}}, V5);          // success, omitted
  expect_round_trip(B({{0x40, 0x03, 0x00, 0x01, 0x10}}), Puback{{1, 0x10, {}}}, V5);  // no matching subscribers
  Properties why;
  why.reason_string = "no";
  expect_round_trip(B({{0x40, 9, 0x00, 0x02, 0x87, 5, 0x1F, 0x00, 0x02}, "no"}), Puback{{2, 0x87, why}}, V5);
  expect_round_trip(B({{0x50, 0x03, 0x00, 0x03, 0x80}}), Pubrec{{3, 0x80, {}}}, V5);
  expect_round_trip(B({{0x62, 0x03, 0x00, 0x04, 0x92}}), Pubrel{{4, 0x92, {}}}, V5);
  expect_round_trip(B({{0x70, 0x02, 0x00, 0x05}}), Pubcomp{{5, 0, {}}}, V5);
}

TEST(PacketV5, AckWithReasonAndZeroLengthPropertiesDecodes) {
  // Senders may write an explicit empty property block; we decode it and re-encode shorter.
  auto d = decode(B({{0x40, 0x04, 0x00, 0x01, 0x00, 0x00}}), V5);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::get<Puback>(d.value()), (Puback{{1, 0, {}}}));
}

TEST(PacketV5, SubscribeWithOptionsAndIdentifier) {
  Subscribe s;
  s.packet_id = 10;
  s.properties.subscription_identifiers = {7};
  s.subscriptions = {{"a/#", QoS::at_least_once, true, true, 2}, {"$share/g/b", QoS::at_most_once}};
  expect_round_trip(B({{0x82, 24},
                       {0x00, 0x0A},
                       {2, 0x0B, 0x07},                      // subscription identifier 7
                       {0x00, 0x03}, "a/#", {0x2D},          // retain handling 2 | RAP | no local | QoS 1
                       {0x00, 0x0A}, "$share/g/b", {0x00}}),
                    s, V5);
}

TEST(PacketV5, SubackUnsubscribeUnsuback) {
  expect_round_trip(B({{0x90, 0x05, 0x00, 0x0A, 0x00, 0x01, 0x87}}), Suback{10, {}, {0x01, 0x87}}, V5);
  Unsubscribe u;
  u.packet_id = 11;
  u.filters = {"a", "b/c"};
  expect_round_trip(B({{0xA2, 11}, {0x00, 0x0B}, {0x00}, {0x00, 0x01}, "a", {0x00, 0x03}, "b/c"}), u, V5);
  expect_round_trip(B({{0xB0, 0x05, 0x00, 0x0B, 0x00, 0x00, 0x11}}), Unsuback{11, {}, {0x00, 0x11}}, V5);
}

TEST(PacketV5, PingDisconnectAuth) {
  expect_round_trip(B({{0xC0, 0x00}}), Pingreq{}, V5);
  expect_round_trip(B({{0xD0, 0x00}}), Pingresp{}, V5);
  expect_round_trip(B({{0xE0, 0x00}}), Disconnect{}, V5);
  expect_round_trip(B({{0xE0, 0x01, 0x8E}}), Disconnect{0x8E, {}}, V5);  // SESSION_TAKEN_OVER
  Properties p;
  p.session_expiry_interval = 0;
  expect_round_trip(B({{0xE0, 0x07, 0x04, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00}}), Disconnect{0x04, p}, V5);
  expect_round_trip(B({{0xF0, 0x00}}), Auth{}, V5);
  Properties a;
  a.authentication_method = "m";
  a.authentication_data = trustlane::Bytes{0x01};
  expect_round_trip(B({{0xF0, 10, 0x18, 8, 0x15, 0x00, 0x01}, "m", {0x16, 0x00, 0x01, 0x01}}), Auth{0x18, a}, V5);
}

TEST(PacketV5, PropertyIdentifiersAnyOrderAcceptedCanonicalOnEncode) {
  // Receive maximum before session expiry: decodes; encodes in id order.
  auto d = decode(B({{0x20, 11, 0x00, 0x00, 8, 0x21, 0x00, 0x0A, 0x13, 0x00, 0x3C, 0x25, 0x00}}), V5);
  ASSERT_TRUE(d.ok()) << d.error();
  auto& c = std::get<Connack>(d.value());
  EXPECT_EQ(c.properties.receive_maximum, 10);
  EXPECT_EQ(c.properties.server_keep_alive, 60);
  EXPECT_EQ(c.properties.retain_available, 0);
  EXPECT_EQ(trustlane::to_hex(encode(c, V5)), "200b00000813003c21000a2500");
}

}  // namespace

namespace {

TEST(PacketVersions, V311EncodingDropsV5OnlyFields) {
  Publish p;
  p.topic = "t";
  p.payload = {'x'};
  Publish with_props = p;
  with_props.properties.content_type = "text/plain";
  EXPECT_EQ(encode(with_props, Version::v3_1_1), encode(p, Version::v3_1_1));
  Disconnect d{0x8E, {}};
  EXPECT_EQ(trustlane::to_hex(encode(d, Version::v3_1_1)), "e000");
  Puback a{{5, 0x87, {}}};
  EXPECT_EQ(trustlane::to_hex(encode(a, Version::v3_1_1)), "40020005");
}

TEST(PacketVersions, AuthWithReasonAlwaysCarriesPropertyLength) {
  EXPECT_EQ(trustlane::to_hex(encode(Auth{0x19, {}}, Version::v5)), "f0021900");
  EXPECT_EQ(trustlane::to_hex(encode(Disconnect{0x04, {}}, Version::v5)), "e00104");
}

TEST(PacketVersions, SameBytesDifferentVersionsDecodeDifferently) {
  // 3.1.1 PUBACK cannot have a reason code; v5 can.
  mqtt_test::Bytes wire{0x40, 0x03, 0x00, 0x01, 0x10};
  EXPECT_FALSE(decode(wire, Version::v3_1_1).ok());
  auto v5 = decode(wire, Version::v5);
  ASSERT_TRUE(v5.ok());
  EXPECT_EQ(std::get<Puback>(v5.value()).reason_code, 0x10);
}

TEST(PacketPrinting, OneLineForLogs) {
  std::ostringstream os;
  Publish p;
  p.topic = "a/b";
  p.qos = QoS::at_least_once;
  p.packet_id = 3;
  os << Packet{p};
  EXPECT_NE(os.str().find("PUBLISH topic=\"a/b\" qos=1"), std::string::npos) << os.str();
}

}  // namespace
