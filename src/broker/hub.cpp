#include "broker/hub.hpp"

#include <algorithm>

#include "broker/connection.hpp"
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

Hub::Hub(RetainedStore& retained, std::size_t offline_queue_limit)
    : retained_(retained), offline_queue_limit_(offline_queue_limit) {}

std::string Hub::assign_client_id() { return "trustlane-" + std::to_string(next_client_++); }

void Hub::drop(Session& s) {
  for (const auto& [filter, sub] : s.subscriptions) index_.remove(s.scope, filter, s.id);
  by_id_.erase(s.id);
  sessions_.erase(s.scope.key() + '\n' + s.client_id);  // destroys s
}

Hub::Attached Hub::attach(Connection& connection, const Scope& scope, const std::string& client_id,
                          bool clean_start, std::uint32_t expiry_seconds) {
  std::string key = scope.key() + '\n' + client_id;
  auto it = sessions_.find(key);
  if (it != sessions_.end()) {
    Session& old = *it->second;
    Connection* previous = old.connection;
    old.connection = nullptr;
    if (previous && previous != &connection) {
      previous->kick(mqtt::ReasonCode::session_taken_over);  // its detach() is now a no-op
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
  return {s.id, present};
}

void Hub::detach(Connection& connection, SessionId session, std::vector<Message> unacked) {
  auto it = by_id_.find(session);
  if (it == by_id_.end() || it->second->connection != &connection) return;  // taken over
  Session& s = *it->second;
  s.connection = nullptr;
  s.offline_since = now_;
  if (!s.persistent) {
    drop(s);
    return;
  }
  // Unacknowledged messages go first, in order, ahead of anything queued meanwhile.
  for (auto m = unacked.rbegin(); m != unacked.rend(); ++m) s.queued.push_front(std::move(*m));
  while (s.queued.size() > offline_queue_limit_) s.queued.pop_back();
}

void Hub::advance_time(std::int64_t now_seconds) {
  now_ = now_seconds;
  std::vector<Session*> expired;
  for (auto& [key, s] : sessions_)
    if (!s->connection && s->expiry_seconds != 0xFFFFFFFF && now_ - s->offline_since >= s->expiry_seconds)
      expired.push_back(s.get());
  for (Session* s : expired) drop(*s);
}

void Hub::flush_queued(SessionId session) {
  auto it = by_id_.find(session);
  if (it == by_id_.end() || !it->second->connection) return;
  Session& s = *it->second;
  std::deque<Message> queued;
  queued.swap(s.queued);
  for (const auto& m : queued) s.connection->deliver(m, mqtt::QoS::at_least_once, Subscriber{s.id, mqtt::QoS::at_least_once}, m.retain);
  mark_dirty(*s.connection);
}

bool Hub::subscribe(SessionId session, const std::string& filter, const Subscriber& subscriber) {
  auto it = by_id_.find(session);
  if (it == by_id_.end()) return false;
  it->second->subscriptions[filter] = subscriber;
  return index_.add(it->second->scope, filter, subscriber);
}

bool Hub::unsubscribe(SessionId session, const std::string& filter) {
  auto it = by_id_.find(session);
  if (it == by_id_.end() || it->second->subscriptions.erase(filter) == 0) return false;
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
    if (s.connection) {
      s.connection->deliver(message, qos, m.subscriber, message.retain && m.subscriber.retain_as_published);
      mark_dirty(*s.connection);
    } else if (s.persistent && qos == mqtt::QoS::at_least_once && s.queued.size() < offline_queue_limit_) {
      Message queued = message;
      queued.qos = qos;
      queued.retain = false;
      queued.redelivery = false;
      s.queued.push_back(std::move(queued));
    }
  }
  if (scratch_.capacity() < matches.capacity()) scratch_.swap(matches);  // keep the allocation
}

void Hub::retain(const Scope& scope, const Message& message) {
  retained_.put(scope, RetainedMessage{message.topic, message.payload, message.qos, message.properties});
}

void Hub::retained_for(const Scope& scope, std::string_view filter, std::vector<RetainedMessage>& out) const {
  retained_.match(scope, filter, out);
}

void Hub::mark_dirty(Connection& connection) {
  if (std::find(dirty_.begin(), dirty_.end(), &connection) == dirty_.end()) dirty_.push_back(&connection);
}

void Hub::forget(Connection& connection) {
  dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), &connection), dirty_.end());
}

std::vector<Connection*> Hub::take_dirty() {
  std::vector<Connection*> out;
  out.swap(dirty_);
  return out;
}

}  // namespace trustlane::broker
