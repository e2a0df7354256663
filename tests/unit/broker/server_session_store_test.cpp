// SqliteSessionStore on a temporary directory: every hook round-trips through a reopen, a Hub
// restores from it, and garbage rows (or a file that is not a database) give clear errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "broker/server_session_store.hpp"
#include "iot/sqlite.hpp"
#include "session_client.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::testing;
using mqtt::QoS;

namespace {

namespace fs = std::filesystem;

class SqliteSessions : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("broker-sessions-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path db() const { return dir_ / "broker.db"; }
  void sql(const std::string& statement) {
    iot::Database raw(db().string());
    raw.exec(statement.c_str());
  }
  fs::path dir_;
};

const SessionKey kKey{kScope, "dev-1"};

StoredSession session(const SessionKey& key, std::uint32_t expiry = 3600) {
  StoredSession s;
  s.key = key;
  s.expiry_seconds = expiry;
  s.offline_since = 1234;
  return s;
}

TEST_F(SqliteSessions, EveryHookSurvivesAReopen) {
  {
    SqliteSessionStore store(db());
    store.save_session(session(kKey, 0xFFFFFFFF));
    store.save_session(session({Scope{"222222222222", "eu-west-1"}, "dev-1"}));
    store.save_subscription(kKey, "a/+", Subscriber{99, QoS::at_least_once, true, true, 268'435'455});
    store.save_subscription(kKey, "$share/g/b/#", Subscriber{99, QoS::at_most_once});
    store.save_subscription(kKey, "gone", Subscriber{99, QoS::at_most_once});
    store.delete_subscription(kKey, "gone");
    StoredMessage m{3, "a/b", Bytes{0, 1, 0xFF}, {}, false};
    m.properties.content_type = "bin";
    m.properties.user_properties = {{"k", "v"}};
    m.properties.message_expiry_interval = 30;
    store.save_message(kKey, m);
    store.save_message(kKey, StoredMessage{1, "a/c", Bytes{}, {}, false});
    store.save_message(kKey, StoredMessage{2, "a/d", Bytes{'x'}, {}, false});
    store.delete_message(kKey, 2);
    store.mark_redelivery(kKey, 1);
  }
  SqliteSessionStore again(db());
  auto loaded = again.load();
  EXPECT_TRUE(loaded.errors.empty());
  ASSERT_EQ(loaded.sessions.size(), 2u);
  const StoredSession& s = loaded.sessions[0].key == kKey ? loaded.sessions[0] : loaded.sessions[1];
  EXPECT_EQ(s.expiry_seconds, 0xFFFFFFFFu);
  EXPECT_EQ(s.offline_since, 1234);
  EXPECT_FALSE(s.online);
  ASSERT_EQ(s.subscriptions.size(), 2u);
  EXPECT_EQ(s.subscriptions.at("a/+"), (Subscriber{0, QoS::at_least_once, true, true, 268'435'455}));
  EXPECT_EQ(s.subscriptions.at("$share/g/b/#"), (Subscriber{0, QoS::at_most_once}));
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0], (StoredMessage{1, "a/c", Bytes{}, {}, true}));
  EXPECT_EQ(s.messages[1].seq, 3u);
  EXPECT_EQ(s.messages[1].payload, (Bytes{0, 1, 0xFF}));
  EXPECT_EQ(s.messages[1].properties.content_type, "bin");
  EXPECT_EQ(s.messages[1].properties.user_properties, (mqtt::UserProperties{{"k", "v"}}));
  EXPECT_EQ(s.messages[1].properties.message_expiry_interval, 30u);

  again.delete_session(kKey);
  auto after = again.load();
  ASSERT_EQ(after.sessions.size(), 1u);
  EXPECT_TRUE(after.errors.empty());  // no orphans left behind
  EXPECT_NE(after.sessions[0].key, kKey);
}

TEST_F(SqliteSessions, AHubRestartsFromIt) {
  {
    SqliteSessionStore store(db());
    World before(store);
    Client sub(before, mqtt::Version::v3_1_1);
    sub.connect("dev-sub", false);
    sub.subscribe({"q/#", QoS::at_least_once});
    sub.drop();
    Client pub(before, mqtt::Version::v5);
    pub.connect("dev-pub", true);
    pub.publish("q/1", "kept", 1);
    Client clean(before, mqtt::Version::v5);
    clean.connect("dev-clean", true);
    clean.subscribe({"q/#", QoS::at_least_once});
  }
  SqliteSessionStore store(db());
  World after(store);
  EXPECT_EQ(after.restored.sessions, 1u);  // the clean session left nothing
  Client back(after, mqtt::Version::v3_1_1);
  EXPECT_TRUE(back.connect("dev-sub", false).session_present);
  auto got = back.replayed();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0].payload), "kept");
  back.puback(got[0].packet_id);
  EXPECT_EQ(store.load().sessions.at(0).messages.size(), 0u);
}

TEST_F(SqliteSessions, GarbageRowsAreReportedDeletedAndSkipped) {
  {
    SqliteSessionStore store(db());
    store.save_session(session(kKey));
    store.save_subscription(kKey, "good/+", Subscriber{0, QoS::at_least_once});
    store.save_message(kKey, StoredMessage{1, "good/1", Bytes{'g'}, {}, false});
  }
  sql("INSERT INTO sessions VALUES ('', 'us-east-1', 'x', 60, 0, 0);"
      "INSERT INTO sessions VALUES ('111111111111', 'us-east-1', 'zero-expiry', 0, 0, 0);"
      "INSERT INTO sessions VALUES ('111111111111', 'us-east-1', 'bad-online', 60, 0, 7);"
      "INSERT INTO sessions VALUES ('111111111111', 'us-east-1', 'huge', 99999999999, 0, 0);"
      "INSERT INTO session_subscriptions VALUES ('111111111111', 'us-east-1', 'dev-1', 'a/#/b', 1, 0, 0, 0);"
      "INSERT INTO session_subscriptions VALUES ('111111111111', 'us-east-1', 'dev-1', 'q2', 2, 0, 0, 0);"
      "INSERT INTO session_subscriptions VALUES ('111111111111', 'us-east-1', 'dev-1', 'flags', 1, 5, 0, 0);"
      "INSERT INTO session_subscriptions VALUES ('111111111111', 'us-east-1', 'dev-1', 'id', 1, 0, 0, -1);"
      "INSERT INTO session_subscriptions VALUES ('111111111111', 'us-east-1', 'nobody', 'x', 1, 0, 0, 0);"
      "INSERT INTO session_messages VALUES ('111111111111', 'us-east-1', 'dev-1', 2, 'a/+', '00', '{}', 0);"
      "INSERT INTO session_messages VALUES ('111111111111', 'us-east-1', 'dev-1', 3, 'a', 'zz', '{}', 0);"
      "INSERT INTO session_messages VALUES ('111111111111', 'us-east-1', 'dev-1', 4, 'a', '00', 'not json', 0);"
      "INSERT INTO session_messages VALUES ('111111111111', 'us-east-1', 'dev-1', 5, 'a', '00', '{\"pfi\":\"x\"}', 0);"
      "INSERT INTO session_messages VALUES ('111111111111', 'us-east-1', 'dev-1', 6, 'a', '00', '[1]', 0);"
      "INSERT INTO session_messages VALUES ('111111111111', 'us-east-1', 'dev-1', 0, 'a', '00', '{}', 0);"
      "INSERT INTO session_messages VALUES ('111111111111', 'us-east-1', 'dev-1', 8, 'a', '00', '{}', 3);"
      "INSERT INTO session_messages VALUES ('111111111111', 'us-east-1', 'nobody', 9, 'a', '00', '{}', 0);"
      "INSERT INTO session_messages VALUES (X'00', 'us-east-1', 'dev-1', 10, X'FF', X'00', X'00', 0);");
  SqliteSessionStore store(db());
  auto loaded = store.load();
  ASSERT_EQ(loaded.sessions.size(), 1u);
  EXPECT_EQ(loaded.sessions[0].subscriptions.size(), 1u);
  EXPECT_EQ(loaded.sessions[0].messages.size(), 1u);
  EXPECT_EQ(loaded.errors.size(), 4u + 5u + 9u);
  auto mentions = [&](const std::string& what) {
    for (const auto& e : loaded.errors)
      if (e.find(what) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(mentions("empty account or region"));
  EXPECT_TRUE(mentions("expiry 0 out of range"));
  EXPECT_TRUE(mentions("online flag 7"));
  EXPECT_TRUE(mentions("invalid topic filter \"a/#/b\""));
  EXPECT_TRUE(mentions("QoS 2 is not 0 or 1"));
  EXPECT_TRUE(mentions("subscription identifier -1 out of range"));
  EXPECT_TRUE(mentions("no such session"));
  EXPECT_TRUE(mentions("invalid topic \"a/+\""));
  EXPECT_TRUE(mentions("payload is not hex"));
  EXPECT_TRUE(mentions("properties are not a JSON object"));
  EXPECT_TRUE(mentions("bad properties"));
  EXPECT_TRUE(mentions("sequence number 0"));
  EXPECT_TRUE(mentions(db().string()));
  // The bad rows are gone: a second load is clean.
  auto again = store.load();
  EXPECT_TRUE(again.errors.empty());
  EXPECT_EQ(again.sessions, loaded.sessions);
  // A hub restores the good part (offline since 1234, expiry 3600: still valid at 2000).
  World w(store, 2000);
  EXPECT_EQ(w.restored.sessions, 1u);
  EXPECT_EQ(w.restored.messages, 1u);
}

TEST_F(SqliteSessions, AFileThatIsNotADatabaseIsAClearError) {
  {
    std::ofstream out(db(), std::ios::binary);
    out << std::string(8192, 'G');
  }
  try {
    SqliteSessionStore store(db());
    ADD_FAILURE() << "opened garbage";
  } catch (const iot::StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(db().string()), std::string::npos) << e.what();
  }
}

}  // namespace
