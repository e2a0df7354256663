#include "broker/hub.hpp"

#include <algorithm>

#include "broker/connection.hpp"
#include "broker/message_expiry.hpp"
#include "mqtt/topic.hpp"

namespace trustlane::broker {

mqtt::Properties forwarded_properties(const mqtt::Properties& in) {
  mqtt::Properties out;
  out.payload_format_indicator = in.payload_format_indicator;
  out.message_expiry_interval = in.message_expiry_interval;
  out.content_type = in.content_type;
  out.response_topic = in.response_topic;
  out.correlation_data = in.correlation_data;
  out.user_properties = in.user_properties;
  return out;
}

Hub::Hub(RetainedStore& retained, QueueBudget offline_queue, SessionStore* sessions)
    : retained_(retained), offline_queue_(offline_queue), store_(sessions) {}

std::string Hub::assign_client_id() { return "trustlane-" + std::to_string(next_client_++); }

void Hub::drop(Session& s) {
  unschedule_expiry(s);
  if (s.durable) store_->delete_session(key_of(s));
  for (const auto& [filter, sub] : s.subscriptions) index_.remove(s.scope, filter, s.id);
  by_id_.erase(s.id);
  sessions_.erase(index_key(s.scope, s.client_id));  // destroys s
}

void Hub::record(const Session& s) {
  StoredSession row;
  row.key = key_of(s);
  row.expiry_seconds = s.expiry_seconds;
  row.offline_since = s.offline_since;
  row.online = s.connection != nullptr;
  store_->save_session(row);
}

bool Hub::expired(std::uint32_t expiry_seconds, std::int64_t offline_since) const {
  return expiry_seconds != 0xFFFFFFFF && now_ - offline_since >= static_cast<std::int64_t>(expiry_seconds);
}

void Hub::schedule_expiry(Session& s) {
  unschedule_expiry(s);
  if (s.connection || !s.persistent || s.expiry_seconds == 0xFFFFFFFF) return;  // 0xFFFFFFFF: never
  s.expiry = expiries_.emplace(s.offline_since + static_cast<std::int64_t>(s.expiry_seconds), s.id);
}

void Hub::unschedule_expiry(Session& s) {
  if (!s.expiry) return;
  expiries_.erase(*s.expiry);
  s.expiry.reset();
}

Hub::Restored Hub::restore() {
  Restored r;
  if (!store_) return r;
  auto loaded = store_->load();
  r.errors = std::move(loaded.errors);
  for (auto& stored : loaded.sessions) {
    std::string key = index_key(stored.key.scope, stored.key.client_id);
    if (sessions_.count(key)) continue;
    // Died while connected: nobody saw the disconnect, so the expiry clock starts now, and any
    // message may have been sent already.
    if (stored.online) stored.offline_since = now_;
    if (stored.expiry_seconds == 0 || expired(stored.expiry_seconds, stored.offline_since)) {
      store_->delete_session(stored.key);
      ++r.expired;
      continue;
    }
    auto s = std::make_unique<Session>();
    s->id = next_id_++;
    s->scope = stored.key.scope;
    s->client_id = stored.key.client_id;
    s->persistent = true;
    s->durable = true;
    s->expiry_seconds = stored.expiry_seconds;
    s->offline_since = stored.offline_since;
    for (auto& [filter, options] : stored.subscriptions) {
      Subscriber sub = options;
      sub.session = s->id;
      s->subscriptions[filter] = sub;
      index_.add(s->scope, filter, sub);
    }
    for (auto& m : stored.messages) {
      s->next_seq = std::max(s->next_seq, m.seq + 1);
      Message queued{std::move(m.topic), std::move(m.payload), mqtt::QoS::at_least_once, false,
                     std::move(m.properties), m.redelivery || stored.online, m.seq};
      if (!s->queued.fits(queued, offline_queue_)) {  // the budget may have been lowered since
        store_->delete_message(stored.key, m.seq);
        continue;
      }
      // The store keeps the interval, not the arrival time: it starts again at the restart.
      queued.expires_at = expiry_time(queued.properties, now_);
      s->queued.push_back(std::move(queued));
      ++r.messages;
    }
    if (stored.online) record(*s);
    schedule_expiry(*s);
    by_id_[s->id] = s.get();
    sessions_.emplace(std::move(key), std::move(s));
    ++r.sessions;
  }
  return r;
}

Hub::Attached Hub::attach(Connection& connection, const Scope& scope, const std::string& client_id,
                          bool clean_start, std::uint32_t expiry_seconds) {
  std::string key = index_key(scope, client_id);
  auto it = sessions_.find(key);
  if (it != sessions_.end()) {
    Session& old = *it->second;
    Connection* previous = old.connection;
    old.connection = nullptr;
    if (previous && previous != &connection) {
      previous->kick(mqtt::ReasonCode::session_taken_over);  // its detach() requeues its unacked QoS 1
      mark_dirty(*previous);
    }
    if (clean_start || !old.persistent) {
      drop(old);
      it = sessions_.end();
    }
  }
  bool present = it != sessions_.end();
  if (!present) {
    auto s = std::make_unique<Session>();
    s->id = next_id_++;
    s->scope = scope;
    s->client_id = client_id;
    it = sessions_.emplace(key, std::move(s)).first;
    by_id_[it->second->id] = it->second.get();
  }
  Session& s = *it->second;
  s.persistent = expiry_seconds > 0;
  s.expiry_seconds = expiry_seconds;
  s.connection = &connection;
  unschedule_expiry(s);
  if (store_ && s.persistent) {
    record(s);
    if (!s.durable) {  // (re)created: its subscriptions are recorded as they come
      s.durable = true;
      for (const auto& [filter, sub] : s.subscriptions) store_->save_subscription(key_of(s), filter, sub);
    }
  } else if (s.durable) {  // v5: resumed with expiry 0, so it now ends with this connection
    store_->delete_session(key_of(s));
    s.durable = false;
  }
  return {s.id, present};
}

void Hub::set_session_expiry(SessionId session, std::uint32_t expiry_seconds) {
  auto it = by_id_.find(session);
  if (it == by_id_.end()) return;
  it->second->expiry_seconds = expiry_seconds;
  it->second->persistent = expiry_seconds > 0;  // detach() drops (and unstores) one that ends now
}

void Hub::detach(Connection& connection, SessionId session, std::vector<Message> unacked) {
  auto it = by_id_.find(session);
  if (it == by_id_.end()) return;
  Session& s = *it->second;
  // During a takeover attach() has already unhooked the old connection (connection == nullptr):
  // the session lives on and its unacknowledged messages go to the new connection.
  bool taken_over = s.connection != &connection;
  if (taken_over && s.connection) return;
  if (!taken_over) {
    s.connection = nullptr;
    s.offline_since = now_;
    if (!s.persistent) {
      drop(s);
      return;
    }
  }
  if (!s.persistent) return;
  // Unacknowledged messages go first, in order, ahead of anything queued meanwhile.
  for (auto m = unacked.rbegin(); m != unacked.rend(); ++m) {
    if (s.durable && m->redelivery && m->seq) store_->mark_redelivery(key_of(s), m->seq);
    s.queued.push_front(std::move(*m));
  }
  while (s.queued.over(offline_queue_)) {  // the newest go
    Message dropped = s.queued.pop_back();
    if (s.durable && dropped.seq) store_->delete_message(key_of(s), dropped.seq);
  }
  if (s.durable && !taken_over) record(s);
  if (!taken_over) schedule_expiry(s);
}

void Hub::acknowledged(SessionId session, std::uint64_t seq) {
  if (!seq) return;
  auto it = by_id_.find(session);
  if (it != by_id_.end() && it->second->durable) store_->delete_message(key_of(*it->second), seq);
}

void Hub::advance_time(std::int64_t now_seconds) {
  now_ = now_seconds;
  while (!expiries_.empty() && expiries_.begin()->first <= now_) {
    Session* s = by_id_.at(expiries_.begin()->second);
    drop(*s);  // unschedules it
  }
}

void Hub::flush_queued(SessionId session) {
  auto it = by_id_.find(session);
  if (it == by_id_.end() || !it->second->connection) return;
  Session& s = *it->second;
  std::vector<Message> queued = s.queued.take_all();
  for (const auto& m : queued) {
    if (has_expired(m.expires_at, now_)) {  // waited too long: never delivered (MQTT 5 §3.3.2.3.3)
      acknowledged(s.id, m.seq);
      continue;
    }
    s.connection->deliver(m, mqtt::QoS::at_least_once, Subscriber{s.id, mqtt::QoS::at_least_once}, m.retain);
  }
  mark_dirty(*s.connection);
}

bool Hub::subscribe(SessionId session, const std::string& filter, const Subscriber& subscriber) {
  auto it = by_id_.find(session);
  if (it == by_id_.end()) return false;
  Session& s = *it->second;
  s.subscriptions[filter] = subscriber;
  if (s.durable) store_->save_subscription(key_of(s), filter, subscriber);  // before the SUBACK
  return index_.add(s.scope, filter, subscriber);
}

bool Hub::unsubscribe(SessionId session, const std::string& filter) {
  auto it = by_id_.find(session);
  if (it == by_id_.end() || it->second->subscriptions.erase(filter) == 0) return false;
  if (it->second->durable) store_->delete_subscription(key_of(*it->second), filter);
  return index_.remove(it->second->scope, filter, session);
}

std::size_t Hub::subscription_count(SessionId session) const {
  auto it = by_id_.find(session);
  return it == by_id_.end() ? 0 : it->second->subscriptions.size();
}

bool Hub::subscribed(SessionId session, const std::string& filter) const {
  auto it = by_id_.find(session);
  return it != by_id_.end() && it->second->subscriptions.count(filter) > 0;
}

void Hub::publish(const Scope& scope, const Message& message, SessionId publisher) {
  scratch_.clear();
  index_.match(scope, message.topic, publisher, scratch_);
  std::vector<Match> matches;
  matches.swap(scratch_);  // a will published from inside deliver() must not clobber this list
  for (const auto& m : matches) {
    auto it = by_id_.find(m.subscriber.session);
    if (it == by_id_.end()) continue;
    Session& s = *it->second;
    auto qos = std::min(message.qos, m.subscriber.qos);
    if (s.durable && qos == mqtt::QoS::at_least_once) {
      deliver_durably(s, message, m.subscriber);
      continue;
    }
    if (s.connection) {
      s.connection->deliver(message, qos, m.subscriber, message.retain && m.subscriber.retain_as_published);
      mark_dirty(*s.connection);
      if (handed_) handed_(*s.connection);
    } else if (s.persistent && qos == mqtt::QoS::at_least_once && s.queued.fits(message, offline_queue_)) {
      Message queued = message;
      queued.qos = qos;
      queued.retain = false;
      queued.redelivery = false;
      s.queued.push_back(std::move(queued));
    }
  }
  if (scratch_.capacity() < matches.capacity()) scratch_.swap(matches);  // keep the allocation
}

// A QoS 1 message for a recorded session: stored (before the publisher's PUBACK), then handed
// to the connection or queued; the row goes when the receiver acknowledges it.
void Hub::deliver_durably(Session& s, const Message& message, const Subscriber& subscriber) {
  if (!s.connection && !s.queued.fits(message, offline_queue_)) return;
  Message kept = message;
  kept.qos = mqtt::QoS::at_least_once;
  kept.redelivery = false;
  kept.seq = s.next_seq++;
  store_->save_message(key_of(s), StoredMessage{kept.seq, kept.topic, kept.payload, kept.properties, false});
  if (s.connection) {
    s.connection->deliver(kept, kept.qos, subscriber, message.retain && subscriber.retain_as_published);
    mark_dirty(*s.connection);
    if (handed_) handed_(*s.connection);
  } else {
    kept.retain = false;
    s.queued.push_back(std::move(kept));
  }
}

void Hub::retain(const Scope& scope, const Message& message) {
  retained_.put(scope, RetainedMessage{message.topic, message.payload, message.qos, message.properties, message.expires_at});
}

void Hub::retained_for(const Scope& scope, std::string_view filter, std::vector<RetainedMessage>& out) {
  std::size_t first = out.size();
  retained_.match(scope, filter, out);
  std::size_t kept = first;
  for (std::size_t i = first; i < out.size(); ++i) {
    RetainedMessage& r = out[i];
    if (has_expired(r.expires_at, now_)) {
      retained_.put(scope, RetainedMessage{r.topic, {}, r.qos, {}, {}});  // an empty payload deletes
      continue;
    }
    if (!r.expires_at && r.properties.message_expiry_interval) {
      // Reloaded after a restart without its arrival time: the interval starts again now
      // (in memory only: rewriting the stored row would cost a write per message per restart).
      r.expires_at = expiry_time(r.properties, now_);
      if (r.expires_at) retained_.set_expiry(scope, r.topic, *r.expires_at);
    }
    if (kept != i) out[kept] = std::move(r);
    ++kept;
  }
  out.resize(kept);
}

// A publish fanned out to k receivers marks k connections: a flag on each keeps that O(k), where
// searching the list was O(k²).
void Hub::mark_dirty(Connection& connection) {
  if (connection.in_dirty_list_) return;
  connection.in_dirty_list_ = true;
  dirty_.push_back(&connection);
}

void Hub::forget(Connection& connection) {
  if (!connection.in_dirty_list_) return;
  connection.in_dirty_list_ = false;
  dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), &connection), dirty_.end());
}

std::vector<Connection*> Hub::take_dirty() {
  std::vector<Connection*> out;
  out.swap(dirty_);
  for (Connection* c : out) c->in_dirty_list_ = false;
  return out;
}

}  // namespace trustlane::broker
