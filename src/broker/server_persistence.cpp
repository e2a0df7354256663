#include "broker/server_persistence.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "iot/sqlite.hpp"

namespace trustlane::broker {
namespace {

using nlohmann::json;

json properties_to_json(const mqtt::Properties& p) {
  json j = json::object();
  if (p.payload_format_indicator) j["pfi"] = *p.payload_format_indicator;
  if (p.message_expiry_interval) j["expiry"] = *p.message_expiry_interval;
  if (p.content_type) j["contentType"] = *p.content_type;
  if (p.response_topic) j["responseTopic"] = *p.response_topic;
  if (p.correlation_data) j["correlation"] = to_hex(*p.correlation_data);
  if (!p.user_properties.empty()) j["user"] = p.user_properties;
  return j;
}

mqtt::Properties properties_from_json(const json& j) {
  mqtt::Properties p;
  if (j.contains("pfi")) p.payload_format_indicator = j["pfi"].get<std::uint8_t>();
  if (j.contains("expiry")) p.message_expiry_interval = j["expiry"].get<std::uint32_t>();
  if (j.contains("contentType")) p.content_type = j["contentType"].get<std::string>();
  if (j.contains("responseTopic")) p.response_topic = j["responseTopic"].get<std::string>();
  if (j.contains("correlation")) p.correlation_data = from_hex(j["correlation"].get<std::string>()).value_or(Bytes{});
  if (j.contains("user")) p.user_properties = j["user"].get<mqtt::UserProperties>();
  return p;
}

}  // namespace

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
