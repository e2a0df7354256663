#include "broker/server_persistence.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "broker/server_properties_json.hpp"
#include "iot/sqlite.hpp"

namespace trustlane::broker {

using nlohmann::json;

SqliteRetainedStore::SqliteRetainedStore(const std::filesystem::path& path)
    : db_(std::make_unique<iot::Database>(path.string())) {
  db_->exec(
      "CREATE TABLE IF NOT EXISTS retained (account TEXT NOT NULL, region TEXT NOT NULL, topic TEXT NOT NULL,"
      " qos INTEGER NOT NULL, payload TEXT NOT NULL, properties TEXT NOT NULL, PRIMARY KEY (account, region, topic))");
  auto& st = db_->prepare("SELECT account, region, topic, qos, payload, properties FROM retained");
  std::size_t loaded = 0;
  while (st.step()) {
    try {
      RetainedMessage m;
      m.topic = st.text(2);
      m.qos = st.integer(3) == 1 ? mqtt::QoS::at_least_once : mqtt::QoS::at_most_once;
      m.payload = from_hex(st.text(4)).value_or(Bytes{});
      const json props = json::parse(st.text(5));
      m.properties = properties_from_json(props);
      if (m.payload.empty()) continue;
      memory_.put(Scope{st.text(0), st.text(1)}, std::move(m));
      ++loaded;
    } catch (const std::exception& e) {
      spdlog::warn("broker: skipping unreadable retained message: {}", e.what());
    }
  }
  st.reset();
  spdlog::info("broker: {} retained messages restored from {}", loaded, path.string());
}

SqliteRetainedStore::~SqliteRetainedStore() = default;

void SqliteRetainedStore::put(const Scope& scope, RetainedMessage message) {
  if (message.payload.empty()) {
    db_->prepare("DELETE FROM retained WHERE account = ?1 AND region = ?2 AND topic = ?3")
        .bind(1, scope.account)
        .bind(2, scope.region)
        .bind(3, message.topic)
        .run();
  } else {
    db_->prepare(
           "INSERT OR REPLACE INTO retained (account, region, topic, qos, payload, properties)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, scope.account)
        .bind(2, scope.region)
        .bind(3, message.topic)
        .bind(4, static_cast<std::int64_t>(message.qos))
        .bind(5, to_hex(message.payload))
        .bind(6, properties_to_json(message.properties).dump())
        .run();
  }
  memory_.put(scope, std::move(message));
}

void SqliteRetainedStore::match(const Scope& scope, std::string_view filter, std::vector<RetainedMessage>& out) const {
  memory_.match(scope, filter, out);
}

}  // namespace trustlane::broker
