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

json message_to_json(const Message& m) {
  return json{{"topic", m.topic},  {"payload", to_hex(m.payload)},          {"qos", static_cast<int>(m.qos)},
              {"retain", m.retain}, {"props", properties_to_json(m.properties)}, {"received", m.received_ms}};
}

MessagePtr message_from_json(const json& j) {
  auto m = std::make_shared<Message>();
  m->topic = j.at("topic").get<std::string>();
  m->payload = from_hex(j.at("payload").get<std::string>()).value_or(Bytes{});
  m->qos = j.at("qos").get<int>() == 1 ? mqtt::QoS::at_least_once : mqtt::QoS::at_most_once;
  m->retain = j.at("retain").get<bool>();
  m->properties = properties_from_json(j.at("props"));
  m->received_ms = j.at("received").get<std::int64_t>();
  return m;
}

json options_to_json(const SubscriptionOptions& o) {
  return json{{"qos", static_cast<int>(o.qos)}, {"noLocal", o.no_local}, {"rap", o.retain_as_published},
              {"rh", o.retain_handling},        {"id", o.subscription_id}};
}

SubscriptionOptions options_from_json(const json& j) {
  SubscriptionOptions o;
  o.qos = j.at("qos").get<int>() == 1 ? mqtt::QoS::at_least_once : mqtt::QoS::at_most_once;
  o.no_local = j.at("noLocal").get<bool>();
  o.retain_as_published = j.at("rap").get<bool>();
  o.retain_handling = j.at("rh").get<std::uint8_t>();
  o.subscription_id = j.at("id").get<std::uint32_t>();
  return o;
}

}  // namespace

SqliteHubStore::SqliteHubStore(const std::filesystem::path& path) : db_(std::make_unique<iot::Database>(path.string())) {
  db_->exec(
      "CREATE TABLE IF NOT EXISTS retained (scope TEXT NOT NULL, topic TEXT NOT NULL, message TEXT NOT NULL,"
      " PRIMARY KEY (scope, topic));"
      "CREATE TABLE IF NOT EXISTS sessions (scope TEXT NOT NULL, client_id TEXT NOT NULL, expiry INTEGER NOT NULL,"
      " disconnected_ms INTEGER NOT NULL, subscriptions TEXT NOT NULL, queued TEXT NOT NULL,"
      " PRIMARY KEY (scope, client_id));");
}

SqliteHubStore::~SqliteHubStore() = default;

void SqliteHubStore::load_into(Hub& hub) {
  std::size_t retained = 0, sessions = 0;
  auto& r = db_->prepare("SELECT scope, message FROM retained");
  while (r.step()) {
    try {
      hub.restore_retained(r.text(0), message_from_json(json::parse(r.text(1))));
      ++retained;
    } catch (const std::exception& e) {
      spdlog::warn("broker: skipping unreadable retained message: {}", e.what());
    }
  }
  r.reset();
  auto& s = db_->prepare("SELECT scope, client_id, expiry, disconnected_ms, subscriptions, queued FROM sessions");
  while (s.step()) {
    try {
      std::map<std::string, SubscriptionOptions> subs;
      const json stored_subs = json::parse(s.text(4));
      for (const auto& [filter, o] : stored_subs.items()) subs[filter] = options_from_json(o);
      std::vector<Delivery> queued;
      const json stored_queue = json::parse(s.text(5));
      for (const auto& q : stored_queue) {
        Delivery d{message_from_json(q.at("message")), q.at("qos").get<int>() == 1 ? mqtt::QoS::at_least_once
                                                                                     : mqtt::QoS::at_most_once,
                   q.at("retain").get<bool>(), q.at("id").get<std::uint32_t>()};
        queued.push_back(std::move(d));
      }
      hub.restore_session(s.text(0), s.text(1), static_cast<std::uint32_t>(s.integer(2)), subs, std::move(queued),
                          s.integer(3));
      ++sessions;
    } catch (const std::exception& e) {
      spdlog::warn("broker: skipping unreadable session: {}", e.what());
    }
  }
  s.reset();
  spdlog::info("broker: restored {} retained messages and {} persistent sessions", retained, sessions);
}

void SqliteHubStore::put_retained(const std::string& scope_key, const Message& m) {
  db_->prepare("INSERT OR REPLACE INTO retained (scope, topic, message) VALUES (?1, ?2, ?3)")
      .bind(1, scope_key)
      .bind(2, m.topic)
      .bind(3, message_to_json(m).dump())
      .run();
}

void SqliteHubStore::erase_retained(const std::string& scope_key, const std::string& topic) {
  db_->prepare("DELETE FROM retained WHERE scope = ?1 AND topic = ?2").bind(1, scope_key).bind(2, topic).run();
}

void SqliteHubStore::put_session(const std::string& scope_key, const std::string& client_id, std::uint32_t expiry,
                                 const std::map<std::string, SubscriptionOptions>& subscriptions,
                                 const std::vector<Delivery>& queued, std::int64_t disconnected_ms) {
  json subs = json::object();
  for (const auto& [filter, o] : subscriptions) subs[filter] = options_to_json(o);
  json q = json::array();
  for (const auto& d : queued)
    q.push_back(json{{"message", message_to_json(*d.message)},
                     {"qos", static_cast<int>(d.qos)},
                     {"retain", d.retain},
                     {"id", d.subscription_id}});
  db_->prepare(
         "INSERT OR REPLACE INTO sessions (scope, client_id, expiry, disconnected_ms, subscriptions, queued)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .bind(1, scope_key)
      .bind(2, client_id)
      .bind(3, static_cast<std::int64_t>(expiry))
      .bind(4, disconnected_ms)
      .bind(5, subs.dump())
      .bind(6, q.dump())
      .run();
}

void SqliteHubStore::erase_session(const std::string& scope_key, const std::string& client_id) {
  db_->prepare("DELETE FROM sessions WHERE scope = ?1 AND client_id = ?2").bind(1, scope_key).bind(2, client_id).run();
}

}  // namespace trustlane::broker
