// A scripted MQTT client for the session persistence tests: encodes packets into a Connection
// and decodes what comes back, and a World whose Hub records into a SessionStore.
#pragma once
#include <gtest/gtest.h>

#include <memory>

#include "broker/connection.hpp"

namespace trustlane::broker::testing {

inline const Scope kScope{"111111111111", "us-east-1"};

inline Authorizer allow_everything() {
  return [](const iot::policy::Request&) {
    iot::policy::Decision d;
    d.reason = iot::policy::Decision::Reason::explicit_allow;
    return d;
  };
}

// One broker "process": a hub over a (shared, surviving) session store, its clock at `now`.
struct World {
  explicit World(SessionStore& store, std::int64_t now = 1'000'000, std::size_t queue_limit = 1000)
      : hub(retained, QueueBudget{queue_limit, QueueBudget{}.bytes}, &store) {
    hub.advance_time(now);
    restored = hub.restore();
  }
  InMemoryRetainedStore retained;
  Hub hub;
  Hub::Restored restored;
};

class Client {
 public:
  Client(World& w, mqtt::Version v)
      : version_(v), conn_(std::make_unique<Connection>(w.hub, ConnectionIdentity{kScope, {}}, allow_everything())) {}
  void send(const mqtt::Packet& p) { conn_->on_bytes(mqtt::encode(p, version_)); }
  void drop() { conn_->on_transport_closed(); }
  std::vector<mqtt::Packet> packets() {
    std::vector<mqtt::Packet> out;
    for (auto& e : conn_->take_events())
      if (auto* s = std::get_if<SendBytes>(&e)) {
        auto p = mqtt::decode(s->bytes, version_);
        EXPECT_TRUE(p.ok());
        if (p.ok()) out.push_back(p.value());
      }
    return out;
  }
  template <class T>
  std::vector<T> take() {
    std::vector<T> out;
    for (auto& p : packets())
      if (auto* t = std::get_if<T>(&p)) out.push_back(*t);
    return out;
  }
  mqtt::Connack connect(const std::string& id, bool clean, std::optional<std::uint32_t> expiry = std::nullopt) {
    mqtt::Connect c;
    c.version = version_;
    c.client_id = id;
    c.clean_start = clean;
    c.keep_alive = 60;
    c.properties.session_expiry_interval = expiry;
    conn_->on_bytes(mqtt::encode(c, version_));
    pending_ = packets();
    for (auto& p : pending_)
      if (auto* a = std::get_if<mqtt::Connack>(&p)) return *a;
    ADD_FAILURE() << "no CONNACK for " << id;
    return {};
  }
  // Packets that came with the CONNACK (replayed messages).
  std::vector<mqtt::Publish> replayed() {
    std::vector<mqtt::Publish> out;
    for (auto& p : pending_)
      if (auto* t = std::get_if<mqtt::Publish>(&p)) out.push_back(*t);
    pending_.clear();
    return out;
  }
  void subscribe(const mqtt::Subscription& s, std::uint32_t subscription_id = 0) {
    mqtt::Subscribe sub{1, {}, {s}};
    if (subscription_id) sub.properties.subscription_identifiers = {subscription_id};
    send(sub);
  }
  void publish(const std::string& topic, const std::string& payload, std::uint16_t id) {
    mqtt::Publish p;
    p.topic = topic;
    p.payload.assign(payload.begin(), payload.end());
    p.qos = id ? mqtt::QoS::at_least_once : mqtt::QoS::at_most_once;
    p.packet_id = id;
    send(p);
  }
  void puback(std::uint16_t id) { send(mqtt::Puback{{id, 0, {}}}); }

 private:
  mqtt::Version version_;
  std::unique_ptr<Connection> conn_;
  std::vector<mqtt::Packet> pending_;
};

inline std::string text(const Bytes& b) { return {b.begin(), b.end()}; }

}  // namespace trustlane::broker::testing
