// Policy decisions of one connection, remembered per (action, resource): a connection checks
// iot:Publish and iot:Receive on every message, nearly always for the same few topics, and the
// answer only changes when its certificate's policies do. Every cached answer is dropped as soon
// as the Permissions' documents change (their generation moves), so a policy change still
// applies to the very next message. Bounded: when full, it starts over.
//
// One cache serves one Connection, whose policy variables are fixed once it is connected (the
// key leaves the variables out for that reason). Not thread-safe: used on the core thread.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "broker/auth_permissions.hpp"

namespace trustlane::broker {

class DecisionCache {
 public:
  explicit DecisionCache(std::shared_ptr<const Permissions> permissions, std::size_t capacity = 256)
      : permissions_(std::move(permissions)), capacity_(capacity) {}

  // Permissions::evaluate(request), from the cache when the same action and resource were
  // evaluated since the documents last changed.
  iot::policy::Decision evaluate(const iot::policy::Request& request);

  std::size_t size() const;  // cached decisions now
  std::uint64_t hits() const { return hits_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using Decisions = std::unordered_map<std::string, iot::policy::Decision, Hash, std::equal_to<>>;
  Decisions* table_for(std::string_view action);  // nullptr: an action that is not cached

  std::shared_ptr<const Permissions> permissions_;
  std::size_t capacity_;
  std::uint64_t generation_ = 0;
  std::array<Decisions, 5> by_action_;  // Connect, Publish, Subscribe, Receive, RetainPublish
  std::uint64_t hits_ = 0;
};

}  // namespace trustlane::broker
