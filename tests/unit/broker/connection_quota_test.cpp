// The publish quotas inside the sans-I/O Connection, with the time passed explicitly through
// PublishQuotas::advance_time: 100 PUBLISH/s per connection, the account's inbound and outbound
// quotas, and what each MQTT version sees (AWS: connection kept, message dropped; 3.1.1 QoS 1 gets
// no PUBACK; 5 gets PUBACK 0x97 Quota exceeded).
#include <gtest/gtest.h>

#include <memory>

#include "broker/connection.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace std::chrono_literals;
using mqtt::QoS;
using mqtt::ReasonCode;
using mqtt::Version;
using Clock = std::chrono::steady_clock;

namespace {

const Scope kA{"111111111111", "us-east-1"};
const Scope kB{"222222222222", "us-east-1"};
const Clock::time_point t0 = Clock::time_point{} + 500s;


struct World {
  explicit World(AccountLimits l = {}) : quotas(l) {
    quotas.advance_time(t0);
    quotas.report = [this](QuotaRefusal r) { reported.push_back(r); };
  }
  InMemoryRetainedStore retained;
  Hub hub{retained};
  PublishQuotas quotas;
  std::vector<QuotaRefusal> reported;
};

class Peer {
 public:
  Peer(World& w, Version v, const std::string& id, const Scope& scope = kA, Limits limits = {})
      : version_(v),
        conn_(std::make_unique<Connection>(w.hub, ConnectionIdentity{scope, {}},
                                           [](const iot::policy::Request& r) {
                                             return iot::policy::evaluate({&policy()}, r);
                                           },
                                           limits, &w.quotas)) {
    mqtt::Connect c;
    c.version = v;
    c.client_id = id;
    c.keep_alive = 60;
    send(c);
  }
  static const iot::policy::Document& policy() {
    static auto doc = iot::policy::parse(
                          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})")
                          .value();
    return doc;
  }
  void send(const mqtt::Packet& p) {
    conn_->on_bytes(mqtt::encode(p, version_));
    collect();
  }
  void collect() {
    for (auto& e : conn_->take_events()) {
      if (auto* s = std::get_if<SendBytes>(&e)) {
        auto p = mqtt::decode(s->bytes, version_);
        ASSERT_TRUE(p.ok());
        packets.push_back(p.value());
      } else if (std::holds_alternative<CloseConnection>(e)) {
        closed = true;
      }
    }
  }
  void publish(const std::string& topic, QoS qos, std::uint16_t id) {
    mqtt::Publish p;
    p.topic = topic;
    p.payload = {'x'};
    p.qos = qos;
    p.packet_id = qos == QoS::at_most_once ? 0 : id;
    send(p);
  }
  void subscribe(const std::string& filter) {
    send(mqtt::Subscribe{1, {}, {mqtt::Subscription{filter, QoS::at_most_once}}});
  }
  template <class T>
  std::vector<T> take() {
    collect();
    std::vector<T> out;
    for (auto& p : packets)
      if (auto* t = std::get_if<T>(&p)) out.push_back(*t);
    packets.clear();
    return out;
  }

  bool closed = false;
  std::vector<mqtt::Packet> packets;

 private:
  Version version_;
  std::unique_ptr<Connection> conn_;
};

TEST(ConnectionQuota, V5QoS1OverTheConnectionRateGetsQuotaExceededAndStaysConnected) {
  World w;
  Peer sub(w, Version::v5, "sub");
  sub.subscribe("t");
  sub.take<mqtt::Suback>();
  Peer pub(w, Version::v5, "pub");
  pub.take<mqtt::Connack>();
  for (std::uint16_t i = 1; i <= 120; ++i) pub.publish("t", QoS::at_least_once, i);
  auto acks = pub.take<mqtt::Puback>();
  ASSERT_EQ(acks.size(), 120u);
  int ok = 0, quota = 0;
  for (auto& a : acks) {
    ok += a.reason_code == 0;
    quota += a.reason_code == static_cast<std::uint8_t>(ReasonCode::quota_exceeded);
  }
  EXPECT_EQ(ok, 100);
  EXPECT_EQ(quota, 20);
  EXPECT_EQ(sub.take<mqtt::Publish>().size(), 100u);  // the throttled 20 went nowhere
  EXPECT_FALSE(pub.closed);
  EXPECT_EQ(w.reported.size(), 20u);
  EXPECT_EQ(w.reported[0], QuotaRefusal::connection_publish_rate);
  // A second later the bucket is full again.
  w.quotas.advance_time(t0 + 1s);
  pub.publish("t", QoS::at_least_once, 500);
  auto later = pub.take<mqtt::Puback>();
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].reason_code, 0);
}

TEST(ConnectionQuota, V311ThrottledPublishIsDroppedWithoutPubackAndWithoutDisconnect) {
  World w;
  Peer sub(w, Version::v3_1_1, "sub");
  sub.subscribe("t");
  sub.take<mqtt::Suback>();
  Peer pub(w, Version::v3_1_1, "pub");
  pub.take<mqtt::Connack>();
  for (std::uint16_t i = 1; i <= 110; ++i) pub.publish("t", i % 2 ? QoS::at_least_once : QoS::at_most_once, i);
  EXPECT_EQ(pub.take<mqtt::Puback>().size(), 50u);  // odd ids 1..99 admitted; 101..109 not acked
  EXPECT_EQ(sub.take<mqtt::Publish>().size(), 100u);
  EXPECT_FALSE(pub.closed);
  pub.send(mqtt::Pingreq{});
  EXPECT_EQ(pub.take<mqtt::Pingresp>().size(), 1u);  // still served
}

TEST(ConnectionQuota, LimitsSetThePerConnectionRateAndZeroIsUnlimited) {
  World w;
  Limits slow;
  slow.publishes_per_second = 2;
  Peer a(w, Version::v5, "a", kA, slow);
  a.take<mqtt::Connack>();
  for (std::uint16_t i = 1; i <= 5; ++i) a.publish("t", QoS::at_least_once, i);
  auto acks = a.take<mqtt::Puback>();
  ASSERT_EQ(acks.size(), 5u);
  EXPECT_EQ(acks[1].reason_code, 0);
  EXPECT_EQ(acks[2].reason_code, static_cast<std::uint8_t>(ReasonCode::quota_exceeded));
  Limits unlimited;
  unlimited.publishes_per_second = 0;
  AccountLimits no_account;
  no_account.publishes_in_per_second = 0;
  World w2(no_account);
  Peer b(w2, Version::v5, "b", kA, unlimited);
  b.take<mqtt::Connack>();
  for (std::uint16_t i = 1; i <= 1000; ++i) b.publish("t", QoS::at_least_once, i);
  for (auto& ack : b.take<mqtt::Puback>()) ASSERT_EQ(ack.reason_code, 0);
  EXPECT_TRUE(w2.reported.empty());
}

TEST(ConnectionQuota, AccountInboundQuotaIsSharedByTheAccountsConnectionsOnly) {
  AccountLimits l;
  l.publishes_in_per_second = 30;
  World w(l);
  Peer a1(w, Version::v5, "a1", kA), a2(w, Version::v5, "a2", kA), b1(w, Version::v5, "b1", kB);
  for (auto* p : {&a1, &a2, &b1}) p->take<mqtt::Connack>();
  for (std::uint16_t i = 1; i <= 20; ++i) a1.publish("t", QoS::at_least_once, i);
  for (std::uint16_t i = 1; i <= 20; ++i) a2.publish("t", QoS::at_least_once, i);
  for (std::uint16_t i = 1; i <= 20; ++i) b1.publish("t", QoS::at_least_once, i);
  auto count_ok = [](std::vector<mqtt::Puback> acks) {
    int ok = 0;
    for (auto& a : acks) ok += a.reason_code == 0;
    return ok;
  };
  EXPECT_EQ(count_ok(a1.take<mqtt::Puback>()), 20);
  EXPECT_EQ(count_ok(a2.take<mqtt::Puback>()), 10);  // 30 for the account
  EXPECT_EQ(count_ok(b1.take<mqtt::Puback>()), 20);  // account B has its own 30
  EXPECT_EQ(w.reported, std::vector<QuotaRefusal>(10, QuotaRefusal::account_publish_in_rate));
}

TEST(ConnectionQuota, AccountOutboundQuotaDropsDeliveriesNotConnections) {
  AccountLimits l;
  l.publishes_out_per_second = 25;
  World w(l);
  Peer s1(w, Version::v5, "s1"), s2(w, Version::v3_1_1, "s2"), pub(w, Version::v5, "pub");
  for (auto* s : {&s1, &s2}) {
    s->subscribe("t");
    s->take<mqtt::Suback>();
  }
  for (std::uint16_t i = 1; i <= 20; ++i) pub.publish("t", QoS::at_most_once, i);  // 40 deliveries wanted
  auto got = s1.take<mqtt::Publish>().size() + s2.take<mqtt::Publish>().size();
  EXPECT_EQ(got, 25u);
  EXPECT_FALSE(s1.closed);
  EXPECT_FALSE(s2.closed);
  EXPECT_EQ(w.reported, std::vector<QuotaRefusal>(15, QuotaRefusal::account_publish_out_rate));
}

TEST(ConnectionQuota, WithoutQuotasNothingIsThrottled) {
  InMemoryRetainedStore retained;
  Hub hub{retained};
  Connection c(hub, ConnectionIdentity{kA, {}}, [](const iot::policy::Request& r) {
    return iot::policy::evaluate({&Peer::policy()}, r);
  });
  mqtt::Connect connect;
  connect.version = Version::v5;
  connect.client_id = "x";
  connect.keep_alive = 60;
  c.on_bytes(mqtt::encode(connect, Version::v5));
  int acks = 0;
  for (std::uint16_t i = 1; i <= 300; ++i) {
    mqtt::Publish p;
    p.topic = "t";
    p.qos = QoS::at_least_once;
    p.packet_id = i;
    c.on_bytes(mqtt::encode(p, Version::v5));
  }
  for (auto& e : c.take_events())
    if (auto* s = std::get_if<SendBytes>(&e))
      if (auto p = mqtt::decode(s->bytes, Version::v5); p.ok())
        if (auto* a = std::get_if<mqtt::Puback>(&p.value())) acks += a->reason_code == 0;
  EXPECT_EQ(acks, 300);
}

}  // namespace
