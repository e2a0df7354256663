// The sans-I/O MQTT client session, driven with packets encoded by the mqtt codec (the broker's
// side) and checked by decoding what the session sends.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "device/agent.hpp"
#include "device/session.hpp"
#include "mqtt/codec.hpp"

namespace trustlane::device {
namespace {

using namespace std::chrono_literals;

const Clock::time_point t0{};

mqtt::Packet decode(const Bytes& frame, mqtt::Version v = mqtt::Version::v3_1_1) {
  auto p = mqtt::decode(frame, v);
  EXPECT_TRUE(p.ok());
  return p.ok() ? *p : mqtt::Packet{mqtt::Pingreq{}};
}

Bytes wire(const mqtt::Packet& p, mqtt::Version v = mqtt::Version::v3_1_1) { return mqtt::encode(p, v); }

Session connected_session(std::vector<std::string> subs = {"sdk/test/#"}) {
  Session s({"BAAAAQIDBAUGBwgJCgsMDQ4P", mqtt::Version::v3_1_1, 30, std::move(subs)});
  s.start(t0);
  auto out = s.on_bytes(wire(mqtt::Connack{}), t0);
  EXPECT_TRUE(s.connected());
  return s;
}

TEST(DeviceSession, ConnectCarriesClientIdAndKeepAlive) {
  Session s({"BAAAAQIDBAUGBwgJCgsMDQ4P", mqtt::Version::v3_1_1, 45, {}});
  auto packet = decode(s.start(t0));
  const auto& c = std::get<mqtt::Connect>(packet);
  EXPECT_EQ(c.client_id, "BAAAAQIDBAUGBwgJCgsMDQ4P");
  EXPECT_EQ(c.keep_alive, 45);
  EXPECT_TRUE(c.clean_start);
  EXPECT_EQ(c.version, mqtt::Version::v3_1_1);
}

TEST(DeviceSession, Mqtt5ConnectUsesVersion5) {
  Session s({"id", mqtt::Version::v5, 30, {}});
  auto packet = decode(s.start(t0), mqtt::Version::v5);
  EXPECT_EQ(std::get<mqtt::Connect>(packet).version, mqtt::Version::v5);
}

TEST(DeviceSession, ConnackThenSubscribeAllFiltersWithQos1) {
  Session s({"id", mqtt::Version::v3_1_1, 30, {"a/b", "c/#"}});
  s.start(t0);
  auto out = s.on_bytes(wire(mqtt::Connack{}), t0);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<event::Connected>(out.events[0]));
  ASSERT_EQ(out.to_send.size(), 1u);
  auto sub = std::get<mqtt::Subscribe>(decode(out.to_send[0]));
  ASSERT_EQ(sub.subscriptions.size(), 2u);
  EXPECT_EQ(sub.subscriptions[0].filter, "a/b");
  EXPECT_EQ(sub.subscriptions[1].qos, mqtt::QoS::at_least_once);

  mqtt::Suback ack;
  ack.packet_id = sub.packet_id;
  ack.reason_codes = {1, 0x80};
  out = s.on_bytes(wire(ack), t0);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_TRUE(std::get<event::Subscribed>(out.events[0]).granted);
  EXPECT_FALSE(std::get<event::Subscribed>(out.events[1]).granted);
  EXPECT_FALSE(out.close);
}

TEST(DeviceSession, RefusedConnackClosesWithReason) {
  Session s({"id", mqtt::Version::v3_1_1, 30, {}});
  s.start(t0);
  mqtt::Connack refused;
  refused.reason_code = 5;
  auto out = s.on_bytes(wire(refused), t0);
  EXPECT_TRUE(out.close);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<event::Refused>(out.events[0]).reason, "not authorized (5)");
  EXPECT_FALSE(s.connected());
}

TEST(DeviceSession, ReceivedQos1IsAcknowledged) {
  auto s = connected_session();
  mqtt::Publish p;
  p.topic = "sdk/test/x";
  p.qos = mqtt::QoS::at_least_once;
  p.packet_id = 77;
  p.payload = {'h', 'i'};
  // Delivered in two pieces: the frame reader reassembles.
  auto bytes = wire(p);
  auto out = s.on_bytes(ByteView(bytes).first(3), t0);
  EXPECT_TRUE(out.events.empty());
  out = s.on_bytes(ByteView(bytes).subspan(3), t0);
  ASSERT_EQ(out.events.size(), 1u);
  const auto& r = std::get<event::Received>(out.events[0]);
  EXPECT_EQ(r.topic, "sdk/test/x");
  EXPECT_EQ(r.payload, (Bytes{'h', 'i'}));
  ASSERT_EQ(out.to_send.size(), 1u);
  EXPECT_EQ(std::get<mqtt::Puback>(decode(out.to_send[0])).packet_id, 77);
}

TEST(DeviceSession, OwnQos1PublishIsTrackedUntilPuback) {
  auto s = connected_session();
  auto [bytes, id] = s.publish("t", {'x'}, mqtt::QoS::at_least_once, t0);
  EXPECT_NE(id, 0);
  auto p = std::get<mqtt::Publish>(decode(bytes));
  EXPECT_EQ(p.packet_id, id);
  EXPECT_EQ(s.unacknowledged(), 1u);
  auto [bytes0, id0] = s.publish("t", {'y'}, mqtt::QoS::at_most_once, t0);
  EXPECT_EQ(id0, 0);
  EXPECT_EQ(std::get<mqtt::Publish>(decode(bytes0)).qos, mqtt::QoS::at_most_once);
  mqtt::Puback ack;
  ack.packet_id = id;
  auto out = s.on_bytes(wire(ack), t0);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<event::Acknowledged>(out.events[0]).packet_id, id);
  EXPECT_EQ(s.unacknowledged(), 0u);
}

TEST(DeviceSession, KeepAlivePingsWhenIdleAndDetectsDeadBroker) {
  auto s = connected_session({});
  EXPECT_TRUE(s.on_tick(t0 + 29s).to_send.empty());
  auto out = s.on_tick(t0 + 30s);
  ASSERT_EQ(out.to_send.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<mqtt::Pingreq>(decode(out.to_send[0])));
  EXPECT_TRUE(s.on_tick(t0 + 31s).to_send.empty());  // one PINGREQ outstanding at a time
  s.on_bytes(wire(mqtt::Pingresp{}), t0 + 32s);
  out = s.on_tick(t0 + 60s);
  ASSERT_EQ(out.to_send.size(), 1u);  // answered: the next interval pings again
  out = s.on_tick(t0 + 91s);           // not answered within keep-alive
  EXPECT_TRUE(out.close);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<event::Failed>(out.events[0]));
}

TEST(DeviceSession, SendingDefersThePing) {
  auto s = connected_session({});
  s.publish("t", {'x'}, mqtt::QoS::at_most_once, t0 + 20s);
  EXPECT_TRUE(s.on_tick(t0 + 40s).to_send.empty());
  EXPECT_EQ(s.on_tick(t0 + 50s).to_send.size(), 1u);
}

TEST(DeviceSession, GarbageAndUnexpectedPacketsClose) {
  {
    auto s = connected_session();
    auto out = s.on_bytes(Bytes{0xF0, 0x00}, t0);  // reserved packet type 15 in 3.1.1
    EXPECT_TRUE(out.close);
  }
  {
    auto s = connected_session();
    auto out = s.on_bytes(Bytes{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, t0);  // 5-byte length
    EXPECT_TRUE(out.close);
  }
  {
    auto s = connected_session();
    auto out = s.on_bytes(wire(mqtt::Connack{}), t0);
    EXPECT_TRUE(out.close);  // a second CONNACK
  }
  {
    Session s({"id", mqtt::Version::v3_1_1, 30, {}});
    s.start(t0);
    mqtt::Publish p;
    p.topic = "x";
    auto out = s.on_bytes(wire(p), t0);  // PUBLISH before CONNACK
    EXPECT_TRUE(out.close);
  }
}

TEST(DeviceSession, NoConnackWithin30SecondsFails) {
  Session s({"id", mqtt::Version::v3_1_1, 30, {}});
  s.start(t0);
  EXPECT_FALSE(s.on_tick(t0 + 29s).close);
  EXPECT_TRUE(s.on_tick(t0 + 31s).close);
}

TEST(DeviceSession, ConnackFailureTexts) {
  EXPECT_EQ(connack_failure_text(2, mqtt::Version::v3_1_1), "identifier rejected (2)");
  EXPECT_EQ(connack_failure_text(0x87, mqtt::Version::v5), "NOT_AUTHORIZED (0x87)");
}

TEST(DevicePayload, JsonCarriesUidClientIdAndCounter) {
  auto j = nlohmann::json::parse(message_payload("0400", "BAA=", 7, 1));
  EXPECT_EQ(j["uid"], "0400");
  EXPECT_EQ(j["clientId"], "BAA=");
  EXPECT_EQ(j["counter"], 7);
  EXPECT_EQ(j["qos"], 1);
}

}  // namespace
}  // namespace trustlane::device

namespace trustlane::device {
namespace {

TEST(DeviceSessionPersistence, PersistentSessionTurnsCleanSessionOff) {
  SessionConfig config{"id", mqtt::Version::v3_1_1, 30, {}};
  config.clean_session = false;
  Session s(config);
  auto connect = std::get<mqtt::Connect>(decode(s.start(t0)));
  EXPECT_FALSE(connect.clean_start);
  EXPECT_FALSE(connect.properties.session_expiry_interval.has_value());  // not a 3.1.1 field
}

TEST(DeviceSessionPersistence, Mqtt5PersistentSessionAsksForItsExpiry) {
  SessionConfig config{"id", mqtt::Version::v5, 30, {}};
  config.clean_session = false;
  config.session_expiry_seconds = 600;
  Session s(config);
  auto connect = std::get<mqtt::Connect>(decode(s.start(t0), mqtt::Version::v5));
  EXPECT_FALSE(connect.clean_start);
  EXPECT_EQ(connect.properties.session_expiry_interval, std::optional<std::uint32_t>(600));
}

TEST(DeviceSessionPersistence, ResendKeepsThePacketIdSetsDupAndAwaitsTheAck) {
  auto s = connected_session({});
  auto frame = s.resend(42, "t/x", Bytes{1, 2, 3}, t0);
  auto p = std::get<mqtt::Publish>(decode(frame));
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.packet_id, 42);
  EXPECT_EQ(p.qos, mqtt::QoS::at_least_once);
  EXPECT_EQ(s.unacknowledged(), 1u);
  // A new publish never reuses an id still waiting for its ack.
  for (int i = 0; i < 50; ++i) {
    auto [bytes, id] = s.publish("t/y", {}, mqtt::QoS::at_least_once, t0);
    EXPECT_NE(id, 42);
  }
  mqtt::Puback ack;
  ack.packet_id = 42;
  auto out = s.on_bytes(wire(ack), t0);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<event::Acknowledged>(out.events[0]).packet_id, 42);
}

}  // namespace
}  // namespace trustlane::device
