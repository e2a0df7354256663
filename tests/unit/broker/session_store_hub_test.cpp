// The Hub's SessionStore hooks, driven through Connections with bytes: what a persistent session
// records (and when: before the acknowledgement), what a clean session records (nothing), and a
// "restart" — a new Hub restored from the same store.
#include <gtest/gtest.h>

#include "session_client.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::testing;
using mqtt::QoS;
using mqtt::Version;

namespace {

const SessionKey kSub{kScope, "dev-sub"};

TEST(SessionStoreHub, CleanSessionsWriteNothing) {
  InMemorySessionStore store;
  World w(store);
  Client sub(w, Version::v3_1_1), pub(w, Version::v5);
  sub.connect("dev-sub", true);
  sub.subscribe({"t/+", QoS::at_least_once});
  pub.connect("dev-pub", true, 0);
  pub.publish("t/1", "m", 7);
  EXPECT_EQ(sub.take<mqtt::Publish>().size(), 1u);
  sub.puback(1);
  sub.drop();
  pub.drop();
  EXPECT_EQ(store.writes(), 0u);
}

TEST(SessionStoreHub, SubscriptionIsRecordedBeforeTheSuback) {
  InMemorySessionStore store;
  World w(store);
  Client sub(w, Version::v5);
  EXPECT_FALSE(sub.connect("dev-sub", false, 600).session_present);
  auto row = store.find(kSub);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->expiry_seconds, 600u);
  EXPECT_TRUE(row->online);
  sub.send(mqtt::Subscribe{1, {}, {{"a/#", QoS::at_least_once, true, true, 0}, {"b", QoS::at_most_once}}});
  // The SUBACK is among the events of the same call: by then both rows exist.
  ASSERT_EQ(sub.take<mqtt::Suback>().size(), 1u);
  row = store.find(kSub);
  ASSERT_EQ(row->subscriptions.size(), 2u);
  EXPECT_EQ(row->subscriptions.at("a/#"), (Subscriber{0, QoS::at_least_once, true, true, 0}));
  EXPECT_EQ(row->subscriptions.at("b").qos, QoS::at_most_once);
  sub.send(mqtt::Unsubscribe{2, {}, {"b"}});
  EXPECT_EQ(store.find(kSub)->subscriptions.count("b"), 0u);
}

TEST(SessionStoreHub, Qos1ForAnOfflineSessionIsStoredBeforeThePuback) {
  InMemorySessionStore store;
  World w(store);
  {
    Client sub(w, Version::v3_1_1);
    sub.connect("dev-sub", false);
    sub.subscribe({"q/+", QoS::at_least_once});
    sub.drop();
  }
  EXPECT_FALSE(store.find(kSub)->online);
  EXPECT_EQ(store.find(kSub)->expiry_seconds, 3600u);  // 3.1.1: the AWS default
  Client pub(w, Version::v3_1_1);
  pub.connect("dev-pub", true);
  pub.publish("q/1", "one", 5);
  ASSERT_EQ(pub.take<mqtt::Puback>().size(), 1u);
  auto row = store.find(kSub);
  ASSERT_EQ(row->messages.size(), 1u);
  EXPECT_EQ(row->messages[0].topic, "q/1");
  EXPECT_EQ(text(row->messages[0].payload), "one");
  pub.publish("q/0", "qos0", 0);  // QoS 0 is never stored
  EXPECT_EQ(store.message_count(), 1u);

  // Online: handed over, still stored until the subscriber's PUBACK.
  Client back(w, Version::v3_1_1);
  EXPECT_TRUE(back.connect("dev-sub", false).session_present);
  auto got = back.replayed();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(store.message_count(), 1u);
  back.puback(got[0].packet_id);
  EXPECT_EQ(store.message_count(), 0u);
  pub.publish("q/2", "two", 6);
  auto live = back.take<mqtt::Publish>();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(store.message_count(), 1u);  // a crash now would not lose it
  back.puback(live[0].packet_id);
  EXPECT_EQ(store.message_count(), 0u);
}

TEST(SessionStoreHub, RestartRestoresSubscriptionsQueueAndSessionPresent) {
  InMemorySessionStore store;
  {
    World before(store);
    Client sub(before, Version::v5);
    sub.connect("dev-sub", false, 0xFFFFFFFF);
    sub.subscribe({"q/#", QoS::at_least_once, false, false, 0}, 42);
    sub.drop();
    Client pub(before, Version::v5);
    pub.connect("dev-pub", true);
    pub.publish("q/1", "before", 1);
  }  // the process dies
  World after(store, 1'000'500);
  EXPECT_EQ(after.restored.sessions, 1u);
  EXPECT_EQ(after.restored.messages, 1u);
  EXPECT_TRUE(after.restored.errors.empty());
  // The subscription routes before the client is back: offline queueing resumes.
  Client pub(after, Version::v3_1_1);
  pub.connect("dev-pub", true);
  pub.publish("q/2", "after", 1);
  EXPECT_EQ(store.message_count(), 2u);
  Client back(after, Version::v5);
  EXPECT_TRUE(back.connect("dev-sub", false, 0xFFFFFFFF).session_present);
  auto got = back.replayed();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(text(got[0].payload), "before");
  EXPECT_EQ(text(got[1].payload), "after");
  EXPECT_FALSE(got[0].dup);  // never sent before
  EXPECT_EQ(got[0].properties.subscription_identifiers, std::vector<std::uint32_t>{});  // queued: no sub id
  // Live deliveries carry the restored subscription identifier.
  pub.publish("q/3", "live", 2);
  auto live = back.take<mqtt::Publish>();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].properties.subscription_identifiers, std::vector<std::uint32_t>{42});
  // New messages continue the sequence numbers after the restored ones.
  auto row = store.find(kSub);
  ASSERT_EQ(row->messages.size(), 3u);
  EXPECT_LT(row->messages[1].seq, row->messages[2].seq);
}

TEST(SessionStoreHub, SentButUnacknowledgedComesBackWithDup) {
  InMemorySessionStore store;
  {
    World before(store);
    Client sub(before, Version::v3_1_1);
    sub.connect("dev-sub", false);
    sub.subscribe({"q", QoS::at_least_once});
    Client pub(before, Version::v3_1_1);
    pub.connect("dev-pub", true);
    pub.publish("q", "in flight", 1);
    ASSERT_EQ(sub.take<mqtt::Publish>().size(), 1u);  // sent, never acknowledged
    sub.drop();
    EXPECT_TRUE(store.find(kSub)->messages.at(0).redelivery);
  }
  World after(store);
  Client back(after, Version::v3_1_1);
  EXPECT_TRUE(back.connect("dev-sub", false).session_present);
  auto got = back.replayed();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].dup);
}

TEST(SessionStoreHub, CrashWhileConnectedReplaysWithDupAndStartsExpiryAtRestart) {
  InMemorySessionStore store;  // as a kill -9 leaves it: the session was online, a message handed over
  StoredSession row;
  row.key = kSub;
  row.expiry_seconds = 100;
  row.offline_since = 0;
  row.online = true;
  store.save_session(row);
  store.save_subscription(kSub, "q", Subscriber{0, QoS::at_least_once});
  store.save_message(kSub, StoredMessage{7, "q", Bytes{'m'}, {}, false});
  World after(store, 5000);  // long after 100 s, but the disconnect was never seen
  EXPECT_EQ(after.restored.sessions, 1u);
  EXPECT_FALSE(store.find(kSub)->online);
  EXPECT_EQ(store.find(kSub)->offline_since, 5000);
  Client back(after, Version::v5);
  EXPECT_TRUE(back.connect("dev-sub", false, 100).session_present);
  auto got = back.replayed();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].dup);  // it may have been sent before the crash
}

TEST(SessionStoreHub, ExpiredSessionsAreDroppedAtRestartAndTheirRowsDeleted) {
  InMemorySessionStore store;
  {
    World before(store, 1000);
    Client v5(before, Version::v5);
    v5.connect("dev-short", false, 60);
    v5.subscribe({"x", QoS::at_least_once});
    v5.drop();
    Client v3(before, Version::v3_1_1);
    v3.connect("dev-long", false);
    v3.drop();
  }
  World after(store, 1000 + 61);
  EXPECT_EQ(after.restored.expired, 1u);
  EXPECT_EQ(after.restored.sessions, 1u);
  EXPECT_FALSE(store.find({kScope, "dev-short"}));
  Client back(after, Version::v5);
  EXPECT_FALSE(back.connect("dev-short", false, 60).session_present);
  // And expiry while running deletes the rows too.
  back.drop();
  after.hub.advance_time(1000 + 3600 + 61);
  EXPECT_EQ(store.session_count(), 0u);
}

TEST(SessionStoreHub, OfflineQueueLimitAppliesWhenRestoring) {
  InMemorySessionStore store;
  {
    World before(store, 1000, 10);
    Client sub(before, Version::v3_1_1);
    sub.connect("dev-sub", false);
    sub.subscribe({"q", QoS::at_least_once});
    sub.drop();
    Client pub(before, Version::v3_1_1);
    pub.connect("dev-pub", true);
    for (int i = 0; i < 15; ++i) pub.publish("q", "m" + std::to_string(i), static_cast<std::uint16_t>(i + 1));
    EXPECT_EQ(store.message_count(), 10u);  // the limit holds while running
  }
  World after(store, 1000, 4);  // restarted with a smaller limit
  EXPECT_EQ(after.restored.messages, 4u);
  EXPECT_EQ(store.message_count(), 4u);
  Client back(after, Version::v3_1_1);
  back.connect("dev-sub", false);
  auto got = back.replayed();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(text(got[0].payload), "m0");  // the oldest are kept
}

TEST(SessionStoreHub, CleanStartAndExpiryZeroDeleteTheSession) {
  InMemorySessionStore store;
  World w(store);
  {
    Client a(w, Version::v3_1_1);
    a.connect("dev-sub", false);
    a.subscribe({"q", QoS::at_least_once});
    a.drop();
  }
  ASSERT_TRUE(store.find(kSub));
  {
    Client b(w, Version::v5);
    EXPECT_TRUE(b.connect("dev-sub", false, 0).session_present);  // resumed, but ends with this connection
    EXPECT_FALSE(store.find(kSub));
    b.drop();
  }
  Client c(w, Version::v3_1_1);
  c.connect("dev-sub", false);
  c.subscribe({"q", QoS::at_least_once});
  c.drop();
  ASSERT_TRUE(store.find(kSub));
  Client d(w, Version::v3_1_1);
  EXPECT_FALSE(d.connect("dev-sub", true).session_present);
  EXPECT_FALSE(store.find(kSub));
}

TEST(SessionStoreHub, TakeoverHandsUnacknowledgedMessagesToTheNewConnection) {
  InMemorySessionStore store;
  World w(store);
  Client old(w, Version::v3_1_1);
  old.connect("dev-sub", false);
  old.subscribe({"q", QoS::at_least_once});
  Client pub(w, Version::v3_1_1);
  pub.connect("dev-pub", true);
  pub.publish("q", "m", 1);
  ASSERT_EQ(old.take<mqtt::Publish>().size(), 1u);
  Client fresh(w, Version::v3_1_1);
  EXPECT_TRUE(fresh.connect("dev-sub", false).session_present);
  auto got = fresh.replayed();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].dup);
  fresh.puback(got[0].packet_id);
  EXPECT_EQ(store.message_count(), 0u);
}

}  // namespace
