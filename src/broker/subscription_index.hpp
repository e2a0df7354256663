// Subscription index: which sessions receive a PUBLISH on a topic. A topic trie per scope,
// built for millions of subscriptions (flat node table + one hash map of edges, no per-node
// containers), wildcard-aware with AWS IoT semantics:
//   `+` one level; `a/#` matches "a/" and below but not "a"; leading wildcards skip `$` topics;
//   "$share/<group>/<filter>": each matching message goes to one member of the group, round-robin.
// Pure data structure: no locking (the broker serialises access per shard), no I/O.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/scope.hpp"
#include "broker/subscriber_list.hpp"
#include "mqtt/packets.hpp"

namespace trustlane::broker {

struct Match {
  Subscriber subscriber;
  bool shared = false;  // delivered as one member of a $share group
};

class SubscriptionIndex {
 public:
  SubscriptionIndex() = default;
  SubscriptionIndex(const SubscriptionIndex&) = delete;
  SubscriptionIndex& operator=(const SubscriptionIndex&) = delete;

  // Adds a subscription, or replaces the one this session already has on this filter
  // (MQTT: a repeated SUBSCRIBE replaces). `filter` must be valid (mqtt::validate_topic_filter);
  // "$share/<g>/<f>" joins group g. Returns true when it is new. O(1) in the number of
  // subscribers on the filter (add and remove), plus the filter's depth.
  bool add(const Scope& scope, std::string_view filter, const Subscriber& subscriber);
  // Removes this session's subscription on the filter; false if it had none.
  bool remove(const Scope& scope, std::string_view filter, SessionId session);
  // Appends the receivers of a PUBLISH on `topic` (a valid topic name) published by `publisher`
  // (0 = none). A session subscribed through several filters appears once per filter.
  // Not const: shared groups advance their round-robin cursor.
  void match(const Scope& scope, std::string_view topic, SessionId publisher, std::vector<Match>& out);

  std::size_t size() const { return subscriptions_; }  // subscriptions, all scopes
  std::size_t node_count() const { return nodes_.size() - free_.size(); }

 private:
  using NodeId = std::uint32_t;
  static constexpr NodeId kNone = 0xFFFFFFFF;

  struct SharedGroup {
    std::string name;
    SubscriberList members;
    std::size_t next = 0;
  };
  struct Node {
    NodeId parent = kNone;
    NodeId plus = kNone;      // child for "+"
    NodeId hash = kNone;      // child for "#"
    std::uint32_t literal_children = 0;
    std::string level;        // this node's level under its parent (for edge removal)
    SubscriberList subscribers;
    std::vector<SharedGroup> groups;  // few per filter: found by a scan
    bool empty() const {
      return plus == kNone && hash == kNone && literal_children == 0 && subscribers.empty() && groups.empty();
    }
  };
  struct EdgeKey {
    NodeId parent;
    std::string_view level;  // points into the child's Node::level, which lives as long as the edge
    bool operator==(const EdgeKey&) const = default;
  };
  struct EdgeHash {
    std::size_t operator()(const EdgeKey& k) const noexcept;
  };

  NodeId root_for(const Scope& scope, bool create);
  NodeId child(NodeId parent, std::string_view level, bool create);
  NodeId allocate(NodeId parent, std::string_view level);
  void prune(NodeId node);
  NodeId walk(NodeId root, std::string_view filter, bool create);

  std::vector<std::unique_ptr<Node>> nodes_;  // heap nodes keep Node::level addresses stable
  std::vector<NodeId> free_;
  std::unordered_map<EdgeKey, NodeId, EdgeHash> edges_;
  std::unordered_map<std::string, NodeId> roots_;
  std::size_t subscriptions_ = 0;
  std::vector<std::pair<NodeId, std::size_t>> stack_;  // match() scratch, reused
  std::vector<std::string_view> levels_;               // match() scratch, reused
};

}  // namespace trustlane::broker
