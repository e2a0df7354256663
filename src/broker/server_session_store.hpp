// Persistent sessions in SQLite (WAL) in <data>/broker.db, next to the retained messages: the
// SessionStore the server's Hub records into. Every hook is committed before it returns, and
// the Hub calls it before the acknowledgement it stands for leaves, so what a client was told
// (SUBACK, a publisher's PUBACK) survives kill -9.
//
// Tables: sessions (key, expiry, offline_since, online), session_subscriptions (filter and
// options), session_messages (seq, topic, hex payload, properties JSON, redelivery). load()
// checks every row; an unreadable one (bad filter or topic, out-of-range number, bad hex or
// JSON, orphan) is reported in SessionLoad::errors, deleted and skipped — never a crash.
#pragma once
#include <filesystem>
#include <memory>

#include "broker/session_store.hpp"

namespace trustlane::iot {
class Database;
}

namespace trustlane::broker {

class SqliteSessionStore final : public SessionStore {
 public:
  // Opens (creates) the database and its tables; throws iot::StorageError with the path when
  // the file cannot be opened or is not a database.
  explicit SqliteSessionStore(const std::filesystem::path& path);
  ~SqliteSessionStore() override;

  void save_session(const StoredSession& session) override;
  void delete_session(const SessionKey& key) override;
  void save_subscription(const SessionKey& key, const std::string& filter, const Subscriber& options) override;
  void delete_subscription(const SessionKey& key, const std::string& filter) override;
  void save_message(const SessionKey& key, const StoredMessage& message) override;
  void mark_redelivery(const SessionKey& key, std::uint64_t seq) override;
  void delete_message(const SessionKey& key, std::uint64_t seq) override;
  SessionLoad load() override;

 private:
  void create_tables();
  void load_sessions(SessionLoad& out, std::map<SessionKey, std::size_t>& index);
  void load_subscriptions(SessionLoad& out, const std::map<SessionKey, std::size_t>& index);
  void load_messages(SessionLoad& out, const std::map<SessionKey, std::size_t>& index);

  std::filesystem::path path_;
  std::unique_ptr<iot::Database> db_;
};

}  // namespace trustlane::broker
