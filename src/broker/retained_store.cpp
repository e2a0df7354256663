#include "broker/retained_store.hpp"

#include "mqtt/topic.hpp"

namespace trustlane::broker {

void InMemoryRetainedStore::put(const Scope& scope, RetainedMessage message) {
  auto& topics = by_scope_[scope.key()];
  auto it = topics.find(message.topic);
  if (message.payload.empty()) {
    if (it != topics.end()) {
      topics.erase(it);
      --size_;
    }
    return;
  }
  if (it == topics.end()) {
    std::string topic = message.topic;
    topics.emplace(std::move(topic), std::move(message));
    ++size_;
  } else {
    it->second = std::move(message);
  }
}

void InMemoryRetainedStore::set_expiry(const Scope& scope, std::string_view topic, std::int64_t expires_at) {
  auto s = by_scope_.find(scope.key());
  if (s == by_scope_.end()) return;
  if (auto it = s->second.find(topic); it != s->second.end()) it->second.expires_at = expires_at;
}

void InMemoryRetainedStore::match(const Scope& scope, std::string_view filter,
                                  std::vector<RetainedMessage>& out) const {
  auto s = by_scope_.find(scope.key());
  if (s == by_scope_.end()) return;
  const auto& topics = s->second;
  std::size_t wildcard = filter.find_first_of("+#");
  if (wildcard == std::string_view::npos) {
    auto it = topics.find(filter);
    if (it != topics.end()) out.push_back(it->second);
    return;
  }
  std::string_view prefix = filter.substr(0, wildcard);
  for (auto it = topics.lower_bound(prefix); it != topics.end() && it->first.starts_with(prefix); ++it)
    if (mqtt::topic_matches(filter, it->first)) out.push_back(it->second);
}

}  // namespace trustlane::broker
