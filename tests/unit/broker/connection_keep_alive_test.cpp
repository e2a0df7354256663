// Keep-alive: a connection closes once 1.5 × keep-alive passes without a packet from the client,
// measured from its last packet — not sampled once per period (which allowed up to 3×). The test
// plays the I/O layer: it owns the core clock (PublishQuotas::advance_time) and one timer that
// each ArmKeepAlive replaces. Table-driven, MQTT 3.1.1 and 5.
#include <gtest/gtest.h>

#include "connection_harness.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::harness;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct KeepAliveCase {
  std::string name;
  std::uint16_t keep_alive;          // as the client asks (clamped to [30, 1200], 0 → 1200)
  std::vector<int> packets_at;       // seconds after CONNECT at which the client sends PINGREQ
  std::chrono::milliseconds closed_at;  // after CONNECT
};

std::ostream& operator<<(std::ostream& os, const KeepAliveCase& c) { return os << c.name; }

// The I/O side: a clock and the one keep-alive timer of the connection.
class IoLayer {
 public:
  IoLayer(World& w, Client& c, Clock::time_point start) : w_(w), c_(c), now_(start) { w_.quotas->advance_time(now_); }
  void at(Clock::time_point t) {
    now_ = t;
    w_.quotas->advance_time(now_);
  }
  // Fires the timer each time it is due up to `until` (the connection may re-arm it).
  void run_until(Clock::time_point until) {
    for (int guard = 0; guard < 100 && !c_.closed(); ++guard) {
      rearm();
      if (!armed_ || due_ > until) return;
      armed_ = false;
      at(due_);
      c_.timer();
    }
  }
  Clock::time_point now() const { return now_; }

 private:
  void rearm() {  // each ArmKeepAlive since the last look replaces the timer, counted from now
    std::size_t arms = 0;
    for (auto& e : c_.events)
      if (auto* a = std::get_if<ArmKeepAlive>(&e); a && ++arms > arms_seen_) {
        due_ = now_ + a->after;
        armed_ = true;
        arms_seen_ = arms;
      }
  }
  World& w_;
  Client& c_;
  Clock::time_point now_;
  Clock::time_point due_{};  // when the armed timer fires
  bool armed_ = false;
  std::size_t arms_seen_ = 0;
};

class KeepAlive : public ::testing::TestWithParam<std::tuple<KeepAliveCase, Version>> {};

TEST_P(KeepAlive, ClosesAfterOneAndAHalfPeriodsOfSilence) {
  const auto& [k, version] = GetParam();
  World w;
  PublishQuotas clock(AccountLimits{0, 0, 0, 0, 0});  // unlimited: only its time is used
  w.quotas = &clock;
  Limits limits;
  limits.publishes_per_second = 0;
  Client c(w, version, kAccountA, limits);
  const Clock::time_point t0 = Clock::time_point{} + 1000s;
  IoLayer io(w, c, t0);
  c.connect("dev-1", true, k.keep_alive);
  for (int s : k.packets_at) {
    io.run_until(t0 + std::chrono::seconds(s));
    ASSERT_EQ(c.closed(), nullptr) << "closed before the packet at " << s << " s";
    io.at(t0 + std::chrono::seconds(s));
    c.send(mqtt::Pingreq{});
  }
  io.run_until(t0 + 10'000s);
  ASSERT_NE(c.closed(), nullptr);
  EXPECT_EQ(io.now() - t0, k.closed_at);
  EXPECT_EQ(c.closed()->disconnect_reason, "MQTT_KEEP_ALIVE_TIMEOUT");
  auto d = c.take<mqtt::Disconnect>();
  if (version == Version::v5) {
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, static_cast<std::uint8_t>(ReasonCode::keep_alive_timeout));
  } else {
    EXPECT_TRUE(d.empty());  // 3.1.1 has no server DISCONNECT: the socket closes
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, KeepAlive,
    ::testing::Combine(::testing::Values(KeepAliveCase{"silent", 60, {}, 90s},
                                         KeepAliveCase{"packet_early_in_first_window", 60, {1}, 91s},
                                         KeepAliveCase{"packet_late_in_first_window", 60, {80}, 170s},
                                         KeepAliveCase{"packet_just_before_expiry", 60, {89}, 179s},
                                         KeepAliveCase{"regular_pings", 60, {60, 120, 180}, 270s},
                                         KeepAliveCase{"pings_just_inside_each_rearm", 60, {1, 90, 179}, 269s},
                                         KeepAliveCase{"clamped_up_to_30", 5, {}, 45s},
                                         KeepAliveCase{"zero_means_1200", 0, {}, 1800s},
                                         KeepAliveCase{"clamped_down_to_1200", 3600, {100}, 1900s}),
                       ::testing::Values(Version::v3_1_1, Version::v5)),
    [](const auto& test_info) {
      return std::get<0>(test_info.param).name + (std::get<1>(test_info.param) == Version::v5 ? "_v5" : "_v311");
    });

// The timer is re-armed for what is left since the last packet, not for a whole period.
TEST(KeepAlive, RearmsForTheRemainder) {
  for (Version version : {Version::v3_1_1, Version::v5}) {
    World w;
    PublishQuotas clock(AccountLimits{0, 0, 0, 0, 0});
    w.quotas = &clock;
    Client c(w, version);
    const Clock::time_point t0 = Clock::time_point{} + 1000s;
    clock.advance_time(t0);
    c.connect("dev-1", true, 60);
    EXPECT_EQ(c.last_timer(), 90s);
    clock.advance_time(t0 + 30s);
    c.send(mqtt::Pingreq{});
    clock.advance_time(t0 + 90s);
    c.timer();
    EXPECT_EQ(c.closed(), nullptr);
    EXPECT_EQ(c.last_timer(), 30s);  // 30 + 90 − 90
  }
}

}  // namespace
