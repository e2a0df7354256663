// Bad input: each case names the rule it breaks and the reason code a v5 peer would get.
#include <gtest/gtest.h>

#include "test_bytes.hpp"

using namespace trustlane::mqtt;
using mqtt_test::B;
using mqtt_test::Bytes;

namespace {

struct Bad {
  const char* rule;
  Bytes wire;
  Version version;
  ReasonCode expected;
};

class Malformed : public ::testing::TestWithParam<Bad> {};

TEST_P(Malformed, IsRejectedWithReasonCode) {
  EXPECT_EQ(mqtt_test::decode_error(GetParam().wire, GetParam().version), GetParam().expected) << GetParam().rule;
}

constexpr auto V3 = Version::v3_1_1;
constexpr auto V5 = Version::v5;
constexpr auto M = ReasonCode::malformed_packet;
constexpr auto P = ReasonCode::protocol_error;

INSTANTIATE_TEST_SUITE_P(
    Table, Malformed,
    ::testing::Values(
        Bad{"empty frame", {}, V5, M},
        Bad{"length disagrees with body", B({{0xC0, 0x01}}), V5, M},
        Bad{"length shorter than body", B({{0xC0, 0x00, 0x00}}), V5, M},
        Bad{"5-byte varint", B({{0xC0, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}}), V5, M},
        Bad{"packet type 0", B({{0x00, 0x00}}), V5, M},
        Bad{"AUTH in 3.1.1", B({{0xF0, 0x00}}), V3, M},
        Bad{"PINGREQ with flags", B({{0xC1, 0x00}}), V5, M},
        Bad{"PINGREQ with body", B({{0xC0, 0x01, 0x00}}), V5, M},
        Bad{"CONNECT reserved flag", B({{0x10, 12, 0x00, 0x04}, "MQTT", {0x04, 0x01, 0x00, 0x00, 0x00, 0x00}}), V3, M},
        Bad{"CONNECT will qos without will", B({{0x10, 12, 0x00, 0x04}, "MQTT", {0x04, 0x08, 0x00, 0x00, 0x00, 0x00}}), V3, M},
        Bad{"CONNECT will qos 3", B({{0x10, 12, 0x00, 0x04}, "MQTT", {0x04, 0x1C, 0x00, 0x00, 0x00, 0x00}}), V3, M},
        Bad{"CONNECT 3.1.1 password without user", B({{0x10, 14, 0x00, 0x04}, "MQTT", {0x04, 0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}}), V3, M},
        Bad{"CONNECT level 3", B({{0x10, 12, 0x00, 0x04}, "MQTT", {0x03, 0x02, 0x00, 0x00, 0x00, 0x00}}), V3, ReasonCode::unsupported_protocol_version},
        Bad{"CONNECT MQIsdp", B({{0x10, 14, 0x00, 0x06}, "MQIsdp", {0x03, 0x02, 0x00, 0x00, 0x00, 0x00}}), V3, ReasonCode::unsupported_protocol_version},
        Bad{"CONNECT unknown protocol", B({{0x10, 12, 0x00, 0x04}, "MQTX", {0x04, 0x02, 0x00, 0x00, 0x00, 0x00}}), V3, P},
        Bad{"CONNECT trailing byte", B({{0x10, 13, 0x00, 0x04}, "MQTT", {0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00}}), V3, M},
        Bad{"CONNECT truncated client id", B({{0x10, 12, 0x00, 0x04}, "MQTT", {0x04, 0x02, 0x00, 0x00, 0x00, 0x05}}), V3, M},
        Bad{"CONNECT client id with U+0000", B({{0x10, 13, 0x00, 0x04}, "MQTT", {0x04, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00}}), V3, M},
        Bad{"CONNECT client id with surrogate", B({{0x10, 15, 0x00, 0x04}, "MQTT", {0x04, 0x02, 0x00, 0x00, 0x00, 0x03, 0xED, 0xA0, 0x80}}), V3, M},
        Bad{"CONNECT client id overlong", B({{0x10, 14, 0x00, 0x04}, "MQTT", {0x04, 0x02, 0x00, 0x00, 0x00, 0x02, 0xC0, 0xAF}}), V3, M},
        Bad{"CONNECT v5 duplicate property", B({{0x10, 19, 0x00, 0x04}, "MQTT", {0x05, 0x02, 0x00, 0x00, 6, 0x21, 0x00, 0x01, 0x21, 0x00, 0x01, 0x00, 0x00}}), V5, P},
        Bad{"CONNECT v5 receive maximum 0", B({{0x10, 16, 0x00, 0x04}, "MQTT", {0x05, 0x02, 0x00, 0x00, 3, 0x21, 0x00, 0x00, 0x00, 0x00}}), V5, P},
        Bad{"CONNECT v5 forbidden property (topic alias)", B({{0x10, 16, 0x00, 0x04}, "MQTT", {0x05, 0x02, 0x00, 0x00, 3, 0x23, 0x00, 0x01, 0x00, 0x00}}), V5, P},
        Bad{"CONNECT v5 unknown property", B({{0x10, 15, 0x00, 0x04}, "MQTT", {0x05, 0x02, 0x00, 0x00, 2, 0x7F, 0x00, 0x00, 0x00}}), V5, M},
        Bad{"CONNECT v5 property length past end", B({{0x10, 13, 0x00, 0x04}, "MQTT", {0x05, 0x02, 0x00, 0x00, 9, 0x00, 0x00}}), V5, M},
        Bad{"CONNECT v5 request problem info 2", B({{0x10, 15, 0x00, 0x04}, "MQTT", {0x05, 0x02, 0x00, 0x00, 2, 0x17, 0x02, 0x00, 0x00}}), V5, P},
        Bad{"CONNACK reserved flags", B({{0x20, 0x02, 0x02, 0x00}}), V3, M},
        Bad{"CONNACK 3.1.1 return code 6", B({{0x20, 0x02, 0x00, 0x06}}), V3, M},
        Bad{"PUBLISH qos 3", B({{0x36, 0x05, 0x00, 0x01}, "t", {0x00, 0x01}}), V3, M},
        Bad{"PUBLISH qos 0 with dup", B({{0x38, 0x03, 0x00, 0x01}, "t"}), V3, M},
        Bad{"PUBLISH qos 1 packet id 0", B({{0x32, 0x05, 0x00, 0x01}, "t", {0x00, 0x00}}), V3, P},
        Bad{"PUBLISH topic truncated", B({{0x30, 0x03, 0x00, 0x05, 0x61}}), V3, M},
        Bad{"PUBLISH empty topic 3.1.1", B({{0x30, 0x02, 0x00, 0x00}}), V3, P},
        Bad{"PUBLISH empty topic v5 without alias", B({{0x30, 0x03, 0x00, 0x00, 0x00}}), V5, P},
        Bad{"PUBLISH v5 topic alias 0", B({{0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x00}}), V5, P},
        Bad{"PUBLISH v5 subscription identifier 0", B({{0x30, 0x06, 0x00, 0x01}, "t", {0x02, 0x0B, 0x00}}), V5, P},
        Bad{"PUBLISH v5 session expiry not allowed", B({{0x30, 0x09, 0x00, 0x01}, "t", {0x05, 0x11, 0x00, 0x00, 0x00, 0x01}}), V5, P},
        Bad{"PUBACK flags", B({{0x41, 0x02, 0x00, 0x01}}), V3, M},
        Bad{"PUBREL without flags", B({{0x60, 0x02, 0x00, 0x01}}), V3, M},
        Bad{"PUBACK id 0", B({{0x40, 0x02, 0x00, 0x00}}), V3, P},
        Bad{"PUBACK 3.1.1 extra byte", B({{0x40, 0x03, 0x00, 0x01, 0x00}}), V3, M},
        Bad{"PUBACK truncated", B({{0x40, 0x01, 0x00}}), V5, M},
        Bad{"PUBACK v5 subscription id not allowed", B({{0x40, 0x06, 0x00, 0x01, 0x00, 0x02, 0x0B, 0x01}}), V5, P},
        Bad{"SUBSCRIBE without flags", B({{0x80, 0x06, 0x00, 0x01, 0x00, 0x01}, "a", {0x00}}), V3, M},
        Bad{"SUBSCRIBE no filters", B({{0x82, 0x02, 0x00, 0x01}}), V3, P},
        Bad{"SUBSCRIBE 3.1.1 reserved option bits", B({{0x82, 0x06, 0x00, 0x01, 0x00, 0x01}, "a", {0x04}}), V3, M},
        Bad{"SUBSCRIBE qos 3", B({{0x82, 0x06, 0x00, 0x01, 0x00, 0x01}, "a", {0x03}}), V3, M},
        Bad{"SUBSCRIBE v5 retain handling 3", B({{0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01}, "a", {0x30}}), V5, P},
        Bad{"SUBSCRIBE v5 reserved bits", B({{0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01}, "a", {0x40}}), V5, M},
        Bad{"SUBSCRIBE v5 two subscription identifiers", B({{0x82, 0x0B, 0x00, 0x01, 0x04, 0x0B, 0x01, 0x0B, 0x02, 0x00, 0x01}, "a", {0x00}}), V5, P},
        Bad{"SUBSCRIBE filter without options", B({{0x82, 0x05, 0x00, 0x01, 0x00, 0x01}, "a"}), V3, M},
        Bad{"SUBACK 3.1.1 bad code", B({{0x90, 0x03, 0x00, 0x01, 0x03}}), V3, M},
        Bad{"SUBACK no codes", B({{0x90, 0x02, 0x00, 0x01}}), V3, M},
        Bad{"UNSUBSCRIBE no filters", B({{0xA2, 0x02, 0x00, 0x01}}), V3, P},
        Bad{"UNSUBACK 3.1.1 extra", B({{0xB0, 0x03, 0x00, 0x01, 0x00}}), V3, M},
        Bad{"UNSUBACK v5 no codes", B({{0xB0, 0x03, 0x00, 0x01, 0x00}}), V5, M},
        Bad{"DISCONNECT 3.1.1 with body", B({{0xE0, 0x01, 0x00}}), V3, M},
        Bad{"DISCONNECT v5 will delay not allowed", B({{0xE0, 0x07, 0x00, 0x05, 0x18, 0x00, 0x00, 0x00, 0x01}}), V5, P},
        Bad{"AUTH v5 property past end", B({{0xF0, 0x03, 0x18, 0x05, 0x15}}), V5, M}));

TEST(Utf8, Rules) {
  EXPECT_TRUE(valid_mqtt_utf8("plain/ascii"));
  EXPECT_TRUE(valid_mqtt_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_FALSE(valid_mqtt_utf8(std::string_view("a\0b", 3)));             // U+0000
  EXPECT_FALSE(valid_mqtt_utf8("\xED\xA0\x80"));                          // U+D800 surrogate
  EXPECT_FALSE(valid_mqtt_utf8("\xC0\xAF"));                              // overlong '/'
  EXPECT_FALSE(valid_mqtt_utf8("\xE2\x82"));                              // truncated
  EXPECT_FALSE(valid_mqtt_utf8("\xF4\x90\x80\x80"));                      // > U+10FFFF
  EXPECT_FALSE(valid_mqtt_utf8("\x80"));                                  // lone continuation
}

TEST(ReasonCodes, NamesAndV311Mapping) {
  EXPECT_EQ(to_string(ReasonCode::packet_too_large), "PACKET_TOO_LARGE");
  EXPECT_EQ(to_v311_connect_return_code(ReasonCode::not_authorized), ConnectReturnCode::not_authorized);
  EXPECT_EQ(to_v311_connect_return_code(ReasonCode::client_identifier_not_valid), ConnectReturnCode::identifier_rejected);
  EXPECT_EQ(to_v311_connect_return_code(ReasonCode::server_busy), ConnectReturnCode::server_unavailable);
  EXPECT_EQ(to_v311_connect_return_code(ReasonCode::success), ConnectReturnCode::accepted);
}

}  // namespace
