// Random and mutated byte streams into live Connections: the core must never crash, must keep
// producing decodable output, and must close on garbage rather than hang or grow without bound.
#include <gtest/gtest.h>

#include <random>

#include "broker/connection.hpp"
#include "iot/policy/policy.hpp"

using namespace trustlane;
using namespace trustlane::broker;

namespace {

TEST(ConnectionRobustness, MutatedSessionsNeverCrashAndOutputStaysDecodable) {
  InMemoryRetainedStore retained;
  Hub hub(retained);
  auto policy = iot::policy::parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})").value();
  Authorizer allow_all = [&](const iot::policy::Request& r) { return iot::policy::evaluate({&policy}, r); };

  // A valid session script per version: CONNECT, SUBSCRIBE, PUBLISH (retained, QoS 1), PINGREQ.
  std::vector<std::pair<mqtt::Version, Bytes>> scripts;
  for (auto v : {mqtt::Version::v3_1_1, mqtt::Version::v5}) {
    Bytes s;
    auto add = [&](const mqtt::Packet& p) {
      auto b = mqtt::encode(p, v);
      s.insert(s.end(), b.begin(), b.end());
    };
    mqtt::Connect c;
    c.version = v;
    c.client_id = "fuzz";
    c.will = mqtt::Will{"w", {'x'}, mqtt::QoS::at_least_once, true, {}};
    add(c);
    add(mqtt::Subscribe{1, {}, {{"#", mqtt::QoS::at_least_once}, {"$share/g/a/+", mqtt::QoS::at_most_once}}});
    mqtt::Publish p;
    p.topic = "a/b";
    p.qos = mqtt::QoS::at_least_once;
    p.packet_id = 7;
    p.retain = true;
    p.payload = {'1', '2'};
    add(p);
    add(mqtt::Pingreq{});
    add(mqtt::Unsubscribe{2, {}, {"#"}});
    scripts.emplace_back(v, s);
  }

  std::mt19937 rng(2024);
  int closed = 0;
  for (int round = 0; round < 3000; ++round) {
    auto [version, bytes] = scripts[rng() % scripts.size()];
    int edits = static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !bytes.empty(); ++e) bytes[rng() % bytes.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
    Connection c(hub, ConnectionIdentity{{"111111111111", "us-east-1"}, {}}, allow_all);
    std::size_t at = 0;
    while (at < bytes.size() && !c.closed()) {
      std::size_t n = std::min<std::size_t>(1 + rng() % 40, bytes.size() - at);
      c.on_bytes(ByteView(bytes).subspan(at, n));
      at += n;
      if (rng() % 16 == 0) c.on_keep_alive_timer();
    }
    for (auto& e : c.take_events()) {
      if (auto* s = std::get_if<SendBytes>(&e)) {
        mqtt::FrameReader reader(1 << 20);
        reader.feed(s->bytes);
        auto frame = reader.next();
        ASSERT_TRUE(frame.ok() && frame.value());
        // The CONNACK to an unsupported level is in 3.1.1 form; everything else in the session's version.
        EXPECT_TRUE(mqtt::decode(*frame.value(), c.version()).ok());
      }
    }
    if (c.closed()) ++closed;
    for (Connection* d : hub.take_dirty()) (void)d->take_events();
  }
  EXPECT_GT(closed, 100);                 // garbage does get connections closed
  EXPECT_LE(hub.session_count(), 1u);     // and sessions are not leaked
}

}  // namespace
