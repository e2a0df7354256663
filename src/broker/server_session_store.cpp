#include "broker/server_session_store.hpp"

#include <fmt/format.h>

#include <limits>

#include "broker/server_properties_json.hpp"
#include "iot/sqlite.hpp"
#include "mqtt/topic.hpp"

namespace trustlane::broker {

namespace {

constexpr std::int64_t kMaxSubscriptionId = 268'435'455;  // MQTT 5 variable byte integer maximum

bool is_flag(std::int64_t v) { return v == 0 || v == 1; }

std::string describe(const SessionKey& k) {
  return fmt::format("({}, {}, {})", k.scope.account, k.scope.region, k.client_id);
}

// The key columns (0, 1, 2) of a row, or why they are unusable.
std::optional<std::string> read_key(const iot::Statement& st, SessionKey& key) {
  key = SessionKey{Scope{st.text(0), st.text(1)}, st.text(2)};
  if (key.scope.account.empty() || key.scope.region.empty()) return "empty account or region";
  if (key.client_id.empty() || key.client_id.size() > 65535) return "client ID empty or too long";
  return std::nullopt;
}

}  // namespace

SqliteSessionStore::SqliteSessionStore(const std::filesystem::path& path) : path_(path) {
  try {
    db_ = std::make_unique<iot::Database>(path.string());
    create_tables();
  } catch (const iot::StorageError& e) {
    throw iot::StorageError("broker sessions in " + path.string() + ": " + e.what());
  }
}

void SqliteSessionStore::create_tables() {
  db_->exec(
      "CREATE TABLE IF NOT EXISTS sessions (account TEXT NOT NULL, region TEXT NOT NULL, client_id TEXT NOT NULL,"
      " expiry INTEGER NOT NULL, offline_since INTEGER NOT NULL, online INTEGER NOT NULL,"
      " PRIMARY KEY (account, region, client_id));"
      "CREATE TABLE IF NOT EXISTS session_subscriptions (account TEXT NOT NULL, region TEXT NOT NULL,"
      " client_id TEXT NOT NULL, filter TEXT NOT NULL, qos INTEGER NOT NULL, no_local INTEGER NOT NULL,"
      " retain_as_published INTEGER NOT NULL, subscription_id INTEGER NOT NULL,"
      " PRIMARY KEY (account, region, client_id, filter));"
      "CREATE TABLE IF NOT EXISTS session_messages (account TEXT NOT NULL, region TEXT NOT NULL,"
      " client_id TEXT NOT NULL, seq INTEGER NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL,"
      " properties TEXT NOT NULL, redelivery INTEGER NOT NULL, PRIMARY KEY (account, region, client_id, seq))");
}

SqliteSessionStore::~SqliteSessionStore() = default;

void SqliteSessionStore::save_session(const StoredSession& s) {
  db_->prepare(
         "INSERT INTO sessions (account, region, client_id, expiry, offline_since, online) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
         " ON CONFLICT (account, region, client_id) DO UPDATE SET expiry = ?4, offline_since = ?5, online = ?6")
      .bind(1, s.key.scope.account)
      .bind(2, s.key.scope.region)
      .bind(3, s.key.client_id)
      .bind(4, static_cast<std::int64_t>(s.expiry_seconds))
      .bind(5, s.offline_since)
      .bind(6, static_cast<std::int64_t>(s.online))
      .run();
}

void SqliteSessionStore::delete_session(const SessionKey& k) {
  iot::Transaction tx(*db_);
  for (const char* sql : {"DELETE FROM session_messages WHERE account = ?1 AND region = ?2 AND client_id = ?3",
                          "DELETE FROM session_subscriptions WHERE account = ?1 AND region = ?2 AND client_id = ?3",
                          "DELETE FROM sessions WHERE account = ?1 AND region = ?2 AND client_id = ?3"})
    db_->prepare(sql).bind(1, k.scope.account).bind(2, k.scope.region).bind(3, k.client_id).run();
  tx.commit();
}

void SqliteSessionStore::save_subscription(const SessionKey& k, const std::string& filter, const Subscriber& o) {
  db_->prepare(
         "INSERT OR REPLACE INTO session_subscriptions (account, region, client_id, filter, qos, no_local,"
         " retain_as_published, subscription_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
      .bind(1, k.scope.account)
      .bind(2, k.scope.region)
      .bind(3, k.client_id)
      .bind(4, filter)
      .bind(5, static_cast<std::int64_t>(o.qos))
      .bind(6, static_cast<std::int64_t>(o.no_local))
      .bind(7, static_cast<std::int64_t>(o.retain_as_published))
      .bind(8, static_cast<std::int64_t>(o.subscription_id))
      .run();
}

void SqliteSessionStore::delete_subscription(const SessionKey& k, const std::string& filter) {
  db_->prepare("DELETE FROM session_subscriptions WHERE account = ?1 AND region = ?2 AND client_id = ?3 AND filter = ?4")
      .bind(1, k.scope.account)
      .bind(2, k.scope.region)
      .bind(3, k.client_id)
      .bind(4, filter)
      .run();
}

void SqliteSessionStore::save_message(const SessionKey& k, const StoredMessage& m) {
  db_->prepare(
         "INSERT OR REPLACE INTO session_messages (account, region, client_id, seq, topic, payload, properties,"
         " redelivery) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
      .bind(1, k.scope.account)
      .bind(2, k.scope.region)
      .bind(3, k.client_id)
      .bind(4, static_cast<std::int64_t>(m.seq))
      .bind(5, m.topic)
      .bind(6, to_hex(m.payload))
      .bind(7, properties_to_json(m.properties).dump())
      .bind(8, static_cast<std::int64_t>(m.redelivery))
      .run();
}

void SqliteSessionStore::mark_redelivery(const SessionKey& k, std::uint64_t seq) {
  db_->prepare("UPDATE session_messages SET redelivery = 1 WHERE account = ?1 AND region = ?2 AND client_id = ?3 AND seq = ?4")
      .bind(1, k.scope.account)
      .bind(2, k.scope.region)
      .bind(3, k.client_id)
      .bind(4, static_cast<std::int64_t>(seq))
      .run();
}

void SqliteSessionStore::delete_message(const SessionKey& k, std::uint64_t seq) {
  db_->prepare("DELETE FROM session_messages WHERE account = ?1 AND region = ?2 AND client_id = ?3 AND seq = ?4")
      .bind(1, k.scope.account)
      .bind(2, k.scope.region)
      .bind(3, k.client_id)
      .bind(4, static_cast<std::int64_t>(seq))
      .run();
}

SessionLoad SqliteSessionStore::load() {
  SessionLoad out;
  std::map<SessionKey, std::size_t> index;  // key → position in out.sessions
  load_sessions(out, index);
  load_subscriptions(out, index);
  load_messages(out, index);
  return out;
}

void SqliteSessionStore::load_sessions(SessionLoad& out, std::map<SessionKey, std::size_t>& index) {
  std::vector<std::int64_t> bad;
  auto& st = db_->prepare("SELECT account, region, client_id, expiry, offline_since, online, rowid FROM sessions");
  while (st.step()) {
    StoredSession s;
    auto problem = read_key(st, s.key);
    std::int64_t expiry = st.integer(3), online = st.integer(5);
    if (!problem && (expiry < 1 || expiry > 0xFFFFFFFF)) problem = fmt::format("expiry {} out of range", expiry);
    if (!problem && !is_flag(online)) problem = fmt::format("online flag {} is not 0 or 1", online);
    if (problem) {
      out.errors.push_back(fmt::format("{}: session row {} {}: {}; deleted", path_.string(), st.integer(6),
                                       describe(s.key), *problem));
      bad.push_back(st.integer(6));
      continue;
    }
    s.expiry_seconds = static_cast<std::uint32_t>(expiry);
    s.offline_since = st.integer(4);
    s.online = online == 1;
    index.emplace(s.key, out.sessions.size());
    out.sessions.push_back(std::move(s));
  }
  st.reset();
  for (auto rowid : bad) db_->prepare("DELETE FROM sessions WHERE rowid = ?1").bind(1, rowid).run();
  // A bad session row takes its subscriptions and messages with it (they become orphans).
}

void SqliteSessionStore::load_subscriptions(SessionLoad& out, const std::map<SessionKey, std::size_t>& index) {
  std::vector<std::int64_t> bad;
  auto& st = db_->prepare(
      "SELECT account, region, client_id, filter, qos, no_local, retain_as_published, subscription_id, rowid"
      " FROM session_subscriptions");
  while (st.step()) {
    SessionKey key;
    auto problem = read_key(st, key);
    std::string filter = st.text(3);
    std::int64_t qos = st.integer(4), no_local = st.integer(5), rap = st.integer(6), id = st.integer(7);
    auto owner = index.find(key);
    if (!problem && owner == index.end()) problem = "no such session";
    if (!problem && mqtt::validate_topic_filter(filter)) problem = fmt::format("invalid topic filter \"{}\"", filter);
    if (!problem && !is_flag(qos)) problem = fmt::format("QoS {} is not 0 or 1", qos);
    if (!problem && (!is_flag(no_local) || !is_flag(rap))) problem = "option flags are not 0 or 1";
    if (!problem && (id < 0 || id > kMaxSubscriptionId)) problem = fmt::format("subscription identifier {} out of range", id);
    if (problem) {
      out.errors.push_back(fmt::format("{}: subscription row {} {}: {}; deleted", path_.string(), st.integer(8),
                                       describe(key), *problem));
      bad.push_back(st.integer(8));
      continue;
    }
    Subscriber o;
    o.qos = qos == 1 ? mqtt::QoS::at_least_once : mqtt::QoS::at_most_once;
    o.no_local = no_local == 1;
    o.retain_as_published = rap == 1;
    o.subscription_id = static_cast<std::uint32_t>(id);
    out.sessions[owner->second].subscriptions[filter] = o;
  }
  st.reset();
  for (auto rowid : bad) db_->prepare("DELETE FROM session_subscriptions WHERE rowid = ?1").bind(1, rowid).run();
}

void SqliteSessionStore::load_messages(SessionLoad& out, const std::map<SessionKey, std::size_t>& index) {
  std::vector<std::int64_t> bad;
  auto& st = db_->prepare(
      "SELECT account, region, client_id, seq, topic, payload, properties, redelivery, rowid FROM session_messages"
      " ORDER BY account, region, client_id, seq");
  while (st.step()) {
    SessionKey key;
    auto problem = read_key(st, key);
    StoredMessage m;
    std::int64_t seq = st.integer(3), redelivery = st.integer(7);
    m.topic = st.text(4);
    auto owner = index.find(key);
    if (!problem && owner == index.end()) problem = "no such session";
    if (!problem && seq < 1) problem = fmt::format("sequence number {} out of range", seq);
    if (!problem && mqtt::validate_topic_name(m.topic)) problem = fmt::format("invalid topic \"{}\"", m.topic);
    if (!problem && !is_flag(redelivery)) problem = fmt::format("redelivery flag {} is not 0 or 1", redelivery);
    if (!problem) {
      auto payload = from_hex(st.text(5));
      if (!payload) problem = "payload is not hex";
      else m.payload = std::move(*payload);
    }
    if (!problem) {
      auto props = nlohmann::json::parse(st.text(6), nullptr, false);
      if (props.is_discarded() || !props.is_object()) {
        problem = "properties are not a JSON object";
      } else {
        try {
          m.properties = properties_from_json(props);
        } catch (const std::exception& e) {
          problem = fmt::format("bad properties: {}", e.what());
        }
      }
    }
    if (problem) {
      out.errors.push_back(fmt::format("{}: message row {} {}: {}; deleted", path_.string(), st.integer(8),
                                       describe(key), *problem));
      bad.push_back(st.integer(8));
      continue;
    }
    m.seq = static_cast<std::uint64_t>(seq);
    m.redelivery = redelivery == 1;
    out.sessions[owner->second].messages.push_back(std::move(m));
  }
  st.reset();
  for (auto rowid : bad) db_->prepare("DELETE FROM session_messages WHERE rowid = ?1").bind(1, rowid).run();
}

}  // namespace trustlane::broker
