// The bridge between the TLS sessions (one per client, on the I/O threads) and the sans-I/O MQTT
// core (broker::Hub and broker::Connection, single-threaded): every call into the core runs on
// the core's own io_context thread; bytes to send and closes go back to each session's owner
// thread by post. Also turns the core's events into timers and lifecycle publishes, and registry
// changes (certificate revoked, CA disabled, policies changed) into kicks and policy reloads.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "broker/account_quotas.hpp"
#include "broker/auth_identify.hpp"
#include "broker/auth_permissions.hpp"
#include "broker/connection.hpp"
#include "broker/hub.hpp"
#include "broker/lifecycle_events.hpp"
#include "broker/server_options.hpp"
#include "broker/server_stats.hpp"
#include "iot/registry.hpp"

namespace trustlane::broker::net {

class TlsSession;

// What a TLS session knows when it hands a client over to the core.
struct Admission {
  iot::Scope scope;
  std::string certificate_id;
  std::string ca_id;
  std::string peer_ip;
  iot::policy::Variables variables;
  std::shared_ptr<Permissions> permissions;
  std::optional<crypto::Certificate> certificate;  // the client's, to look its CA up again
  Bytes connect_frame;      // the CONNECT, already read
  Bytes after_connect;      // what the client sent behind it without waiting for CONNACK (allowed)
  // Core::registry_generation() before identify() read the registry: if a revocation or policy
  // change came in since, open() checks the certificate again (see there).
  std::uint64_t registry_generation = 0;
};

Scope to_core_scope(const iot::Scope& s);

class Core {
 public:
  // `sessions` (may be null: memory only) is loaded here, before any listener opens.
  Core(boost::asio::io_context& ioc, iot::Registry& registry, RetainedStore& retained, const ServerOptions& options,
       Stats& stats, SessionStore* sessions = nullptr);
  ~Core();

  boost::asio::io_context& context() { return ioc_; }

  // Thread-safe: the CONNECT quotas (per client ID rate, account rate, account connections). An
  // admitted client holds one of its account's connection slots: call open() next (nothing may
  // refuse it in between); the slot is freed when its entry goes.
  std::optional<Refusal> admit_connect(const iot::Scope& scope, const std::string& client_id);
  std::map<std::string, std::size_t> connections_by_account() const;  // "account/region" → open

  // Any thread: each posts onto the core thread.
  void open(std::shared_ptr<TlsSession> session, Admission admission);
  void bytes(TlsSession* session, Bytes data);
  void transport_closed(TlsSession* session);
  void kick_certificate(const iot::Scope& scope, const std::string& certificate_id);
  void kick_ca(const iot::Scope& scope, const std::string& ca_id);
  void reload_policies(const iot::Scope& scope, const std::string& certificate_id);
  void publish_event(const iot::Scope& scope, std::string topic, std::string payload);
  void kick_all();  // shutdown
  // Bumped (synchronously, before posting) by every kick and policy reload.
  std::uint64_t registry_generation() const { return registry_changes_.load(); }
  void tick();      // once a second: the hub's clock (offline session expiry)

  std::size_t open_connections() const { return open_count_.load(); }

 private:
  struct Entry {
    std::unique_ptr<Connection> connection;
    std::shared_ptr<TlsSession> session;
    std::unique_ptr<boost::asio::steady_timer> keep_alive;
    std::uint64_t timer_generation = 0;
    iot::Scope scope;
    std::string certificate_id;
    std::string ca_id;
    std::string peer_ip;
    std::string session_uuid;
    std::string client_id;  // once connected
    std::shared_ptr<Permissions> permissions;
    std::vector<Bytes> outbox;  // frames of this drain, handed to the session in one batch
    bool close_after = false;   // then close it once they are written
  };

  void drain();  // carries out the events of every connection the last call touched
  // Bytes from clients are drained once behind the handlers already queued, so the frames a
  // burst of reads produces for one receiver leave in one batch.
  void schedule_drain();
  void hand_off();  // one batch per session that got frames (or a close) in this drain
  void carry_out(Entry& e, std::vector<Event> events, std::vector<TlsSession*>& finished);
  void arm(TlsSession* key, Entry& e, std::chrono::milliseconds after);
  PresenceFacts facts(Entry& e);
  void publish_here(const iot::Scope& scope, std::string topic, std::string payload);
  void stamp() { quotas_.advance_time(std::chrono::steady_clock::now()); }  // the core's clock
  void report(QuotaRefusal why);
  // Lossless mode: the client whose bytes are being processed (source_) handed a message to
  // `receiver`; hold its reads if the receiver is far behind (TlsSession::hold_reads_for).
  void hold_source_for(Connection& receiver);
  // False when the certificate (or its CA) left ACTIVE after the session identified it; reloads
  // the permissions too. Only called when the registry changed in between.
  bool still_admissible(Admission& a);

  boost::asio::io_context& ioc_;
  iot::Registry& registry_;
  const ServerOptions& options_;
  Stats& stats_;
  Hub hub_;
  std::unordered_map<TlsSession*, Entry> entries_;
  std::unordered_map<Connection*, TlsSession*> by_connection_;
  bool drain_scheduled_ = false;
  TlsSession* source_ = nullptr;  // during Core::bytes: whose bytes the core is processing
  std::vector<TlsSession*> outgoing_;  // sessions whose Entry::outbox/close_after wait for hand_off()
  std::atomic<std::size_t> open_count_{0};
  std::atomic<std::uint64_t> registry_changes_{0};
  // Lifecycle versionNumber: AWS only promises it increases for each client ID. One counter for all
  // clients, started at the wall clock in microseconds, keeps that promise across restarts without
  // a map entry per client ID ever seen (which grew without bound with unique client IDs).
  std::int64_t last_version_ = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();  // core thread
  PublishQuotas quotas_;  // core thread only
  mutable std::mutex admission_mutex_;
  ConnectAdmission admission_;
};

}  // namespace trustlane::broker::net
