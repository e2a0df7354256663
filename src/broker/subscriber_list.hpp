// The subscribers of one trie node (or one `$share` group). match() walks a plain vector; once
// the list grows past a few entries a hash map session → position makes adding, replacing and
// removing one subscriber O(1) instead of a scan (thousands of devices on one filter made
// subscribe/unsubscribe quadratic). Removal moves the last entry into the hole.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "mqtt/packets.hpp"

namespace trustlane::broker {

using SessionId = std::uint64_t;

struct Subscriber {
  SessionId session = 0;
  mqtt::QoS qos = mqtt::QoS::at_most_once;   // granted QoS
  bool no_local = false;                     // v5: not to the publishing session itself
  bool retain_as_published = false;          // v5
  std::uint32_t subscription_id = 0;         // v5 Subscription Identifier, 0 = none
  bool operator==(const Subscriber&) const = default;
};

class SubscriberList {
 public:
  // Adds the subscriber, or replaces the entry of its session; true when it is new.
  bool upsert(const Subscriber& subscriber);
  // Removes the session's entry; false if it had none.
  bool erase(SessionId session);

  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const Subscriber& operator[](std::size_t i) const { return items_[i]; }
  std::vector<Subscriber>::const_iterator begin() const { return items_.begin(); }
  std::vector<Subscriber>::const_iterator end() const { return items_.end(); }
  bool indexed() const { return positions_ != nullptr; }  // for tests

  // Small lists are scanned (most device filters have one subscriber): no map, no allocation.
  static constexpr std::size_t kIndexAt = 16;      // build the map when the list reaches this
  static constexpr std::size_t kUnindexAt = 4;     // drop it below this (hysteresis)

 private:
  std::size_t find(SessionId session) const;  // position, or size() when absent

  std::vector<Subscriber> items_;
  std::unique_ptr<std::unordered_map<SessionId, std::size_t>> positions_;
};

}  // namespace trustlane::broker
