// Where the Hub records persistent sessions so they survive a restart: the hooks the sans-I/O
// core calls (never SQL inside protocol code) and an in-memory implementation for tests.
//
// Only sessions that outlive their connection (3.1.1 cleanSession=0, v5 session expiry > 0)
// are recorded; clean sessions never reach the store. Each hook is durable when it returns
// (the SQLite store commits it), and the Hub calls it before the Connection produces the
// acknowledgement it stands for: SUBACK after save_subscription, the publisher's PUBACK after
// save_message for every persistent receiver. A subscriber's PUBACK calls delete_message.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "broker/scope.hpp"
#include "broker/subscription_index.hpp"
#include "mqtt/packets.hpp"

namespace trustlane::broker {


struct SessionKey {
  Scope scope;
  std::string client_id;
  bool operator==(const SessionKey&) const = default;
  auto operator<=>(const SessionKey& o) const {
    return std::tie(scope.account, scope.region, client_id) <=> std::tie(o.scope.account, o.scope.region, o.client_id);
  }
};

// A QoS 1 message owed to a session: queued while offline, or handed to its connection and not
// yet acknowledged. `seq` orders a session's messages (delivery order) and names the row.
struct StoredMessage {
  std::uint64_t seq = 0;
  std::string topic;
  Bytes payload;
  mqtt::Properties properties;
  bool redelivery = false;  // was sent before: replayed with DUP = 1
  bool operator==(const StoredMessage&) const = default;
};

struct StoredSession {
  SessionKey key;
  std::uint32_t expiry_seconds = 0;  // > 0; 0xFFFFFFFF: never expires
  std::int64_t offline_since = 0;    // wall-clock seconds; meaningful when !online
  bool online = false;               // a connection held it at the last record (then: a crash)
  std::map<std::string, Subscriber> subscriptions;  // filter → options (Subscriber::session unset)
  std::vector<StoredMessage> messages;              // ascending seq
  bool operator==(const StoredSession&) const = default;
};

struct SessionLoad {
  std::vector<StoredSession> sessions;
  std::vector<std::string> errors;  // one line per unreadable row, which was skipped and deleted
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Creates or updates the session row (not its subscriptions or messages).
  virtual void save_session(const StoredSession& session) = 0;
  // Deletes the session with its subscriptions and messages.
  virtual void delete_session(const SessionKey& key) = 0;
  virtual void save_subscription(const SessionKey& key, const std::string& filter, const Subscriber& options) = 0;
  virtual void delete_subscription(const SessionKey& key, const std::string& filter) = 0;
  virtual void save_message(const SessionKey& key, const StoredMessage& message) = 0;
  virtual void mark_redelivery(const SessionKey& key, std::uint64_t seq) = 0;
  virtual void delete_message(const SessionKey& key, std::uint64_t seq) = 0;
  // Everything stored, for the Hub to restore at startup (before any listener opens).
  virtual SessionLoad load() = 0;
};

// Keeps what a SQLite store would keep, in maps: the Hub's unit tests and the fuzz target use it
// to check exactly what was recorded, and to "restart" a Hub from it.
class InMemorySessionStore final : public SessionStore {
 public:
  void save_session(const StoredSession& session) override;
  void delete_session(const SessionKey& key) override;
  void save_subscription(const SessionKey& key, const std::string& filter, const Subscriber& options) override;
  void delete_subscription(const SessionKey& key, const std::string& filter) override;
  void save_message(const SessionKey& key, const StoredMessage& message) override;
  void mark_redelivery(const SessionKey& key, std::uint64_t seq) override;
  void delete_message(const SessionKey& key, std::uint64_t seq) override;
  SessionLoad load() override;

  std::size_t session_count() const { return sessions_.size(); }
  std::size_t message_count() const;
  std::optional<StoredSession> find(const SessionKey& key) const;  // with its messages
  std::size_t writes() const { return writes_; }  // hooks called so far (clean sessions must add none)

 private:
  struct Row {
    StoredSession session;                          // subscriptions kept here; messages below
    std::map<std::uint64_t, StoredMessage> messages;
  };
  std::map<SessionKey, Row> sessions_;
  std::size_t writes_ = 0;
};

}  // namespace trustlane::broker
