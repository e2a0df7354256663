#include "broker/net/core.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "broker/auth_decision_cache.hpp"
#include "broker/lifecycle_events.hpp"
#include "broker/server_ids.hpp"
#include "broker/net/tls_session.hpp"

namespace trustlane::broker::net {

namespace asio = boost::asio;

namespace {
std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
// The hub's clock: wall-clock seconds, because offline session expiry is stored across restarts.
std::int64_t wall_seconds() { return wall_ms() / 1000; }
}  // namespace

Scope to_core_scope(const iot::Scope& s) { return Scope{s.account, s.region}; }

Core::Core(asio::io_context& ioc, iot::Registry& registry, RetainedStore& retained, const ServerOptions& options,
           Stats& stats, SessionStore* sessions)
    : ioc_(ioc),
      registry_(registry),
      options_(options),
      stats_(stats),
      hub_(retained, options.limits.queue_budget(), sessions),
      quotas_(options.accounts),
      admission_(options.accounts) {
  quotas_.report = [this](QuotaRefusal why) { report(why); };
  // With no QoS 0 drop limit nothing bounds a slow reader's queue but holding back the clients
  // that fill it (bounded, AWS-like limits drop instead and need no hold).
  if (options.net.max_outgoing_bytes == 0) hub_.on_handed([this](Connection& receiver) { hold_source_for(receiver); });
  hub_.advance_time(wall_seconds());
  if (!sessions) return;
  auto restored = hub_.restore();
  for (const auto& error : restored.errors) spdlog::error("broker: unreadable persistent session row: {}", error);
  spdlog::info("broker: {} persistent sessions restored ({} queued messages), {} expired", restored.sessions,
               restored.messages, restored.expired);
}

Core::~Core() = default;

std::optional<Refusal> Core::admit_connect(const iot::Scope& scope, const std::string& client_id) {
  std::optional<QuotaRefusal> refused;
  {
    std::lock_guard lock(admission_mutex_);
    refused = admission_.admit(to_core_scope(scope), client_id, std::chrono::steady_clock::now());
  }
  if (!refused) return std::nullopt;
  switch (*refused) {
    case QuotaRefusal::client_connect_rate: return Refusal::connect_throttled;
    case QuotaRefusal::account_connect_rate: return Refusal::account_connect_throttled;
    case QuotaRefusal::account_connections: return Refusal::account_connection_quota;
    case QuotaRefusal::connection_publish_rate:
    case QuotaRefusal::account_publish_in_rate:
    case QuotaRefusal::account_publish_out_rate: break;  // not CONNECT quotas
  }
  return Refusal::server_busy;
}

std::map<std::string, std::size_t> Core::connections_by_account() const {
  std::lock_guard lock(admission_mutex_);
  return admission_.connections_by_scope();
}

// Publish quota refusals: counted by reason, logged at most once a second per reason.
void Core::report(QuotaRefusal why) {
  auto reason = to_string(why);
  stats_.refused(reason);
  std::uint64_t suppressed = 0;
  if (stats_.log_due(reason, quotas_.now(), &suppressed))
    spdlog::warn("broker: throttled: {} ({} more in the last second)", reason, suppressed);
}

void Core::open(std::shared_ptr<TlsSession> session, Admission a) {
  asio::post(ioc_, [this, session = std::move(session), a = std::move(a)]() mutable {
    TlsSession* key = session.get();
    // A kick or policy reload that ran before this entry existed could not reach it: the
    // certificate is looked at again. A client that lost it is refused like a denied
    // iot:Connect (closed without CONNACK) before its CONNECT can take over a session of its ID.
    const bool admissible = a.registry_generation == registry_changes_.load() || still_admissible(a);
    ConnectionIdentity identity{to_core_scope(a.scope), std::move(a.variables)};
    auto permissions = a.permissions;
    // Decisions cached per (action, topic) until the certificate's policies change.
    Authorizer authorize = [cache = std::make_shared<DecisionCache>(permissions)](const iot::policy::Request& r) {
      return cache->evaluate(r);
    };
    if (!admissible) authorize = [](const iot::policy::Request&) { return iot::policy::Decision{}; };
    Entry e;
    stamp();
    e.connection =
        std::make_unique<Connection>(hub_, std::move(identity), std::move(authorize), options_.limits, &quotas_);
    e.session = std::move(session);
    e.keep_alive = std::make_unique<asio::steady_timer>(ioc_);
    e.scope = a.scope;
    e.certificate_id = a.certificate_id;
    e.ca_id = a.ca_id;
    e.peer_ip = a.peer_ip;
    e.session_uuid = random_uuid();
    e.permissions = std::move(permissions);
    by_connection_[e.connection.get()] = key;
    auto& entry = entries_.emplace(key, std::move(e)).first->second;
    ++open_count_;
    entry.connection->on_bytes(a.connect_frame);
    if (admissible && !a.after_connect.empty()) entry.connection->on_bytes(a.after_connect);
    hub_.mark_dirty(*entry.connection);
    drain();
  });
}

bool Core::still_admissible(Admission& a) {
  a.permissions->load(registry_, a.certificate_id);
  auto info = registry_.find_certificate(a.scope, a.certificate_id);
  if (!info || info->status != iot::CertificateStatus::Active) {
    spdlog::info("broker: certificate {} left ACTIVE while connecting: disconnecting", a.certificate_id);
    return false;
  }
  if (!a.ca_id.empty() && a.certificate) {
    auto ca = registry_.find_issuing_ca(a.scope, *a.certificate);
    if (ca && ca->status != iot::CaStatus::Active) {
      spdlog::info("broker: CA {} left ACTIVE while connecting: disconnecting", a.ca_id);
      return false;
    }
  }
  return true;
}

void Core::bytes(TlsSession* session, Bytes data) {
  asio::post(ioc_, [this, session, data = std::move(data)] {
    auto it = entries_.find(session);
    if (it == entries_.end()) return;
    stamp();
    source_ = session;
    it->second.connection->on_bytes(data);
    source_ = nullptr;
    it->second.session->core_consumed(data.size());
    hub_.mark_dirty(*it->second.connection);
    schedule_drain();
  });
}

void Core::hold_source_for(Connection& receiver) {
  if (!source_) return;  // a lifecycle event or a will: nobody to hold
  auto k = by_connection_.find(&receiver);
  if (k == by_connection_.end() || k->second == source_ || k->second->backlog() <= TlsSession::kHoldAbove) return;
  source_->hold_reads_for(entries_.at(k->second).session);
}

void Core::schedule_drain() {
  if (drain_scheduled_) return;
  drain_scheduled_ = true;
  asio::post(ioc_, [this] {
    drain_scheduled_ = false;
    drain();
  });
}

void Core::transport_closed(TlsSession* session) {
  asio::post(ioc_, [this, session] {
    auto it = entries_.find(session);
    if (it == entries_.end()) return;
    stamp();
    it->second.connection->on_transport_closed();
    hub_.mark_dirty(*it->second.connection);
    drain();
  });
}

void Core::kick_certificate(const iot::Scope& scope, const std::string& certificate_id) {
  ++registry_changes_;
  asio::post(ioc_, [this, scope, certificate_id] {
    for (auto& [key, e] : entries_) {
      if (e.scope == scope && e.certificate_id == certificate_id) {
        spdlog::info("broker: certificate {} is no longer ACTIVE: disconnecting client {}", certificate_id,
                     e.connection->client_id());
        e.connection->kick(mqtt::ReasonCode::not_authorized);
      }
    }
    drain();
  });
}

void Core::kick_ca(const iot::Scope& scope, const std::string& ca_id) {
  ++registry_changes_;
  asio::post(ioc_, [this, scope, ca_id] {
    for (auto& [key, e] : entries_) {
      if (e.scope == scope && !ca_id.empty() && e.ca_id == ca_id) {
        spdlog::info("broker: CA {} is no longer ACTIVE: disconnecting client {}", ca_id, e.connection->client_id());
        e.connection->kick(mqtt::ReasonCode::not_authorized);
      }
    }
    drain();
  });
}

void Core::reload_policies(const iot::Scope& scope, const std::string& certificate_id) {
  ++registry_changes_;
  asio::post(ioc_, [this, scope, certificate_id] {
    for (auto& [key, e] : entries_)
      if (e.scope == scope && e.certificate_id == certificate_id) e.permissions->load(registry_, certificate_id);
  });
}

void Core::publish_event(const iot::Scope& scope, std::string topic, std::string payload) {
  asio::post(ioc_, [this, scope, topic = std::move(topic), payload = std::move(payload)]() mutable {
    stamp();
    publish_here(scope, std::move(topic), std::move(payload));
    drain();
  });
}

void Core::kick_all() {
  asio::post(ioc_, [this] {
    for (auto& [key, e] : entries_) e.connection->kick(mqtt::ReasonCode::server_shutting_down);
    drain();
  });
}

void Core::publish_here(const iot::Scope& scope, std::string topic, std::string payload) {
  Message m;
  m.topic = std::move(topic);
  m.payload.assign(payload.begin(), payload.end());
  hub_.publish(to_core_scope(scope), m, 0);
}

void Core::drain() {
  std::vector<TlsSession*> finished;
  for (;;) {
    auto dirty = hub_.take_dirty();
    if (dirty.empty()) break;
    for (Connection* c : dirty) {
      auto k = by_connection_.find(c);
      if (k == by_connection_.end()) continue;
      auto& e = entries_.at(k->second);
      carry_out(e, e.connection->take_events(), finished);
    }
  }
  hand_off();
  for (TlsSession* key : finished) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    it->second.keep_alive->cancel();
    {
      std::lock_guard lock(admission_mutex_);
      admission_.release(to_core_scope(it->second.scope));
    }
    by_connection_.erase(it->second.connection.get());
    entries_.erase(it);
    --open_count_;
  }
}

void Core::hand_off() {
  // Smallest batches first: those are acknowledgements to publishers, who wait for them (a QoS 1
  // publisher's in-flight window), while the messages fanned out to subscribers wait for nothing.
  // Posted in dirty order, a publisher's PUBACK was written only after its owner thread had
  // encrypted every fan-out batch of the drain before it (a QoS 1 fan-out ran at its window's
  // round trip, not at the cores' speed).
  if (outgoing_.size() > 1) {
    auto bytes_for = [this](TlsSession* key) {
      std::size_t n = 0;
      if (auto it = entries_.find(key); it != entries_.end())
        for (const auto& frame : it->second.outbox) n += frame.size();
      return n;
    };
    std::vector<std::pair<std::size_t, TlsSession*>> by_size;
    by_size.reserve(outgoing_.size());
    for (TlsSession* key : outgoing_) by_size.emplace_back(bytes_for(key), key);
    std::stable_sort(by_size.begin(), by_size.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < by_size.size(); ++i) outgoing_[i] = by_size[i].second;
  }
  for (TlsSession* key : outgoing_) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    Entry& e = it->second;
    e.session->deliver(std::move(e.outbox), std::exchange(e.close_after, false));
    e.outbox.clear();  // moved-from: make it empty again for the next drain
  }
  outgoing_.clear();
}

void Core::carry_out(Entry& e, std::vector<Event> events, std::vector<TlsSession*>& finished) {
  TlsSession* key = e.session.get();
  for (auto& ev : events) {
    std::visit(
        [&](auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, SendBytes>) {
            // Collected, not posted: hand_off() sends each session its frames in one batch.
            if (e.outbox.empty() && !e.close_after) outgoing_.push_back(key);
            e.outbox.push_back(std::move(x.bytes));
          } else if constexpr (std::is_same_v<T, ArmKeepAlive>) {
            arm(key, e, x.after);
          } else if constexpr (std::is_same_v<T, CloseConnection>) {
            spdlog::info("broker: closing client {} ({}, {})", e.connection->client_id().empty() ? e.peer_ip
                                                                                                   : e.connection->client_id(),
                         x.disconnect_reason, mqtt::to_string(x.reason));
            if (x.disconnect_reason != "CLIENT_INITIATED_DISCONNECT" && x.disconnect_reason != "CONNECTION_LOST")
              stats_.refused(x.disconnect_reason);
            if (e.outbox.empty() && !e.close_after) outgoing_.push_back(key);
            e.close_after = true;  // after the frames before it, in the same batch
            finished.push_back(key);
          } else if constexpr (std::is_same_v<T, Lifecycle>) {
            if (x.connected) {
              ++stats_.connections;
              ++stats_.connects_accepted;
              spdlog::info("broker: connected client {} account {} region {} certificate {}", x.client_id,
                           e.scope.account, e.scope.region, e.certificate_id);
            } else {
              --stats_.connections;
              spdlog::info("broker: disconnected client {}: {}", x.client_id, x.disconnect_reason);
            }
            e.client_id = x.client_id;
            if (auto m = presence_event(facts(e), x)) publish_here(e.scope, std::move(m->topic), std::move(m->payload));
          } else if constexpr (std::is_same_v<T, SubscriptionChange>) {
            if (auto m = subscription_event(facts(e), x))
              publish_here(e.scope, std::move(m->topic), std::move(m->payload));
          }
        },
        ev);
  }
}

PresenceFacts Core::facts(Entry& e) {
  PresenceFacts f;
  f.client_id = e.client_id;
  f.timestamp_ms = wall_ms();
  f.session_identifier = e.session_uuid;
  f.principal_identifier = e.certificate_id;
  f.ip_address = e.peer_ip;
  f.version_number = ++last_version_;
  return f;
}

void Core::tick() {
  asio::post(ioc_, [this] {
    stamp();
    hub_.advance_time(wall_seconds());
    drain();
  });
}

void Core::arm(TlsSession* key, Entry& e, std::chrono::milliseconds after) {
  auto generation = ++e.timer_generation;
  e.keep_alive->expires_after(after);
  e.keep_alive->async_wait([this, key, generation](const boost::system::error_code& ec) {
    if (ec) return;
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.timer_generation != generation) return;
    stamp();
    it->second.connection->on_keep_alive_timer();
    hub_.mark_dirty(*it->second.connection);
    drain();
  });
}

}  // namespace trustlane::broker::net
