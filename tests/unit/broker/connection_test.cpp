// The per-connection state machine driven with bytes, without sockets or clocks: CONNECT
// handling, policy enforcement, routing between 3.1.1 and 5 clients, QoS 1 windows, sessions,
// retained messages, wills, keep-alive, topic aliases and duplicate client IDs.
#include <gtest/gtest.h>

#include "connection_harness.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::harness;

namespace {

TEST(Connection, ConnectV311AcceptedWithKeepAliveTimer) {
  World w;
  Client c(w, Version::v3_1_1);
  EXPECT_EQ(c.last_timer(), std::chrono::seconds(10));  // CONNECT timeout before CONNECT
  auto ack = c.connect("dev-1", true, 60);
  EXPECT_EQ(ack.reason_code, 0);
  EXPECT_FALSE(ack.session_present);
  EXPECT_EQ(c.last_timer(), std::chrono::milliseconds(90'000));  // 1.5 × 60 s
  bool saw_lifecycle = false;
  for (auto& e : c.events)
    if (auto* l = std::get_if<Lifecycle>(&e)) saw_lifecycle = l->connected && l->client_id == "dev-1";
  EXPECT_TRUE(saw_lifecycle);
}

TEST(Connection, ConnectV5ClampsKeepAliveAndAnnouncesLimits) {
  World w;
  Client c(w, Version::v5);
  auto ack = c.connect("dev-1", true, 5);
  EXPECT_EQ(ack.reason_code, 0);
  EXPECT_EQ(ack.properties.server_keep_alive, 30);
  EXPECT_EQ(ack.properties.maximum_qos, 1);
  EXPECT_EQ(ack.properties.receive_maximum, 100);
  EXPECT_EQ(c.last_timer(), std::chrono::milliseconds(45'000));
  Client zero(w, Version::v5);
  EXPECT_EQ(zero.connect("dev-2", true, 0).properties.server_keep_alive, 1200);
}

TEST(Connection, ConnectDeniedByPolicyClosesWithoutConnack) {
  World w;
  Client c(w, Version::v3_1_1);
  mqtt::Connect connect;
  connect.version = Version::v3_1_1;
  connect.client_id = "intruder";
  c.send(connect);
  EXPECT_TRUE(c.take<mqtt::Connack>().empty());
  ASSERT_NE(c.closed(), nullptr);
  EXPECT_EQ(c.closed()->reason, ReasonCode::not_authorized);
  EXPECT_EQ(c.closed()->disconnect_reason, "AUTH_ERROR");
}

TEST(Connection, ClientIdRules) {
  World w;
  Client too_long(w, Version::v5);
  mqtt::Connect c;
  c.client_id = "dev" + std::string(130, 'x');
  too_long.send(c);
  auto acks = too_long.take<mqtt::Connack>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].reason_code, static_cast<std::uint8_t>(ReasonCode::client_identifier_not_valid));
  EXPECT_NE(too_long.closed(), nullptr);

  Client empty_persistent(w, Version::v3_1_1);
  mqtt::Connect e;
  e.version = Version::v3_1_1;
  e.clean_start = false;
  empty_persistent.send(e);
  acks = empty_persistent.take<mqtt::Connack>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].reason_code, 2);  // 3.1.1 identifier rejected
}

TEST(Connection, UnsupportedProtocolLevelGetsReturnCode1) {
  World w;
  Client c(w, Version::v3_1_1);
  // MQTT 3.1: "MQIsdp", level 3.
  c.raw(Bytes{0x10, 14, 0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x03, 0x02, 0x00, 0x3C, 0x00, 0x00});
  auto acks = c.take<mqtt::Connack>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].reason_code, 1);
  EXPECT_NE(c.closed(), nullptr);
}

TEST(Connection, DestroyedConnectionsLeaveTheDirtyList) {
  World w;
  Client pub(w, Version::v3_1_1);
  pub.connect("dev-pub");
  {
    Client sub(w, Version::v3_1_1);
    sub.connect("dev-sub");
    sub.subscribe({{"t", QoS::at_most_once}});
    (void)w.hub.take_dirty();
    pub.publish("t", "x");  // marks sub dirty
  }
  for (Connection* c : w.hub.take_dirty()) EXPECT_EQ(c, &pub.connection());
}

TEST(Connection, FirstPacketMustBeConnect) {
  World w;
  Client c(w, Version::v3_1_1);
  c.send(mqtt::Pingreq{});
  EXPECT_TRUE(c.take<mqtt::Pingresp>().empty());
  EXPECT_NE(c.closed(), nullptr);
}

TEST(Connection, MalformedBytesAfterConnectDisconnectV5WithReason) {
  World w;
  Client c(w, Version::v5);
  c.connect("dev-1");
  c.raw(Bytes{0xC1, 0x00});  // PINGREQ with flags set
  auto d = c.take<mqtt::Disconnect>();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].reason_code, static_cast<std::uint8_t>(ReasonCode::malformed_packet));
  EXPECT_EQ(c.closed()->disconnect_reason, "CLIENT_ERROR");
}

TEST(Connection, OversizePacketRefused) {
  World w;
  Limits small;
  small.max_packet_size = 64;
  Client c(w, Version::v5, kAccountA, small);
  c.connect("dev-1");
  c.publish("t", std::string(100, 'x'));
  auto d = c.take<mqtt::Disconnect>();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].reason_code, static_cast<std::uint8_t>(ReasonCode::packet_too_large));
}

TEST(Connection, PingAndCleanDisconnect) {
  World w;
  Client c(w, Version::v3_1_1);
  c.connect("dev-1");
  c.send(mqtt::Pingreq{});
  EXPECT_EQ(c.take<mqtt::Pingresp>().size(), 1u);
  c.send(mqtt::Disconnect{});
  ASSERT_NE(c.closed(), nullptr);
  EXPECT_EQ(c.closed()->disconnect_reason, "CLIENT_INITIATED_DISCONNECT");
}

TEST(Connection, V311PublisherToV5SubscriberWithQosDowngrade) {
  World w;
  Client sub(w, Version::v5), pub(w, Version::v3_1_1);
  sub.connect("dev-sub");
  pub.connect("dev-pub");
  auto ack = sub.subscribe({{"sensor/+/temp", QoS::exactly_once}});
  ASSERT_EQ(ack.reason_codes, std::vector<std::uint8_t>{1});  // QoS 2 requested, 1 granted
  pub.publish("sensor/7/temp", "21.5", QoS::at_least_once, false, 9);
  auto pubacks = pub.take<mqtt::Puback>();
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].packet_id, 9);
  auto got = sub.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, "sensor/7/temp");
  EXPECT_EQ(text(got[0].payload), "21.5");
  EXPECT_EQ(got[0].qos, QoS::at_least_once);
  EXPECT_NE(got[0].packet_id, 0);
  pub.publish("sensor/7/hum", "x");
  EXPECT_TRUE(sub.take<mqtt::Publish>().empty());
}

TEST(Connection, AwsHashRuleThroughTheBroker) {
  World w;
  Client sub(w, Version::v3_1_1), pub(w, Version::v3_1_1);
  sub.connect("dev-sub");
  pub.connect("dev-pub");
  sub.subscribe({{"sensor/#", QoS::at_most_once}});
  pub.publish("sensor", "no");
  pub.publish("sensor/", "yes1");
  pub.publish("sensor/a/b", "yes2");
  auto got = sub.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(text(got[0].payload), "yes1");
  EXPECT_EQ(text(got[1].payload), "yes2");
}

TEST(Connection, AccountsNeverSeeEachOther) {
  World w;
  Client a(w, Version::v3_1_1, kAccountA), b(w, Version::v3_1_1, kAccountB);
  a.connect("dev-a");
  b.connect("dev-b");
  a.subscribe({{"#", QoS::at_most_once}});
  b.publish("t", "from b");
  EXPECT_TRUE(a.take<mqtt::Publish>().empty());
}

TEST(Connection, UnauthorizedPublishV311DisconnectsV5GetsPubackReason) {
  World w;
  Client v3(w, Version::v3_1_1), v5(w, Version::v5), sub(w, Version::v3_1_1);
  sub.connect("dev-sub");
  sub.subscribe({{"#", QoS::at_most_once}});
  v3.connect("dev-3");
  v5.connect("dev-5");
  v5.publish("forbidden", "x", QoS::at_least_once, false, 4);
  auto acks = v5.take<mqtt::Puback>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].reason_code, static_cast<std::uint8_t>(ReasonCode::not_authorized));
  EXPECT_EQ(v5.closed(), nullptr);
  v3.publish("forbidden", "x", QoS::at_least_once);
  EXPECT_TRUE(v3.take<mqtt::Puback>().empty());
  ASSERT_NE(v3.closed(), nullptr);
  EXPECT_EQ(v3.closed()->disconnect_reason, "AUTH_ERROR");
  EXPECT_TRUE(sub.take<mqtt::Publish>().empty());
}

TEST(Connection, ReservedTopicsArePublishOnlyWhereDocumented) {
  World w;
  Client c(w, Version::v5), sub(w, Version::v5);
  c.connect("dev-1");
  sub.connect("dev-2");
  sub.subscribe({{"$aws/things/t/shadow/update", QoS::at_most_once}, {"$aws/events/x", QoS::at_most_once}});
  c.publish("$aws/events/x", "fake", QoS::at_least_once, false, 1);
  EXPECT_EQ(c.take<mqtt::Puback>()[0].reason_code, static_cast<std::uint8_t>(ReasonCode::not_authorized));
  c.publish("$aws/things/t/shadow/update", "{}", QoS::at_least_once, false, 2);
  EXPECT_EQ(c.take<mqtt::Puback>()[0].reason_code, 0);
  auto got = sub.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, "$aws/things/t/shadow/update");
}

TEST(Connection, UnauthorizedSubscribe) {
  World w;
  Client v5(w, Version::v5), v3(w, Version::v3_1_1);
  v5.connect("dev-5");
  auto ack = v5.subscribe({{"ok/+", QoS::at_least_once}, {"forbidden", QoS::at_most_once}, {"bad/#/x", QoS::at_most_once}});
  EXPECT_EQ(ack.reason_codes, (std::vector<std::uint8_t>{0x01, 0x87, 0x8F}));
  v3.connect("dev-3");
  v3.send(mqtt::Subscribe{1, {}, {{"forbidden", QoS::at_most_once}}});
  EXPECT_TRUE(v3.take<mqtt::Suback>().empty());
  EXPECT_NE(v3.closed(), nullptr);
}

TEST(Connection, ReceiveDeniedStopsDelivery) {
  World w;
  Client sub(w, Version::v3_1_1), pub(w, Version::v3_1_1);
  sub.connect("dev-sub");
  pub.connect("dev-pub");
  sub.subscribe({{"secret/#", QoS::at_most_once}});
  pub.publish("secret/x", "s");
  EXPECT_TRUE(sub.take<mqtt::Publish>().empty());
}

TEST(Connection, Qos2PublishRefused) {
  World w;
  Client c(w, Version::v5);
  c.connect("dev-1");
  c.publish("t", "x", QoS::exactly_once);
  auto d = c.take<mqtt::Disconnect>();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].reason_code, static_cast<std::uint8_t>(ReasonCode::qos_not_supported));
}

// Keep-alive expiry: connection_keep_alive_test.cpp (it needs the core clock).

TEST(Connection, ConnectTimeoutBeforeConnect) {
  World w;
  Client c(w, Version::v5);
  c.timer();
  EXPECT_NE(c.closed(), nullptr);
}

TEST(Connection, DuplicateClientIdTakesOver) {
  World w;
  Client first(w, Version::v5), second(w, Version::v5);
  first.connect("dev-1");
  second.connect("dev-1");
  first.collect();
  auto d = first.take<mqtt::Disconnect>();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].reason_code, static_cast<std::uint8_t>(ReasonCode::session_taken_over));
  ASSERT_NE(first.closed(), nullptr);
  EXPECT_EQ(first.closed()->disconnect_reason, "DUPLICATE_CLIENTID");
  EXPECT_EQ(second.closed(), nullptr);
  // The new connection owns the client ID: it still receives.
  second.subscribe({{"t", QoS::at_most_once}});
  Client pub(w, Version::v5);
  pub.connect("dev-p");
  pub.publish("t", "x");
  EXPECT_EQ(second.take<mqtt::Publish>().size(), 1u);
}

TEST(Connection, PersistentSessionQueuesQos1WhileOffline) {
  World w;
  Client pub(w, Version::v3_1_1);
  pub.connect("dev-pub");
  {
    Client sub(w, Version::v3_1_1);
    EXPECT_FALSE(sub.connect("dev-sub", false).session_present);
    sub.subscribe({{"q/+", QoS::at_least_once}});
    sub.drop();
  }
  pub.publish("q/1", "m1", QoS::at_least_once, false, 1);
  pub.publish("q/2", "m0", QoS::at_most_once);  // QoS 0 is not queued
  Client back(w, Version::v3_1_1);
  EXPECT_TRUE(back.connect("dev-sub", false).session_present);
  auto got = back.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0].payload), "m1");
  EXPECT_FALSE(got[0].dup);  // queued while offline, never sent: first delivery
  // Subscriptions survived too.
  pub.publish("q/3", "m3");
  EXPECT_EQ(back.take<mqtt::Publish>().size(), 1u);
  // A clean start discards the session.
  back.drop();
  Client fresh(w, Version::v3_1_1);
  EXPECT_FALSE(fresh.connect("dev-sub", true).session_present);
  pub.publish("q/4", "m4");
  EXPECT_TRUE(fresh.take<mqtt::Publish>().empty());
}

TEST(Connection, OfflineSessionsExpire) {
  World w;
  w.hub.advance_time(1000);
  {
    Client v3(w, Version::v3_1_1);
    v3.connect("dev-3", false);  // 3.1.1 persistent: AWS default expiry, one hour
    v3.drop();
    Client v5(w, Version::v5);
    mqtt::Properties p;
    p.session_expiry_interval = 60;
    v5.connect("dev-5", false, 60, std::nullopt, p);
    v5.drop();
    Client forever(w, Version::v5);
    p.session_expiry_interval = 0xFFFFFFFF;  // "never": capped at the account's period, and told so
    EXPECT_EQ(forever.connect("dev-f", false, 60, std::nullopt, p).properties.session_expiry_interval, 3600u);
    forever.drop();
  }
  EXPECT_EQ(w.hub.session_count(), 3u);
  w.hub.advance_time(1059);
  EXPECT_EQ(w.hub.session_count(), 3u);
  w.hub.advance_time(1060);  // the v5 session's 60 s are up
  EXPECT_EQ(w.hub.session_count(), 2u);
  w.hub.advance_time(1000 + 3600);
  EXPECT_EQ(w.hub.session_count(), 0u);  // the 3.1.1 one and the capped one went at one hour
  Client back(w, Version::v3_1_1);
  EXPECT_FALSE(back.connect("dev-3", false).session_present);
}

TEST(Connection, UnackedQos1IsReplayedOnReconnect) {
  World w;
  Client pub(w, Version::v5);
  pub.connect("dev-pub");
  mqtt::Properties persistent;
  persistent.session_expiry_interval = 3600;
  {
    Client sub(w, Version::v5);
    sub.connect("dev-sub", false, 60, std::nullopt, persistent);
    sub.subscribe({{"q", QoS::at_least_once}});
    pub.publish("q", "unacked", QoS::at_least_once, false, 1);
    EXPECT_EQ(sub.take<mqtt::Publish>().size(), 1u);  // never acknowledged
    sub.drop();
  }
  Client back(w, Version::v5);
  EXPECT_TRUE(back.connect("dev-sub", false, 60, std::nullopt, persistent).session_present);
  auto got = back.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0].payload), "unacked");
  EXPECT_TRUE(got[0].dup);  // a redelivery (MQTT §4.4)
}

TEST(Connection, OutboundQos1WindowOf100) {
  World w;
  Client sub(w, Version::v3_1_1), pub(w, Version::v3_1_1);
  sub.connect("dev-sub");
  pub.connect("dev-pub");
  sub.subscribe({{"w", QoS::at_least_once}});
  for (int i = 0; i < 105; ++i) pub.publish("w", std::to_string(i), QoS::at_least_once, false, static_cast<std::uint16_t>(i + 1));
  auto first = sub.take<mqtt::Publish>();
  ASSERT_EQ(first.size(), 100u);
  EXPECT_EQ(sub.connection().inflight(), 100u);
  sub.send(mqtt::Puback{{first[0].packet_id, 0, {}}});
  sub.send(mqtt::Puback{{first[1].packet_id, 0, {}}});
  auto more = sub.take<mqtt::Publish>();
  ASSERT_EQ(more.size(), 2u);
  EXPECT_EQ(text(more[0].payload), "100");
  EXPECT_EQ(text(more[1].payload), "101");
}

TEST(Connection, ClientReceiveMaximumNarrowsWindow) {
  World w;
  Client sub(w, Version::v5), pub(w, Version::v5);
  mqtt::Properties p;
  p.receive_maximum = 2;
  sub.connect("dev-sub", true, 60, std::nullopt, p);
  pub.connect("dev-pub");
  sub.subscribe({{"w", QoS::at_least_once}});
  for (int i = 0; i < 5; ++i) pub.publish("w", "x", QoS::at_least_once, false, static_cast<std::uint16_t>(i + 1));
  EXPECT_EQ(sub.take<mqtt::Publish>().size(), 2u);
}

TEST(Connection, RetainedMessages) {
  World w;
  Client pub(w, Version::v5);
  pub.connect("dev-pub");
  pub.publish("r/a", "keep", QoS::at_least_once, true, 1);
  EXPECT_EQ(pub.take<mqtt::Puback>()[0].reason_code, 0);
  pub.publish("plain", "nope", QoS::at_least_once, true, 2);  // iot:RetainPublish not granted
  EXPECT_EQ(pub.take<mqtt::Puback>()[0].reason_code, static_cast<std::uint8_t>(ReasonCode::not_authorized));
  EXPECT_EQ(w.retained.size(), 1u);

  Client sub(w, Version::v3_1_1);
  sub.connect("dev-sub");
  sub.subscribe({{"r/#", QoS::at_least_once}});
  auto got = sub.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].retain);
  EXPECT_EQ(got[0].qos, QoS::at_least_once);
  EXPECT_EQ(text(got[0].payload), "keep");
  // A QoS 0 subscription gets the QoS 1 retained message at QoS 0.
  Client sub0(w, Version::v3_1_1);
  sub0.connect("dev-sub0");
  sub0.subscribe({{"r/a", QoS::at_most_once}});
  auto got0 = sub0.take<mqtt::Publish>();
  ASSERT_EQ(got0.size(), 1u);
  EXPECT_EQ(got0[0].qos, QoS::at_most_once);
  EXPECT_TRUE(got0[0].retain);
  // Live messages to an existing subscriber carry retain = 0 (3.1.1 §3.3.1.3).
  pub.publish("r/a", "again", QoS::at_most_once, true);
  got = sub.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].retain);
  // An empty retained payload deletes.
  pub.publish("r/a", "", QoS::at_most_once, true);
  EXPECT_EQ(w.retained.size(), 0u);
}

TEST(Connection, V5RetainHandlingAndRetainAsPublished) {
  World w;
  Client pub(w, Version::v5), sub(w, Version::v5);
  pub.connect("dev-pub");
  pub.publish("r/x", "kept", QoS::at_most_once, true);
  sub.connect("dev-sub");
  sub.subscribe({{"r/#", QoS::at_most_once, false, false, 2}});  // 2: never send retained
  EXPECT_TRUE(sub.take<mqtt::Publish>().empty());
  sub.subscribe({{"r/+", QoS::at_most_once, false, true, 1}});  // 1: only if new
  EXPECT_EQ(sub.take<mqtt::Publish>().size(), 1u);
  sub.subscribe({{"r/+", QoS::at_most_once, false, true, 1}});  // no longer new
  EXPECT_TRUE(sub.take<mqtt::Publish>().empty());
  // Live retained publish: r/+ keeps RETAIN (retain as published), r/# clears it.
  pub.publish("r/x", "live", QoS::at_most_once, true);
  auto got = sub.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].retain, got[1].retain);
}

TEST(Connection, WillPublishedOnLossNotOnCleanDisconnect) {
  World w;
  Client watcher(w, Version::v3_1_1);
  watcher.connect("dev-w");
  watcher.subscribe({{"lwt/+", QoS::at_most_once}});
  {
    Client c(w, Version::v3_1_1);
    c.connect("dev-1", true, 60, mqtt::Will{"lwt/1", {'x'}, QoS::at_most_once, false, {}});
    c.send(mqtt::Disconnect{});
  }
  EXPECT_TRUE(watcher.take<mqtt::Publish>().empty());
  {
    Client c(w, Version::v3_1_1);
    c.connect("dev-2", true, 60, mqtt::Will{"lwt/2", {'y'}, QoS::at_most_once, false, {}});
    c.drop();
  }
  auto got = watcher.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, "lwt/2");
}

TEST(Connection, TopicAliases) {
  World w;
  Client sub(w, Version::v3_1_1), c(w, Version::v5);
  sub.connect("dev-sub");
  sub.subscribe({{"long/topic/name", QoS::at_most_once}});
  c.connect("dev-1");
  mqtt::Publish p;
  p.topic = "long/topic/name";
  p.properties.topic_alias = 3;
  p.payload = {'1'};
  c.send(p);
  p.topic.clear();
  p.payload = {'2'};
  c.send(p);
  auto got = sub.take<mqtt::Publish>();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].topic, "long/topic/name");
  p.properties.topic_alias = 9;  // above the maximum of 8 we announced
  c.send(p);
  auto d = c.take<mqtt::Disconnect>();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].reason_code, static_cast<std::uint8_t>(ReasonCode::topic_alias_invalid));
}

TEST(Connection, SubscribeLimits) {
  World w;
  Client c(w, Version::v5);
  c.connect("dev-1");
  std::vector<mqtt::Subscription> nine;
  for (int i = 0; i < 9; ++i) nine.push_back({"f/" + std::to_string(i), QoS::at_most_once});
  auto ack = c.subscribe(nine);
  ASSERT_EQ(ack.reason_codes.size(), 9u);
  EXPECT_EQ(ack.reason_codes[7], 0x00);
  EXPECT_EQ(ack.reason_codes[8], static_cast<std::uint8_t>(ReasonCode::quota_exceeded));
  for (int i = 8; i < 50; ++i) c.subscribe({{"f/" + std::to_string(i), QoS::at_most_once}});
  EXPECT_EQ(c.subscribe({{"f/50", QoS::at_most_once}}).reason_codes[0], static_cast<std::uint8_t>(ReasonCode::quota_exceeded));
  EXPECT_EQ(c.subscribe({{"f/3", QoS::at_least_once}}).reason_codes[0], 0x01);  // re-subscribing is not new
}

TEST(Connection, UnsubscribeReasonCodes) {
  World w;
  Client c(w, Version::v5);
  c.connect("dev-1");
  c.subscribe({{"a", QoS::at_most_once}, {"forbidden", QoS::at_most_once}});
  c.send(mqtt::Unsubscribe{2, {}, {"a", "b"}});
  auto acks = c.take<mqtt::Unsuback>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].reason_codes, (std::vector<std::uint8_t>{0x00, 0x11}));
  // Subscription events list only what actually changed.
  std::vector<SubscriptionChange> changes;
  for (auto& e : c.events)
    if (auto* sc = std::get_if<SubscriptionChange>(&e)) changes.push_back(*sc);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_TRUE(changes[0].subscribed);
  EXPECT_EQ(changes[0].topics, std::vector<std::string>{"a"});
  EXPECT_FALSE(changes[1].subscribed);
  EXPECT_EQ(changes[1].topics, std::vector<std::string>{"a"});
}

TEST(Connection, SharedSubscriptionsRoundRobin) {
  World w;
  Client a(w, Version::v5), b(w, Version::v5), pub(w, Version::v5);
  a.connect("dev-a");
  b.connect("dev-b");
  pub.connect("dev-p");
  a.subscribe({{"$share/g/jobs", QoS::at_most_once}});
  b.subscribe({{"$share/g/jobs", QoS::at_most_once}});
  for (int i = 0; i < 4; ++i) pub.publish("jobs", "j");
  EXPECT_EQ(a.take<mqtt::Publish>().size(), 2u);
  EXPECT_EQ(b.take<mqtt::Publish>().size(), 2u);
}

}  // namespace

// The core refuses a client whose certificate was revoked while it was being admitted by
// denying every action for it: its CONNECT is then refused (iot:Connect) before it reaches the
// hub, so it cannot take over (or even touch) the live session of the same client ID.
TEST(Connection, DeniedConnectNeverTouchesTheSessionOfTheSameClientId) {
  for (auto v : {Version::v5, Version::v3_1_1}) {
    World w;
    Client live(w, v);
    live.connect("dev-1");
    live.subscribe({{"t", QoS::at_most_once}});
    const Authorizer policy = w.authorize;
    w.authorize = [](const iot::policy::Request&) { return iot::policy::Decision{}; };
    Client revoked(w, v);  // takes the deny-all authorizer
    w.authorize = policy;
    mqtt::Connect c;
    c.version = v;
    c.client_id = "dev-1";
    c.clean_start = true;
    revoked.send(c);
    ASSERT_NE(revoked.closed(), nullptr);
    EXPECT_TRUE(revoked.take<mqtt::Connack>().empty());  // like AWS: closed without a CONNACK
    live.collect();
    EXPECT_TRUE(live.take<mqtt::Disconnect>().empty());
    EXPECT_EQ(live.closed(), nullptr);
    // The live session still owns the ID and still receives.
    Client pub(w, v);
    pub.connect("dev-p");
    pub.publish("t", "x");
    EXPECT_EQ(live.take<mqtt::Publish>().size(), 1u);
  }
}

// MQTT 5 §3.14.2.2.2: a DISCONNECT may change the session expiry (capped like the CONNECT's),
// or end the session with it (0); from 0 to non-zero is a protocol error (MQTT-3.14.2-2).
TEST(Connection, V5DisconnectChangesTheSessionExpiry) {
  World w;
  w.hub.advance_time(1000);
  auto with_expiry = [](std::uint32_t seconds) {
    mqtt::Properties p;
    p.session_expiry_interval = seconds;
    return p;
  };
  {
    Client ends(w, Version::v5), longer(w, Version::v5), capped(w, Version::v5);
    ends.connect("dev-end", false, 60, std::nullopt, with_expiry(600));
    ends.send(mqtt::Disconnect{0, with_expiry(0)});
    EXPECT_NE(ends.closed(), nullptr);
    longer.connect("dev-long", false, 60, std::nullopt, with_expiry(60));
    longer.send(mqtt::Disconnect{0, with_expiry(1200)});
    capped.connect("dev-cap", false, 60, std::nullopt, with_expiry(60));
    capped.send(mqtt::Disconnect{0, with_expiry(0xFFFFFFFF)});  // capped at the account's hour
  }
  EXPECT_EQ(w.hub.session_count(), 2u);  // dev-end's session ended with its connection
  w.hub.advance_time(1000 + 1199);
  EXPECT_EQ(w.hub.session_count(), 2u);  // not gone at the CONNECT's 60 s
  w.hub.advance_time(1000 + 1200);
  EXPECT_EQ(w.hub.session_count(), 1u);
  w.hub.advance_time(1000 + 3600);
  EXPECT_EQ(w.hub.session_count(), 0u);
  Client back(w, Version::v5);
  EXPECT_FALSE(back.connect("dev-end", false, 60, std::nullopt, with_expiry(60)).session_present);
}

TEST(Connection, V5DisconnectSettingAnExpiryAfterZeroIsAProtocolError) {
  World w;
  Client c(w, Version::v5);
  c.connect("dev-0");  // clean, expiry 0
  c.send(mqtt::Disconnect{0, [] {
           mqtt::Properties p;
           p.session_expiry_interval = 60;
           return p;
         }()});
  auto d = c.take<mqtt::Disconnect>();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].reason_code, static_cast<std::uint8_t>(ReasonCode::protocol_error));
  EXPECT_NE(c.closed(), nullptr);
  EXPECT_EQ(w.hub.session_count(), 0u);
}
