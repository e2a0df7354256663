#include "broker/subscription_index.hpp"

#include <algorithm>

#include "mqtt/topic.hpp"

namespace trustlane::broker {
namespace {

// Calls f(level) for every '/'-separated level of s.
template <class F>
void for_each_level(std::string_view s, F f) {
  while (true) {
    std::size_t slash = s.find('/');
    f(s.substr(0, slash));
    if (slash == std::string_view::npos) return;
    s.remove_prefix(slash + 1);
  }
}

}  // namespace

std::size_t SubscriptionIndex::EdgeHash::operator()(const EdgeKey& k) const noexcept {
  return std::hash<std::string_view>{}(k.level) ^ (static_cast<std::size_t>(k.parent) * 0x9E3779B97F4A7C15ull);
}

SubscriptionIndex::NodeId SubscriptionIndex::allocate(NodeId parent, std::string_view level) {
  NodeId id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
    *nodes_[id] = Node{};
  } else {
    id = static_cast<NodeId>(nodes_.size());
    nodes_.push_back(std::make_unique<Node>());
  }
  nodes_[id]->parent = parent;
  nodes_[id]->level = std::string(level);
  return id;
}

SubscriptionIndex::NodeId SubscriptionIndex::root_for(const Scope& scope, bool create) {
  std::string key = scope.key();
  auto it = roots_.find(key);
  if (it != roots_.end()) return it->second;
  if (!create) return kNone;
  NodeId id = allocate(kNone, key);
  roots_.emplace(std::move(key), id);
  return id;
}

SubscriptionIndex::NodeId SubscriptionIndex::child(NodeId parent, std::string_view level, bool create) {
  Node& p = *nodes_[parent];
  NodeId* special = level == "+" ? &p.plus : level == "#" ? &p.hash : nullptr;
  if (special) {
    if (*special == kNone && create) {
      NodeId id = allocate(parent, level);
      *special = id;  // nodes are heap objects: `p` and `special` survive nodes_ growing
    }
    return *special == kNone ? kNone : *special;
  }
  auto it = edges_.find(EdgeKey{parent, level});
  if (it != edges_.end()) return it->second;
  if (!create) return kNone;
  NodeId id = allocate(parent, level);
  edges_.emplace(EdgeKey{parent, nodes_[id]->level}, id);
  ++nodes_[parent]->literal_children;
  return id;
}

SubscriptionIndex::NodeId SubscriptionIndex::walk(NodeId root, std::string_view filter, bool create) {
  NodeId n = root;
  for_each_level(filter, [&](std::string_view level) {
    if (n != kNone) n = child(n, level, create);
  });
  return n;
}

void SubscriptionIndex::prune(NodeId n) {
  while (nodes_[n]->parent != kNone && nodes_[n]->empty()) {
    Node& node = *nodes_[n];
    NodeId parent = node.parent;
    Node& p = *nodes_[parent];
    if (p.plus == n) {
      p.plus = kNone;
    } else if (p.hash == n) {
      p.hash = kNone;
    } else {
      edges_.erase(EdgeKey{parent, node.level});
      --p.literal_children;
    }
    node = Node{};
    free_.push_back(n);
    n = parent;
  }
}

bool SubscriptionIndex::add(const Scope& scope, std::string_view filter, const Subscriber& subscriber) {
  auto shared = mqtt::parse_shared(filter);
  NodeId n = walk(root_for(scope, true), shared ? shared->filter : filter, true);
  Node& node = *nodes_[n];
  SubscriberList* list = &node.subscribers;
  if (shared) {
    auto g = std::find_if(node.groups.begin(), node.groups.end(),
                          [&](const SharedGroup& sg) { return sg.name == shared->group; });
    if (g == node.groups.end()) {
      node.groups.push_back(SharedGroup{std::string(shared->group), {}, 0});
      g = node.groups.end() - 1;
    }
    list = &g->members;
  }
  if (!list->upsert(subscriber)) return false;
  ++subscriptions_;
  return true;
}

bool SubscriptionIndex::remove(const Scope& scope, std::string_view filter, SessionId session) {
  NodeId root = root_for(scope, false);
  if (root == kNone) return false;
  auto shared = mqtt::parse_shared(filter);
  NodeId n = walk(root, shared ? shared->filter : filter, false);
  if (n == kNone) return false;
  Node& node = *nodes_[n];
  bool removed = false;
  if (shared) {
    auto g = std::find_if(node.groups.begin(), node.groups.end(),
                          [&](const SharedGroup& sg) { return sg.name == shared->group; });
    if (g == node.groups.end()) return false;
    removed = g->members.erase(session);
    if (g->members.empty()) node.groups.erase(g);
  } else {
    removed = node.subscribers.erase(session);
  }
  if (removed) --subscriptions_;
  prune(n);
  return removed;
}

void SubscriptionIndex::match(const Scope& scope, std::string_view topic, SessionId publisher,
                              std::vector<Match>& out) {
  NodeId root = root_for(scope, false);
  if (root == kNone || topic.empty()) return;
  auto& levels = levels_;
  levels.clear();
  for_each_level(topic, [&](std::string_view l) { levels.push_back(l); });
  bool system_topic = topic[0] == '$';

  auto collect = [&](Node& node) {
    for (const auto& s : node.subscribers)
      if (!(s.no_local && s.session == publisher)) out.push_back({s, false});
    for (auto& g : node.groups) {
      if (g.members.empty()) continue;
      out.push_back({g.members[g.next % g.members.size()], true});
      g.next = (g.next + 1) % g.members.size();
    }
  };

  stack_.clear();
  stack_.emplace_back(root, 0);
  while (!stack_.empty()) {
    auto [n, depth] = stack_.back();
    stack_.pop_back();
    if (depth == levels.size()) {
      collect(*nodes_[n]);
      continue;
    }
    // Wildcards at the first level never match a '$' topic (MQTT §4.7.2).
    bool wildcards = !(depth == 0 && system_topic);
    const Node& node = *nodes_[n];
    // '#' here covers the remaining ≥ 1 levels; it never matches its parent level alone (AWS).
    if (wildcards && node.hash != kNone) collect(*nodes_[node.hash]);
    if (wildcards && node.plus != kNone) stack_.emplace_back(node.plus, depth + 1);
    if (node.literal_children > 0) {
      auto it = edges_.find(EdgeKey{n, levels[depth]});
      if (it != edges_.end()) stack_.emplace_back(it->second, depth + 1);
    }
  }
}

}  // namespace trustlane::broker
