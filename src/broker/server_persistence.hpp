// Retained messages in SQLite (WAL) under the data directory: a write-through RetainedStore
// (the core's interface) over the in-memory one, so retained messages survive a restart or
// kill -9 — each put is committed before the publisher's PUBACK is sent.
#pragma once
#include <filesystem>
#include <memory>

#include "broker/retained_store.hpp"

namespace trustlane::iot {
class Database;
}

namespace trustlane::broker {

class SqliteRetainedStore final : public RetainedStore {
 public:
  explicit SqliteRetainedStore(const std::filesystem::path& path);  // loads what is stored
  ~SqliteRetainedStore() override;

  void put(const Scope& scope, RetainedMessage message) override;
  void match(const Scope& scope, std::string_view filter, std::vector<RetainedMessage>& out) const override;
  void set_expiry(const Scope& scope, std::string_view topic, std::int64_t expires_at) override {
    memory_.set_expiry(scope, topic, expires_at);  // the clock is the process's: nothing to store
  }
  std::size_t size() const override { return memory_.size(); }

 private:
  std::unique_ptr<iot::Database> db_;
  InMemoryRetainedStore memory_;
};

}  // namespace trustlane::broker
