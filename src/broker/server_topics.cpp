#include "broker/server_topics.hpp"

#include <algorithm>

#include "mqtt/topic.hpp"

namespace trustlane::broker {
namespace {

std::pair<std::string, std::string> split_shared(std::string_view filter) {
  if (auto shared = mqtt::parse_shared(filter)) return {std::string(shared->filter), std::string(shared->group)};
  return {std::string(filter), {}};
}

}  // namespace

bool SubscriptionTable::add(const std::string& scope_key, std::string_view filter, SessionKey session,
                            const SubscriptionOptions& o) {
  auto [plain, group] = split_shared(filter);
  auto& entries = scopes_[scope_key];
  for (auto& e : entries) {
    if (e.session == session && e.filter == plain && e.group == group) {
      e.options = o;
      return false;
    }
  }
  entries.push_back(Entry{std::move(plain), std::move(group), session, o});
  ++size_;
  return true;
}

bool SubscriptionTable::remove(const std::string& scope_key, std::string_view filter, SessionKey session) {
  auto it = scopes_.find(scope_key);
  if (it == scopes_.end()) return false;
  auto [plain, group] = split_shared(filter);
  auto& entries = it->second;
  auto e = std::find_if(entries.begin(), entries.end(), [&](const Entry& x) {
    return x.session == session && x.filter == plain && x.group == group;
  });
  if (e == entries.end()) return false;
  entries.erase(e);
  --size_;
  if (entries.empty()) scopes_.erase(it);
  return true;
}

void SubscriptionTable::match(const std::string& scope_key, std::string_view topic, SessionKey publisher,
                              std::vector<TopicMatch>& out) {
  auto it = scopes_.find(scope_key);
  if (it == scopes_.end()) return;
  // Shared groups: collect members per (group, filter), then pick one round-robin.
  std::map<std::string, std::vector<const Entry*>> groups;
  for (const auto& e : it->second) {
    if (!mqtt::topic_matches(e.filter, topic)) continue;
    if (!e.group.empty()) {
      groups[scope_key + '\n' + e.group + '\n' + e.filter].push_back(&e);
      continue;
    }
    if (e.options.no_local && e.session == publisher) continue;
    out.push_back(TopicMatch{e.session, e.options});
  }
  for (auto& [key, members] : groups) {
    auto& cursor = cursors_[key];
    const Entry* chosen = members[cursor % members.size()];
    ++cursor;
    out.push_back(TopicMatch{chosen->session, chosen->options});
  }
}

}  // namespace trustlane::broker
