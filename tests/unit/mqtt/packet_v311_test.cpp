// MQTT 3.1.1: every packet type as annotated bytes, decode → compare → re-encode.
#include <gtest/gtest.h>

#include "test_bytes.hpp"

using namespace trustlane::mqtt;
using mqtt_test::B;
using mqtt_test::expect_round_trip;

namespace {
constexpr auto V3 = Version::v3_1_1;

TEST(PacketV311, ConnectMinimal) {
  Connect c;
  c.version = V3;
  c.client_id = "dev1";
  c.clean_start = true;
  c.keep_alive = 60;
  expect_round_trip(B({{0x10, 16},                 // CONNECT, remaining length 16
                       {0x00, 0x04}, "MQTT",       // protocol name
                       {0x04},                     // level 4 = 3.1.1
                       {0x02},                     // flags: clean session
                       {0x00, 0x3C},               // keep alive 60
                       {0x00, 0x04}, "dev1"}),     // client id
                    c, V3);
}

TEST(PacketV311, ConnectWithWillUserPassword) {
  Connect c;
  c.version = V3;
  c.client_id = "c";
  c.clean_start = false;
  c.keep_alive = 1200;
  c.will = Will{"w/t", {'b', 'y', 'e'}, QoS::at_least_once, true, {}};
  c.username = "u";
  c.password = trustlane::Bytes{0x00, 0xFF};
  expect_round_trip(B({{0x10, 30},
                       {0x00, 0x04}, "MQTT", {0x04},
                       {0xEC},                     // user|pass|will retain|will qos 1|will
                       {0x04, 0xB0},               // keep alive 1200
                       {0x00, 0x01}, "c",
                       {0x00, 0x03}, "w/t",        // will topic
                       {0x00, 0x03}, "bye",        // will payload
                       {0x00, 0x01}, "u",          // user name
                       {0x00, 0x02, 0x00, 0xFF}}), // password (binary)
                    c, V3);
}

TEST(PacketV311, Connack) {
  expect_round_trip(B({{0x20, 0x02, 0x01, 0x00}}), Connack{true, 0, {}}, V3);
  expect_round_trip(B({{0x20, 0x02, 0x00, 0x05}}), Connack{false, 5, {}}, V3);
}

TEST(PacketV311, PublishQos0AndQos1) {
  Publish p0;
  p0.topic = "a/b";
  p0.payload = {'h', 'i'};
  expect_round_trip(B({{0x30, 7}, {0x00, 0x03}, "a/b", "hi"}), p0, V3);

  Publish p1;
  p1.qos = QoS::at_least_once;
  p1.dup = true;
  p1.retain = true;
  p1.topic = "t";
  p1.packet_id = 0x1234;
  expect_round_trip(B({{0x3B, 5},                  // PUBLISH dup|qos1|retain
                       {0x00, 0x01}, "t",
                       {0x12, 0x34}}),             // packet id, empty payload
                    p1, V3);
}

TEST(PacketV311, Acks) {
  expect_round_trip(B({{0x40, 0x02, 0x00, 0x07}}), Puback{{7, 0, {}}}, V3);
  expect_round_trip(B({{0x50, 0x02, 0x00, 0x08}}), Pubrec{{8, 0, {}}}, V3);
  expect_round_trip(B({{0x62, 0x02, 0x00, 0x09}}), Pubrel{{9, 0, {}}}, V3);  // PUBREL flags 0010
  expect_round_trip(B({{0x70, 0x02, 0x00, 0x0A}}), Pubcomp{{10, 0, {}}}, V3);
}

TEST(PacketV311, SubscribeSuback) {
  Subscribe s;
  s.packet_id = 1;
  s.subscriptions = {{"a/+", QoS::at_least_once}, {"b/#", QoS::at_most_once}};
  expect_round_trip(B({{0x82, 14},                 // SUBSCRIBE, flags 0010
                       {0x00, 0x01},               // packet id
                       {0x00, 0x03}, "a/+", {0x01},
                       {0x00, 0x03}, "b/#", {0x00}}),
                    s, V3);
  expect_round_trip(B({{0x90, 0x04, 0x00, 0x01, 0x01, 0x80}}), Suback{1, {}, {0x01, 0x80}}, V3);
}

TEST(PacketV311, UnsubscribeUnsuback) {
  Unsubscribe u;
  u.packet_id = 2;
  u.filters = {"a/+"};
  expect_round_trip(B({{0xA2, 7}, {0x00, 0x02}, {0x00, 0x03}, "a/+"}), u, V3);
  expect_round_trip(B({{0xB0, 0x02, 0x00, 0x02}}), Unsuback{2, {}, {}}, V3);
}

TEST(PacketV311, PingAndDisconnect) {
  expect_round_trip(B({{0xC0, 0x00}}), Pingreq{}, V3);
  expect_round_trip(B({{0xD0, 0x00}}), Pingresp{}, V3);
  expect_round_trip(B({{0xE0, 0x00}}), Disconnect{}, V3);
}

}  // namespace
