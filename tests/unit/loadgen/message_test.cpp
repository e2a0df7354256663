#include "loadgen/message.hpp"

#include <gtest/gtest.h>

#include "mqtt/codec.hpp"
#include "mqtt/frame_reader.hpp"

namespace trustlane::loadgen {
namespace {

// Appends two messages, then reads them back with the broker's own frame reader and decoder.
void check_round_trip(mqtt::QoS qos, std::size_t size, mqtt::Version version) {
  SCOPED_TRACE(testing::Message() << "qos " << static_cast<int>(qos) << ", size " << size << ", version "
                                  << static_cast<int>(version));
  PublishTemplate publish("bench/123/to/7", qos, size, version);
  const Stamp first{123456789012345ull, 7, 1}, second{~0ull, 0xfffffffe, 0x0102030405060708ull};
  Bytes wire;
  publish.append_to(wire, 0xbeef, first);
  publish.append_to(wire, 2, second);
  mqtt::FrameReader reader(1 << 20);
  reader.feed(wire);
  for (const auto& [id, stamp] : {std::pair<std::uint16_t, Stamp>{0xbeef, first}, {2, second}}) {
    auto frame = reader.next();
    ASSERT_TRUE(frame && frame->has_value());
    auto packet = mqtt::decode(**frame, version);
    ASSERT_TRUE(packet);
    const auto* p = std::get_if<mqtt::Publish>(&*packet);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->topic, "bench/123/to/7");
    EXPECT_EQ(p->qos, qos);
    EXPECT_EQ(p->packet_id, qos == mqtt::QoS::at_most_once ? 0 : id);
    EXPECT_EQ(p->payload.size(), std::max(size, kStampSize));
    EXPECT_EQ(read_stamp(p->payload), stamp);
  }
  auto rest = reader.next();
  ASSERT_TRUE(rest);
  EXPECT_FALSE(rest->has_value());
}

TEST(PublishTemplate, MessagesDecodeWithTheirIdAndStampInBothVersions) {
  // 4096 B and 200 B bodies need a 2-byte Remaining Length, 20 B a 1-byte one, 70 KB three.
  for (auto version : {mqtt::Version::v3_1_1, mqtt::Version::v5})
    for (auto qos : {mqtt::QoS::at_most_once, mqtt::QoS::at_least_once})
      for (std::size_t size : {0u, 20u, 64u, 200u, 4096u, 70000u}) check_round_trip(qos, size, version);
}

TEST(Stamp, TooShortPayloadHasNone) {
  Bytes short_payload(kStampSize - 1, 0);
  EXPECT_FALSE(read_stamp(short_payload));
}

}  // namespace
}  // namespace trustlane::loadgen
