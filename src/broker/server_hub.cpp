#include "broker/server_hub.hpp"

#include <algorithm>

#include "mqtt/topic.hpp"

namespace trustlane::broker {

std::string_view to_string(DisconnectReason r) {
  switch (r) {
    case DisconnectReason::auth_error: return "AUTH_ERROR";
    case DisconnectReason::client_initiated: return "CLIENT_INITIATED_DISCONNECT";
    case DisconnectReason::client_error: return "CLIENT_ERROR";
    case DisconnectReason::connection_lost: return "CONNECTION_LOST";
    case DisconnectReason::duplicate_clientid: return "DUPLICATE_CLIENTID";
    case DisconnectReason::server_initiated: return "SERVER_INITIATED_DISCONNECT";
    case DisconnectReason::keep_alive_timeout: return "MQTT_KEEP_ALIVE_TIMEOUT";
    case DisconnectReason::throttled: return "THROTTLED";
  }
  return "UNKNOWN";
}

std::string scope_key(const iot::Scope& s) { return s.account + '/' + s.region; }

Hub::Hub(Limits limits, std::function<std::int64_t()> wall_ms) : limits_(limits), wall_ms_(std::move(wall_ms)) {}

std::int64_t Hub::now_ms() const {
  if (wall_ms_) return wall_ms_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Hub::admit_connect(const iot::Scope& scope, const std::string& client_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& last = last_connect_[{scope_key(scope), client_id}];
  auto min_gap = std::chrono::duration<double>(1.0 / limits_.connects_per_second_per_client);
  if (last != Clock::time_point{} && now - last < min_gap) return false;
  last = now;
  if (last_connect_.size() > 100'000) {  // forget old entries so the map stays bounded
    for (auto it = last_connect_.begin(); it != last_connect_.end();)
      it = now - it->second > std::chrono::seconds(10) ? last_connect_.erase(it) : std::next(it);
  }
  return true;
}

Hub::Attached Hub::attach(const iot::Scope& scope, const std::string& client_id, std::shared_ptr<SessionSink> sink,
                          const std::string& certificate_id, const std::string& ca_id, bool clean_start,
                          std::uint32_t expiry_seconds) {
  std::lock_guard lock(mutex_);
  Attached out;
  auto skey = scope_key(scope);
  auto found = by_client_.find({skey, client_id});
  if (found != by_client_.end()) {
    auto& old = sessions_.at(found->second);
    bool expired = !old.sink && old.disconnected_ms > 0 &&
                   now_ms() - old.disconnected_ms > static_cast<std::int64_t>(old.expiry) * 1000;
    out.displaced = std::move(old.sink);
    if (clean_start || expired) {
      drop_session(old);
    } else {
      old.sink = std::move(sink);
      old.certificate_id = certificate_id;
      old.ca_id = ca_id;
      old.expiry = expiry_seconds;
      old.disconnected_ms = 0;
      out.key = old.key;
      out.session_present = true;
      out.queued = std::move(old.queued);
      old.queued.clear();
      out.subscriptions = old.subscriptions.size();
      persist(old);
      return out;
    }
  }
  Session s;
  s.key = next_key_++;
  s.scope = skey;
  s.client_id = client_id;
  s.sink = std::move(sink);
  s.certificate_id = certificate_id;
  s.ca_id = ca_id;
  s.expiry = expiry_seconds;
  out.key = s.key;
  by_client_[{skey, client_id}] = s.key;
  auto& stored = sessions_.emplace(s.key, std::move(s)).first->second;
  persist(stored);
  return out;
}

void Hub::detach(SessionKey key, const SessionSink* sink, std::vector<Delivery> unacked) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key);
  if (it == sessions_.end() || it->second.sink.get() != sink) return;
  auto& s = it->second;
  s.sink.reset();
  if (s.expiry == 0) {
    drop_session(s);
    return;
  }
  s.disconnected_ms = now_ms();
  for (auto& d : unacked) {
    if (d.qos == mqtt::QoS::at_least_once && s.queued.size() < limits_.max_queued_messages)
      s.queued.push_back(std::move(d));
  }
  persist(s);
}

void Hub::drop_session(Session& s) {
  for (const auto& [filter, _] : s.subscriptions) table_.remove(s.scope, filter, s.key);
  if (store_) store_->erase_session(s.scope, s.client_id);
  by_client_.erase({s.scope, s.client_id});
  const SessionKey key = s.key;
  sessions_.erase(key);  // s dangles after this
}

void Hub::persist(const Session& s) {
  if (!store_) return;
  if (s.expiry == 0) return;
  store_->put_session(s.scope, s.client_id, s.expiry, s.subscriptions, s.queued, s.disconnected_ms);
}

bool Hub::subscribe(SessionKey key, const std::string& filter, const SubscriptionOptions& o,
                    std::vector<Delivery>& retained) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return false;
  auto& s = it->second;
  bool fresh = table_.add(s.scope, filter, key, o);
  s.subscriptions[filter] = o;
  persist(s);
  bool send_retained = o.retain_handling == 0 || (o.retain_handling == 1 && fresh);
  if (!send_retained || mqtt::parse_shared(filter)) return fresh;  // no retained for shared subscriptions
  auto r = retained_.find(s.scope);
  if (r == retained_.end()) return fresh;
  for (const auto& [topic, m] : r->second) {
    if (!mqtt::topic_matches(filter, topic)) continue;
    auto qos = std::min(m->qos, o.qos);
    retained.push_back(Delivery{m, qos, true, o.subscription_id});
  }
  return fresh;
}

bool Hub::unsubscribe(SessionKey key, const std::string& filter) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return false;
  bool had = table_.remove(it->second.scope, filter, key);
  it->second.subscriptions.erase(filter);
  persist(it->second);
  return had;
}

std::size_t Hub::publish(const iot::Scope& scope, MessagePtr message, SessionKey publisher) {
  std::vector<std::pair<std::shared_ptr<SessionSink>, Delivery>> out;
  {
    std::lock_guard lock(mutex_);
    auto skey = scope_key(scope);
    if (message->retain) {
      if (message->payload.empty()) {
        if (auto r = retained_.find(skey); r != retained_.end() && r->second.erase(message->topic) && store_)
          store_->erase_retained(skey, message->topic);
      } else {
        retained_[skey][message->topic] = message;
        if (store_) store_->put_retained(skey, *message);
      }
    }
    std::vector<TopicMatch> matches;
    table_.match(skey, message->topic, publisher, matches);
    for (const auto& m : matches) {
      auto it = sessions_.find(m.session);
      if (it == sessions_.end()) continue;
      auto& s = it->second;
      Delivery d{message, std::min(message->qos, m.options.qos), m.options.retain_as_published && message->retain,
                 m.options.subscription_id};
      if (s.sink) {
        out.emplace_back(s.sink, std::move(d));
      } else if (d.qos == mqtt::QoS::at_least_once && s.queued.size() < limits_.max_queued_messages) {
        s.queued.push_back(std::move(d));  // offline persistent session keeps QoS 1
        persist(s);
      }
    }
  }
  for (auto& [sink, d] : out) sink->deliver(std::move(d));
  return out.size();
}

std::vector<std::shared_ptr<SessionSink>> Hub::sinks_for_certificate(const iot::Scope& scope,
                                                                      const std::string& cert_id) {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<SessionSink>> out;
  auto skey = scope_key(scope);
  for (auto& [_, s] : sessions_)
    if (s.sink && s.scope == skey && s.certificate_id == cert_id) out.push_back(s.sink);
  return out;
}

std::vector<std::shared_ptr<SessionSink>> Hub::sinks_for_ca(const iot::Scope& scope, const std::string& ca_id) {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<SessionSink>> out;
  auto skey = scope_key(scope);
  for (auto& [_, s] : sessions_)
    if (s.sink && s.scope == skey && !ca_id.empty() && s.ca_id == ca_id) out.push_back(s.sink);
  return out;
}

std::vector<std::shared_ptr<SessionSink>> Hub::all_sinks() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<SessionSink>> out;
  for (auto& [_, s] : sessions_)
    if (s.sink) out.push_back(s.sink);
  return out;
}

void Hub::expire_sessions() {
  std::lock_guard lock(mutex_);
  auto now = now_ms();
  std::vector<SessionKey> dead;
  for (auto& [key, s] : sessions_)
    if (!s.sink && now - s.disconnected_ms > static_cast<std::int64_t>(s.expiry) * 1000) dead.push_back(key);
  for (auto key : dead) drop_session(sessions_.at(key));
}

void Hub::restore_retained(const std::string& skey, MessagePtr m) {
  std::lock_guard lock(mutex_);
  retained_[skey][m->topic] = std::move(m);
}

void Hub::restore_session(const std::string& skey, const std::string& client_id, std::uint32_t expiry,
                          const std::map<std::string, SubscriptionOptions>& subscriptions, std::vector<Delivery> queued,
                          std::int64_t disconnected_ms) {
  std::lock_guard lock(mutex_);
  if (by_client_.count({skey, client_id})) return;
  Session s;
  s.key = next_key_++;
  s.scope = skey;
  s.client_id = client_id;
  s.expiry = expiry;
  s.disconnected_ms = disconnected_ms > 0 ? disconnected_ms : now_ms();
  s.subscriptions = subscriptions;
  s.queued = std::move(queued);
  for (const auto& [filter, o] : subscriptions) table_.add(skey, filter, s.key, o);
  by_client_[{skey, client_id}] = s.key;
  sessions_.emplace(s.key, std::move(s));
}

std::size_t Hub::session_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}
std::size_t Hub::retained_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [_, m] : retained_) n += m.size();
  return n;
}
std::size_t Hub::subscription_count() const {
  std::lock_guard lock(mutex_);
  return table_.size();
}

}  // namespace trustlane::broker
