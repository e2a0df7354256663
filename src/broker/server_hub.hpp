// The broker's shared state: sessions by (account, region, client ID), subscriptions, retained
// messages, queued QoS 1 messages of offline persistent sessions, CONNECT throttling. Pure C++
// (no Asio): connections reach it through SessionSink, whose methods the Hub calls with no lock
// held and which post the work to the connection's own thread. Everything is keyed by scope:
// a message never crosses accounts.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/server_options.hpp"
#include "broker/server_topics.hpp"
#include "iot/types.hpp"
#include "mqtt/packets.hpp"

namespace trustlane::broker {

using Clock = std::chrono::steady_clock;

struct Message {
  std::string topic;
  Bytes payload;
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool retain = false;
  mqtt::Properties properties;  // v5 properties forwarded to subscribers (no alias, no sub ids)
  std::int64_t received_ms = 0;  // wall clock, for expiry across restarts
};
using MessagePtr = std::shared_ptr<const Message>;

// The AWS lifecycle event's disconnectReason values we produce.
enum class DisconnectReason {
  auth_error,
  client_initiated,
  client_error,
  connection_lost,
  duplicate_clientid,
  server_initiated,
  keep_alive_timeout,
  throttled,
};
std::string_view to_string(DisconnectReason r);  // "AUTH_ERROR", …

struct Delivery {
  MessagePtr message;
  mqtt::QoS qos = mqtt::QoS::at_most_once;  // min(published, granted)
  bool retain = false;                      // flag as sent to this subscriber
  std::uint32_t subscription_id = 0;
};

class SessionSink {
 public:
  virtual ~SessionSink() = default;
  // Called from any thread: implementations post to their owner.
  virtual void deliver(Delivery d) = 0;
  virtual void disconnect(DisconnectReason why) = 0;
  virtual void reload_policies() = 0;
};

// Durable storage of retained messages and persistent sessions (SQLite); optional.
class HubStore {
 public:
  virtual ~HubStore() = default;
  virtual void put_retained(const std::string& scope_key, const Message& m) = 0;
  virtual void erase_retained(const std::string& scope_key, const std::string& topic) = 0;
  virtual void put_session(const std::string& scope_key, const std::string& client_id, std::uint32_t expiry,
                           const std::map<std::string, SubscriptionOptions>& subscriptions,
                           const std::vector<Delivery>& queued, std::int64_t disconnected_ms) = 0;
  virtual void erase_session(const std::string& scope_key, const std::string& client_id) = 0;
};

std::string scope_key(const iot::Scope& s);  // "<account>/<region>"

class Hub {
 public:
  explicit Hub(Limits limits, std::function<std::int64_t()> wall_ms = {});

  void set_store(HubStore* store) { store_ = store; }

  // CONNECT ≤ limits.connects_per_second_per_client per (scope, client ID).
  bool admit_connect(const iot::Scope& scope, const std::string& client_id, Clock::time_point now);

  struct Attached {
    SessionKey key = 0;
    bool session_present = false;
    std::shared_ptr<SessionSink> displaced;  // the previous connection of this client ID
    std::vector<Delivery> queued;            // QoS 1 messages kept while offline
    std::size_t subscriptions = 0;
  };
  // expiry_seconds: how long the session outlives the connection (0: ends with it).
  Attached attach(const iot::Scope& scope, const std::string& client_id, std::shared_ptr<SessionSink> sink,
                  const std::string& certificate_id, const std::string& ca_id, bool clean_start,
                  std::uint32_t expiry_seconds);
  // The connection ended; `unacked` QoS 1 messages go back to the queue of a persistent session.
  // Ignored when `sink` is no longer the session's connection (taken over meanwhile).
  void detach(SessionKey key, const SessionSink* sink, std::vector<Delivery> unacked);

  // Returns true when new; appends the retained messages to send for it to `retained`.
  bool subscribe(SessionKey key, const std::string& filter, const SubscriptionOptions& o,
                 std::vector<Delivery>& retained);
  bool unsubscribe(SessionKey key, const std::string& filter);

  // Routes a message to the scope's subscribers (and queues QoS 1 for offline sessions);
  // a retained message also replaces (empty payload: deletes) the topic's retained one.
  // Returns the number of receivers.
  std::size_t publish(const iot::Scope& scope, MessagePtr message, SessionKey publisher);

  // Registry events: the live connections to act on.
  std::vector<std::shared_ptr<SessionSink>> sinks_for_certificate(const iot::Scope& scope, const std::string& cert_id);
  std::vector<std::shared_ptr<SessionSink>> sinks_for_ca(const iot::Scope& scope, const std::string& ca_id);
  std::vector<std::shared_ptr<SessionSink>> all_sinks();

  // Drops offline sessions whose expiry passed.
  void expire_sessions();

  // Restores state loaded from a HubStore at start-up (before any connection).
  void restore_retained(const std::string& scope_key, MessagePtr m);
  void restore_session(const std::string& scope_key, const std::string& client_id, std::uint32_t expiry,
                       const std::map<std::string, SubscriptionOptions>& subscriptions,
                       std::vector<Delivery> queued, std::int64_t disconnected_ms);

  std::size_t session_count() const;
  std::size_t retained_count() const;
  std::size_t subscription_count() const;

 private:
  struct Session {
    SessionKey key = 0;
    std::string scope;
    std::string client_id;
    std::shared_ptr<SessionSink> sink;  // null while offline
    std::string certificate_id;
    std::string ca_id;
    std::uint32_t expiry = 0;
    std::int64_t disconnected_ms = 0;
    std::map<std::string, SubscriptionOptions> subscriptions;
    std::vector<Delivery> queued;
  };

  void drop_session(Session& s);  // lock held
  void persist(const Session& s);  // lock held
  std::int64_t now_ms() const;

  Limits limits_;
  std::function<std::int64_t()> wall_ms_;
  HubStore* store_ = nullptr;
  mutable std::mutex mutex_;
  SessionKey next_key_ = 1;
  std::map<SessionKey, Session> sessions_;
  std::map<std::pair<std::string, std::string>, SessionKey> by_client_;  // (scope, client ID)
  SubscriptionTable table_;
  std::map<std::string, std::map<std::string, MessagePtr>> retained_;  // scope → topic → message
  std::map<std::pair<std::string, std::string>, Clock::time_point> last_connect_;
};

}  // namespace trustlane::broker
