// Retained messages and persistent sessions in SQLite (WAL) under the data directory, so both
// survive a restart or kill -9: every change is committed before the Hub goes on.
#pragma once
#include <filesystem>
#include <memory>

#include "broker/server_hub.hpp"

namespace trustlane::iot {
class Database;
}

namespace trustlane::broker {

class SqliteHubStore final : public HubStore {
 public:
  explicit SqliteHubStore(const std::filesystem::path& path);
  ~SqliteHubStore() override;

  // Loads everything into `hub` (at start-up, before any connection).
  void load_into(Hub& hub);

  void put_retained(const std::string& scope_key, const Message& m) override;
  void erase_retained(const std::string& scope_key, const std::string& topic) override;
  void put_session(const std::string& scope_key, const std::string& client_id, std::uint32_t expiry,
                   const std::map<std::string, SubscriptionOptions>& subscriptions, const std::vector<Delivery>& queued,
                   std::int64_t disconnected_ms) override;
  void erase_session(const std::string& scope_key, const std::string& client_id) override;

 private:
  std::unique_ptr<iot::Database> db_;
};

}  // namespace trustlane::broker
