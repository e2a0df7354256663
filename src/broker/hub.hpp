// The broker's shared state, sans-I/O: sessions by (scope, client ID), the subscription index,
// retained messages and routing of PUBLISHes between Connections. Single-threaded: the I/O
// layer calls it from one strand (or one hub per shard).
//
// After any call into a Connection or the Hub, the I/O layer drains take_dirty() and, for each
// connection returned, Connection::take_events(): a publish from one client produces events on
// the receivers' connections.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/message.hpp"
#include "broker/message_queue.hpp"
#include "broker/retained_store.hpp"
#include "broker/session_store.hpp"
#include "broker/subscription_index.hpp"

namespace trustlane::broker {

class Connection;


class Hub {
 public:
  // `sessions`: where persistent sessions are recorded (nullptr: memory only). Clean sessions
  // never touch it.
  explicit Hub(RetainedStore& retained, QueueBudget offline_queue = {}, SessionStore* sessions = nullptr);

  // Startup, after advance_time(now) and before any connection: loads the stored sessions.
  // Expired ones are deleted; a session that was online when the process died starts its
  // expiry now and replays its messages with DUP = 1 (they may have been sent). The offline
  // queue limit applies (the oldest messages are kept).
  struct Restored {
    std::size_t sessions = 0;
    std::size_t expired = 0;
    std::size_t messages = 0;
    std::vector<std::string> errors;  // unreadable rows, skipped
  };
  Restored restore();

  struct Attached {
    SessionId session;
    bool session_present;
  };
  // Binds a connection to the session of (scope, client_id). An older connection with the same
  // client ID is kicked (SESSION_TAKEN_OVER / DUPLICATE_CLIENTID). clean_start discards the old
  // session. expiry_seconds > 0: the session outlives this connection by that long
  // (0xFFFFFFFF: forever); 0: it ends with the connection.
  Attached attach(Connection& connection, const Scope& scope, const std::string& client_id, bool clean_start,
                  std::uint32_t expiry_seconds);
  // The connection is gone. A persistent session keeps its subscriptions and gets `unacked`
  // (QoS 1 messages sent but not acknowledged, or not yet sent) back for replay.
  void detach(Connection& connection, SessionId session, std::vector<Message> unacked);
  // An MQTT 5 DISCONNECT changed how long the session outlives its connection (0: it ends with
  // it); detach() follows.
  void set_session_expiry(SessionId session, std::uint32_t expiry_seconds);
  // Replays queued QoS 1 messages to the session's (new) connection.
  void flush_queued(SessionId session);
  // The session's connection is done with a stored message (PUBACK, or dropped): forget its row.
  void acknowledged(SessionId session, std::uint64_t seq);

  bool subscribe(SessionId session, const std::string& filter, const Subscriber& subscriber);  // true if new
  bool unsubscribe(SessionId session, const std::string& filter);                             // false if none
  std::size_t subscription_count(SessionId session) const;
  bool subscribed(SessionId session, const std::string& filter) const;

  // Routes to every matching subscriber (each receiver's Connection checks iot:Receive).
  void publish(const Scope& scope, const Message& message, SessionId publisher);
  // Called with each connected receiver a publish was handed to, during publish(): the I/O layer
  // uses it to hold back a publisher whose receiver is far behind. Unset: not called.
  void on_handed(std::function<void(Connection& receiver)> observer) { handed_ = std::move(observer); }
  void retain(const Scope& scope, const Message& message);
  // The retained messages `filter` matches, minus expired ones (which are deleted).
  void retained_for(const Scope& scope, std::string_view filter, std::vector<RetainedMessage>& out);

  // Connections with events to carry out, each once, in the order first marked; O(1) per mark.
  std::vector<Connection*> take_dirty();
  void mark_dirty(Connection& connection);
  void forget(Connection& connection);  // a Connection is being destroyed: drop it from dirty_
  std::size_t session_count() const { return sessions_.size(); }

  // The hub has no clock: the I/O layer reports the time (seconds) regularly; offline sessions
  // whose expiry has passed are discarded. With a SessionStore the epoch must survive a restart
  // (wall-clock seconds since 1970): offline_since is stored.
  void advance_time(std::int64_t now_seconds);
  std::int64_t now() const { return now_; }
  std::string assign_client_id();  // for empty client IDs

 private:
  struct Session {
    SessionId id;
    Scope scope;
    std::string client_id;
    bool persistent = false;
    std::uint32_t expiry_seconds = 0;
    std::int64_t offline_since = 0;
    Connection* connection = nullptr;
    std::map<std::string, Subscriber> subscriptions;  // filter → subscriber
    MessageQueue<Message> queued;                     // QoS 1 while offline
    bool durable = false;                             // recorded in the SessionStore
    std::uint64_t next_seq = 1;                       // for StoredMessage::seq
    std::optional<std::multimap<std::int64_t, SessionId>::iterator> expiry;  // its entry in expiries_
  };
  void drop(Session& s);
  SessionKey key_of(const Session& s) const { return {s.scope, s.client_id}; }
  void record(const Session& s);  // the session row
  void deliver_durably(Session& s, const Message& message, const Subscriber& subscriber);
  bool expired(std::uint32_t expiry_seconds, std::int64_t offline_since) const;
  // Offline persistent sessions that can expire are kept in expiries_ by deadline, so that
  // advance_time() visits only the ones due (it scanned every session every second).
  void schedule_expiry(Session& s);
  void unschedule_expiry(Session& s);
  std::string index_key(const Scope& scope, const std::string& client_id) const { return scope.key() + '\n' + client_id; }

  RetainedStore& retained_;
  QueueBudget offline_queue_;
  SessionStore* store_;
  SubscriptionIndex index_;
  std::unordered_map<std::string, std::unique_ptr<Session>> sessions_;  // scope key + '\n' + client id
  std::unordered_map<SessionId, Session*> by_id_;
  std::multimap<std::int64_t, SessionId> expiries_;  // deadline (offline_since + expiry) → session
  std::vector<Connection*> dirty_;
  std::vector<Match> scratch_;
  std::function<void(Connection&)> handed_;
  SessionId next_id_ = 1;
  std::int64_t now_ = 0;
  std::uint64_t next_client_ = 1;
};

}  // namespace trustlane::broker
