// Retained messages: at most one per topic per scope; a retained PUBLISH with an empty payload
// deletes it; a new subscription receives the retained messages its filter matches.
// The interface lets a persistent store replace the in-memory one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/scope.hpp"
#include "mqtt/packets.hpp"

namespace trustlane::broker {

struct RetainedMessage {
  std::string topic;
  Bytes payload;
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  mqtt::Properties properties;  // v5 properties to replay (payload format, content type, …)
  // v5 Message Expiry on the hub clock (message_expiry.hpp). Kept in memory only: a store that
  // reloads messages after a restart leaves it unset, and the hub starts the interval again.
  std::optional<std::int64_t> expires_at{};
  bool operator==(const RetainedMessage&) const = default;
};

class RetainedStore {
 public:
  virtual ~RetainedStore() = default;
  // Stores the message for its topic, replacing any previous one; an empty payload deletes.
  virtual void put(const Scope& scope, RetainedMessage message) = 0;
  // Appends the retained messages whose topic matches `filter` (a valid, non-shared filter).
  virtual void match(const Scope& scope, std::string_view filter, std::vector<RetainedMessage>& out) const = 0;
  // Sets when a kept message expires, on the hub's clock. Not stored: the clock restarts with
  // the process, and a message reloaded after a restart starts its interval again.
  virtual void set_expiry(const Scope& scope, std::string_view topic, std::int64_t expires_at) = 0;
  virtual std::size_t size() const = 0;
};

class InMemoryRetainedStore final : public RetainedStore {
 public:
  void put(const Scope& scope, RetainedMessage message) override;
  void match(const Scope& scope, std::string_view filter, std::vector<RetainedMessage>& out) const override;
  void set_expiry(const Scope& scope, std::string_view topic, std::int64_t expires_at) override;
  std::size_t size() const override { return size_; }

 private:
  // Ordered per scope so a filter's literal prefix ("a/b/" of "a/b/+/c") narrows the scan.
  std::unordered_map<std::string, std::map<std::string, RetainedMessage, std::less<>>> by_scope_;
  std::size_t size_ = 0;
};

}  // namespace trustlane::broker
