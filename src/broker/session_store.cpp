#include "broker/session_store.hpp"

namespace trustlane::broker {

void InMemorySessionStore::save_session(const StoredSession& session) {
  ++writes_;
  auto& row = sessions_[session.key];
  auto subscriptions = std::move(row.session.subscriptions);
  row.session = session;
  row.session.subscriptions = std::move(subscriptions);
  row.session.messages.clear();
}

void InMemorySessionStore::delete_session(const SessionKey& key) {
  ++writes_;
  sessions_.erase(key);
}

void InMemorySessionStore::save_subscription(const SessionKey& key, const std::string& filter,
                                             const Subscriber& options) {
  ++writes_;
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;  // like a foreign key: no session row, no subscription
  Subscriber kept = options;
  kept.session = 0;
  it->second.session.subscriptions[filter] = kept;
}

void InMemorySessionStore::delete_subscription(const SessionKey& key, const std::string& filter) {
  ++writes_;
  if (auto it = sessions_.find(key); it != sessions_.end()) it->second.session.subscriptions.erase(filter);
}

void InMemorySessionStore::save_message(const SessionKey& key, const StoredMessage& message) {
  ++writes_;
  if (auto it = sessions_.find(key); it != sessions_.end()) it->second.messages[message.seq] = message;
}

void InMemorySessionStore::mark_redelivery(const SessionKey& key, std::uint64_t seq) {
  ++writes_;
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  if (auto m = it->second.messages.find(seq); m != it->second.messages.end()) m->second.redelivery = true;
}

void InMemorySessionStore::delete_message(const SessionKey& key, std::uint64_t seq) {
  ++writes_;
  if (auto it = sessions_.find(key); it != sessions_.end()) it->second.messages.erase(seq);
}

std::optional<StoredSession> InMemorySessionStore::find(const SessionKey& key) const {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  StoredSession s = it->second.session;
  for (const auto& [seq, m] : it->second.messages) s.messages.push_back(m);
  return s;
}

std::size_t InMemorySessionStore::message_count() const {
  std::size_t n = 0;
  for (const auto& [key, row] : sessions_) n += row.messages.size();
  return n;
}

SessionLoad InMemorySessionStore::load() {
  SessionLoad out;
  for (const auto& [key, row] : sessions_) out.sessions.push_back(*find(key));
  return out;
}

}  // namespace trustlane::broker
