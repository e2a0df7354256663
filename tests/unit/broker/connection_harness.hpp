// A scripted MQTT client driving one broker::Connection with encoded packets and decoding what
// comes back, on a World (hub, retained store, a permissive-with-exceptions policy). Shared by the
// connection_*_test.cpp files. `World::quotas` (null by default) is the core's clock when set.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "broker/connection.hpp"
#include "iot/policy/policy.hpp"

namespace trustlane::broker::harness {

using mqtt::QoS;
using mqtt::ReasonCode;
using mqtt::Version;

inline const Scope kAccountA{"111111111111", "us-east-1"};
inline const Scope kAccountB{"222222222222", "us-east-1"};

inline constexpr const char* kPolicy = R"({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/dev*"},
  {"Effect":"Allow","Action":["iot:Publish","iot:Receive"],"Resource":"arn:aws:iot:*:*:topic/*"},
  {"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:*:*:topicfilter/*"},
  {"Effect":"Allow","Action":"iot:RetainPublish","Resource":["arn:aws:iot:*:*:topic/r/*","arn:aws:iot:*:*:topic/exp/*"]},
  {"Effect":"Deny","Action":["iot:Publish","iot:Subscribe"],"Resource":["arn:aws:iot:*:*:topic/forbidden","arn:aws:iot:*:*:topicfilter/forbidden"]},
  {"Effect":"Deny","Action":"iot:Receive","Resource":"arn:aws:iot:*:*:topic/secret/*"}]})";

struct World {
  World() = default;
  explicit World(QueueBudget offline_queue) : hub(retained, offline_queue) {}
  InMemoryRetainedStore retained;
  Hub hub{retained};
  iot::policy::Document policy = iot::policy::parse(kPolicy).value();
  Authorizer authorize = [this](const iot::policy::Request& r) { return iot::policy::evaluate({&policy}, r); };
  PublishQuotas* quotas = nullptr;  // the connections' clock (and publish quotas) when set
};

// A scripted client: encodes packets into the Connection, decodes what comes back.
class Client {
 public:
  Client(World& w, Version v, const Scope& scope = kAccountA, Limits limits = {})
      : version_(v), conn_(std::make_unique<Connection>(w.hub, ConnectionIdentity{scope, {}}, w.authorize, limits, w.quotas)) {
    collect();
  }
  void send(const mqtt::Packet& p) {
    conn_->on_bytes(mqtt::encode(p, version_));
    collect();
  }
  void raw(const Bytes& b) {
    conn_->on_bytes(b);
    collect();
  }
  void timer() {
    conn_->on_keep_alive_timer();
    collect();
  }
  void drop() {
    conn_->on_transport_closed();
    collect();
  }
  // Moves events produced on this connection by other connections' actions into our log.
  void collect() {
    for (auto& e : conn_->take_events()) {
      if (auto* s = std::get_if<SendBytes>(&e)) {
        auto p = mqtt::decode(s->bytes, version_);
        ASSERT_TRUE(p.ok()) << "broker sent undecodable bytes: " << p.error();
        packets.push_back(p.value());
      } else {
        events.push_back(std::move(e));
      }
    }
  }
  template <class T>
  std::vector<T> take() {
    collect();
    std::vector<T> out;
    std::vector<mqtt::Packet> rest;
    for (auto& p : packets) {
      if (auto* t = std::get_if<T>(&p)) out.push_back(*t);
      else rest.push_back(p);
    }
    packets = rest;
    return out;
  }
  const CloseConnection* closed() {
    collect();
    for (auto& e : events)
      if (auto* c = std::get_if<CloseConnection>(&e)) return c;
    return nullptr;
  }
  std::optional<std::chrono::milliseconds> last_timer() {
    std::optional<std::chrono::milliseconds> t;
    for (auto& e : events)
      if (auto* a = std::get_if<ArmKeepAlive>(&e)) t = a->after;
    return t;
  }
  mqtt::Connack connect(const std::string& id, bool clean = true, std::uint16_t keep_alive = 60,
                        std::optional<mqtt::Will> will = std::nullopt, mqtt::Properties props = {}) {
    mqtt::Connect c;
    c.version = version_;
    c.client_id = id;
    c.clean_start = clean;
    c.keep_alive = keep_alive;
    c.will = std::move(will);
    c.properties = props;
    send(c);
    auto acks = take<mqtt::Connack>();
    EXPECT_EQ(acks.size(), 1u) << "no CONNACK for " << id;
    return acks.empty() ? mqtt::Connack{false, 0xFF, {}} : acks[0];
  }
  mqtt::Suback subscribe(std::vector<mqtt::Subscription> subs, std::uint16_t id = 1) {
    send(mqtt::Subscribe{id, {}, std::move(subs)});
    auto acks = take<mqtt::Suback>();
    EXPECT_EQ(acks.size(), 1u);
    return acks.empty() ? mqtt::Suback{} : acks[0];
  }
  void publish(const std::string& topic, const std::string& payload, QoS qos = QoS::at_most_once, bool retain = false,
               std::uint16_t id = 1) {
    mqtt::Publish p;
    p.topic = topic;
    p.payload.assign(payload.begin(), payload.end());
    p.qos = qos;
    p.retain = retain;
    p.packet_id = qos == QoS::at_most_once ? 0 : id;
    send(p);
  }
  Connection& connection() { return *conn_; }

  std::vector<mqtt::Packet> packets;
  std::vector<Event> events;

 private:
  Version version_;
  std::unique_ptr<Connection> conn_;
};

inline std::string text(const Bytes& b) { return {b.begin(), b.end()}; }

}  // namespace trustlane::broker::harness
