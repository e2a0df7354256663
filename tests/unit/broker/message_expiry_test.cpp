// MQTT 5 Message Expiry Interval (§3.3.2.3.3): a copy that waited — offline queue, behind the
// receiver's QoS 1 window, retained store, replay after a reconnect — is not delivered once its
// interval has passed, and every forwarded copy carries the interval left. The hub's clock is
// Hub::advance_time (seconds). Table-driven over where the message waited and the receiver's version.
#include <gtest/gtest.h>

#include "connection_harness.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::harness;

namespace {

constexpr std::int64_t t0 = 1'000'000;

enum class Waits { nowhere, offline_queue, behind_window, retained, replay };

struct ExpiryCase {
  std::string name;
  Waits waits;
  std::optional<std::uint32_t> interval;  // set by the (v5) publisher
  std::int64_t waited;                    // seconds until delivery is attempted
  bool delivered;
  std::optional<std::uint32_t> forwarded;  // interval a v5 receiver sees
};

std::ostream& operator<<(std::ostream& os, const ExpiryCase& c) { return os << c.name; }

mqtt::Publish message(const std::string& payload, std::optional<std::uint32_t> interval, bool retain = false) {
  mqtt::Publish p;
  p.topic = "exp/t";
  p.payload.assign(payload.begin(), payload.end());
  p.qos = QoS::at_least_once;
  p.packet_id = 9;
  p.retain = retain;
  p.properties.message_expiry_interval = interval;
  return p;
}

mqtt::Properties persistent() {
  mqtt::Properties p;
  p.session_expiry_interval = 3600;
  return p;
}

class MessageExpiry : public ::testing::TestWithParam<std::tuple<ExpiryCase, Version>> {};

TEST_P(MessageExpiry, WaitingCopiesExpire) {
  const auto& [k, version] = GetParam();
  World w;
  w.hub.advance_time(t0);
  Client pub(w, Version::v5);
  pub.connect("dev-pub");
  auto sub = std::make_unique<Client>(w, version);
  mqtt::Properties props = persistent();
  if (k.waits == Waits::behind_window) props.receive_maximum = 1;
  std::vector<mqtt::Publish> got;

  switch (k.waits) {
    case Waits::nowhere:
      sub->connect("dev-sub", false, 60, std::nullopt, props);
      sub->subscribe({{"exp/t", QoS::at_least_once}});
      w.hub.advance_time(t0 + k.waited);  // no wait happens: delivered as it arrives
      pub.send(message("m", k.interval));
      got = sub->take<mqtt::Publish>();
      break;
    case Waits::offline_queue:
      sub->connect("dev-sub", false, 60, std::nullopt, props);
      sub->subscribe({{"exp/t", QoS::at_least_once}});
      sub->drop();
      pub.send(message("m", k.interval));
      w.hub.advance_time(t0 + k.waited);
      sub = std::make_unique<Client>(w, version);
      sub->connect("dev-sub", false, 60, std::nullopt, props);
      got = sub->take<mqtt::Publish>();
      break;
    case Waits::behind_window: {
      if (version == Version::v3_1_1) GTEST_SKIP() << "Receive Maximum is MQTT 5";
      sub->connect("dev-sub", false, 60, std::nullopt, props);
      sub->subscribe({{"exp/t", QoS::at_least_once}});
      pub.send(message("first", std::nullopt));
      pub.send(message("m", k.interval));
      auto first = sub->take<mqtt::Publish>();
      ASSERT_EQ(first.size(), 1u);  // the window holds one
      w.hub.advance_time(t0 + k.waited);
      sub->send(mqtt::Puback{{first[0].packet_id, 0, {}}});
      got = sub->take<mqtt::Publish>();
      break;
    }
    case Waits::retained:
      pub.send(message("m", k.interval, /*retain=*/true));
      w.hub.advance_time(t0 + k.waited);
      sub->connect("dev-sub", false, 60, std::nullopt, props);
      sub->subscribe({{"exp/t", QoS::at_least_once}});
      got = sub->take<mqtt::Publish>();
      break;
    case Waits::replay: {
      sub->connect("dev-sub", false, 60, std::nullopt, props);
      sub->subscribe({{"exp/t", QoS::at_least_once}});
      pub.send(message("m", k.interval));
      ASSERT_EQ(sub->take<mqtt::Publish>().size(), 1u);  // sent, never acknowledged
      sub->drop();
      w.hub.advance_time(t0 + k.waited);
      sub = std::make_unique<Client>(w, version);
      sub->connect("dev-sub", false, 60, std::nullopt, props);
      got = sub->take<mqtt::Publish>();
      if (!got.empty()) {
        EXPECT_TRUE(got[0].dup);
      }
      break;
    }
  }
  if (!k.delivered) {
    EXPECT_TRUE(got.empty());
    if (k.waits == Waits::retained) {
      EXPECT_EQ(w.retained.size(), 0u);  // deleted, not just skipped
    }
    return;
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(text(got[0].payload), "m");
  if (version == Version::v5) {
    EXPECT_EQ(got[0].properties.message_expiry_interval, k.forwarded);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, MessageExpiry,
    ::testing::Combine(
        ::testing::Values(
            ExpiryCase{"live_unchanged", Waits::nowhere, 30, 0, true, 30},
            ExpiryCase{"live_no_expiry", Waits::nowhere, std::nullopt, 0, true, std::nullopt},
            ExpiryCase{"offline_in_time", Waits::offline_queue, 10, 4, true, 6},
            ExpiryCase{"offline_last_second", Waits::offline_queue, 10, 9, true, 1},
            ExpiryCase{"offline_expired_exactly", Waits::offline_queue, 10, 10, false, std::nullopt},
            ExpiryCase{"offline_expired_long_ago", Waits::offline_queue, 10, 1000, false, std::nullopt},
            ExpiryCase{"offline_no_expiry", Waits::offline_queue, std::nullopt, 1000, true, std::nullopt},
            ExpiryCase{"window_in_time", Waits::behind_window, 5, 3, true, 2},
            ExpiryCase{"window_expired", Waits::behind_window, 5, 6, false, std::nullopt},
            ExpiryCase{"retained_in_time", Waits::retained, 10, 4, true, 6},
            ExpiryCase{"retained_expired", Waits::retained, 10, 10, false, std::nullopt},
            ExpiryCase{"retained_no_expiry", Waits::retained, std::nullopt, 100'000, true, std::nullopt},
            ExpiryCase{"replay_in_time", Waits::replay, 10, 4, true, 6},
            ExpiryCase{"replay_expired", Waits::replay, 10, 11, false, std::nullopt}),
        ::testing::Values(Version::v3_1_1, Version::v5)),
    [](const auto& test_info) {
      return std::get<0>(test_info.param).name + (std::get<1>(test_info.param) == Version::v5 ? "_v5" : "_v311");
    });

// Reloaded retained messages (the SQLite store keeps no arrival time) start their interval again
// at their first use, instead of never expiring.
TEST(MessageExpiryRetained, ReloadedMessageExpiresFromFirstUse) {
  World w;
  w.hub.advance_time(t0);
  RetainedMessage reloaded{"exp/t", {'m'}, QoS::at_most_once, {}, std::nullopt};
  reloaded.properties.message_expiry_interval = 10;
  w.retained.put(kAccountA, reloaded);
  std::vector<RetainedMessage> out;
  w.hub.retained_for(kAccountA, "exp/#", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].expires_at, t0 + 10);
  out.clear();
  w.hub.advance_time(t0 + 10);
  w.hub.retained_for(kAccountA, "exp/#", out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(w.retained.size(), 0u);
}

// Stamping a reloaded message's expiry is in-memory only: the SQLite store would otherwise
// rewrite the row of every such message once after every restart.
TEST(MessageExpiryRetained, StampingAReloadedMessageDoesNotStoreItAgain) {
  class CountingStore final : public RetainedStore {
   public:
    void put(const Scope& scope, RetainedMessage m) override {
      ++puts;
      memory.put(scope, std::move(m));
    }
    void match(const Scope& scope, std::string_view filter, std::vector<RetainedMessage>& out) const override {
      memory.match(scope, filter, out);
    }
    void set_expiry(const Scope& scope, std::string_view topic, std::int64_t at) override {
      memory.set_expiry(scope, topic, at);
    }
    std::size_t size() const override { return memory.size(); }
    InMemoryRetainedStore memory;
    int puts = 0;
  } store;
  Hub hub{store};
  hub.advance_time(t0);
  RetainedMessage reloaded{"exp/t", {'m'}, QoS::at_most_once, {}, std::nullopt};
  reloaded.properties.message_expiry_interval = 10;
  store.memory.put(kAccountA, reloaded);  // as SqliteRetainedStore's constructor loads it
  std::vector<RetainedMessage> out;
  hub.retained_for(kAccountA, "exp/#", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(store.puts, 0);
  out.clear();
  hub.advance_time(t0 + 5);
  hub.retained_for(kAccountA, "exp/#", out);  // the stamp held: 5 s left, not 10 again
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].expires_at, t0 + 10);
  out.clear();
  hub.advance_time(t0 + 10);
  hub.retained_for(kAccountA, "exp/#", out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(store.puts, 1);  // the deletion of the expired message
}

}  // namespace
