// Adapter until broker/subscription_index.hpp (the trie on feat/mqtt) lands: the same calls
// (add / remove / match per scope, "$share/<g>/<f>" groups served round-robin, v5 no_local)
// over a flat list per scope, matched with mqtt::topic_matches (AWS semantics). Not thread-safe:
// the Hub serialises access.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/packets.hpp"

namespace trustlane::broker {

using SessionKey = std::uint64_t;

struct SubscriptionOptions {
  mqtt::QoS qos = mqtt::QoS::at_most_once;  // granted
  bool no_local = false;
  bool retain_as_published = false;
  std::uint8_t retain_handling = 0;
  std::uint32_t subscription_id = 0;        // 0: none
};

struct TopicMatch {
  SessionKey session = 0;
  SubscriptionOptions options;
};

class SubscriptionTable {
 public:
  // True when new (a repeated filter replaces the session's options).
  bool add(const std::string& scope_key, std::string_view filter, SessionKey session, const SubscriptionOptions& o);
  bool remove(const std::string& scope_key, std::string_view filter, SessionKey session);
  // Appends the receivers of a message on `topic`; a $share group contributes one member.
  void match(const std::string& scope_key, std::string_view topic, SessionKey publisher, std::vector<TopicMatch>& out);
  std::size_t size() const { return size_; }

 private:
  struct Entry {
    std::string filter;  // without "$share/<g>/"
    std::string group;   // "" when not shared
    SessionKey session;
    SubscriptionOptions options;
  };
  std::map<std::string, std::vector<Entry>, std::less<>> scopes_;
  std::map<std::string, std::size_t> cursors_;  // round-robin per scope+group+filter
  std::size_t size_ = 0;
};

}  // namespace trustlane::broker
