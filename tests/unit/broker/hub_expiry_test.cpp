// Offline session expiry on the hub's clock: each session goes exactly at offline_since + expiry,
// a reconnect cancels its deadline and the next disconnect starts a new one, restored sessions
// keep theirs; advance_time() only visits the sessions that are due.
#include <gtest/gtest.h>

#include <chrono>

#include "session_client.hpp"

using namespace trustlane;
using namespace trustlane::broker;
using namespace trustlane::broker::testing;
using mqtt::Version;

namespace {

constexpr std::int64_t t0 = 1'000'000;

struct At {
  std::int64_t at;  // seconds after t0
  enum { connect, drop, check } what;
  bool present = false;  // check: is the session still there?
};

struct ExpiryCase {
  std::string name;
  Version version;
  std::optional<std::uint32_t> expiry;  // v5 Session Expiry (3.1.1: AWS's 3600)
  std::vector<At> events;
};

class HubExpiry : public ::testing::TestWithParam<ExpiryCase> {};

TEST_P(HubExpiry, SessionGoesAtItsDeadline) {
  const ExpiryCase& k = GetParam();
  InMemorySessionStore store;
  World w(store, t0);
  std::unique_ptr<Client> c;
  for (const At& e : k.events) {
    w.hub.advance_time(t0 + e.at);
    switch (e.what) {
      case At::connect:
        c = std::make_unique<Client>(w, k.version);
        c->connect("dev-1", false, k.expiry);
        break;
      case At::drop:
        c->drop();
        c.reset();
        break;
      case At::check:
        EXPECT_EQ(w.hub.session_count(), e.present ? 1u : 0u) << "at " << e.at;
        EXPECT_EQ(store.session_count(), e.present ? 1u : 0u) << "at " << e.at;
        break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, HubExpiry,
    ::testing::Values(
        ExpiryCase{"v5_exact_deadline", Version::v5, 60,
                   {{0, At::connect}, {10, At::drop}, {69, At::check, true}, {70, At::check, false}}},
        ExpiryCase{"v311_one_hour", Version::v3_1_1, std::nullopt,
                   {{0, At::connect}, {0, At::drop}, {3599, At::check, true}, {3600, At::check, false}}},
        ExpiryCase{"reconnect_cancels_deadline", Version::v5, 60,
                   {{0, At::connect}, {0, At::drop}, {50, At::connect}, {61, At::check, true},
                    {500, At::check, true}, {500, At::drop}, {559, At::check, true}, {560, At::check, false}}},
        ExpiryCase{"repeated_flaps_keep_only_the_last", Version::v5, 100,
                   {{0, At::connect}, {1, At::drop}, {2, At::connect}, {3, At::drop}, {4, At::connect},
                    {5, At::drop}, {101, At::check, true}, {104, At::check, true}, {105, At::check, false}}},
        // "Never" is capped at the account's persistent session period (Limits::session_expiry).
        ExpiryCase{"never_is_capped_at_one_hour", Version::v5, 0xFFFFFFFF,
                   {{0, At::connect}, {0, At::drop}, {3599, At::check, true}, {3600, At::check, false}}},
        ExpiryCase{"time_jumps_over_deadline", Version::v5, 5,
                   {{0, At::connect}, {0, At::drop}, {1'000, At::check, false}}}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(HubExpiryRestore, RestoredSessionsKeepTheirDeadlines) {
  InMemorySessionStore store;
  for (int i = 0; i < 3; ++i) {
    StoredSession s;
    s.key = {kScope, "dev-" + std::to_string(i)};
    s.expiry_seconds = 100;
    s.offline_since = t0 - 50 + i * 10;  // deadlines t0 + 50, + 60, + 70
    store.save_session(s);
  }
  World w(store, t0);
  EXPECT_EQ(w.hub.session_count(), 3u);
  w.hub.advance_time(t0 + 59);
  EXPECT_EQ(w.hub.session_count(), 2u);
  w.hub.advance_time(t0 + 70);
  EXPECT_EQ(w.hub.session_count(), 0u);
  EXPECT_EQ(store.session_count(), 0u);
}

// 100,000 offline sessions with a day to live and 10,000 clock ticks: scanning every session
// every tick was 10^9 visits (many seconds); a deadline-ordered schedule looks at one entry per
// tick. The budget is generous for sanitizer builds on a loaded machine.
TEST(HubExpiryRestore, TicksVisitOnlyDueSessions) {
  InMemorySessionStore store;
  for (int i = 0; i < 100'000; ++i) {
    StoredSession s;
    s.key = {kScope, "dev-" + std::to_string(i)};
    s.expiry_seconds = 86'400;
    s.offline_since = t0;
    store.save_session(s);
  }
  World w(store, t0);
  ASSERT_EQ(w.hub.session_count(), 100'000u);
  auto start = std::chrono::steady_clock::now();
  for (std::int64_t tick = 1; tick <= 10'000; ++tick) w.hub.advance_time(t0 + tick);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(w.hub.session_count(), 100'000u);
  EXPECT_LT(took, std::chrono::seconds(2));
  w.hub.advance_time(t0 + 86'400);
  EXPECT_EQ(w.hub.session_count(), 0u);
}

}  // namespace
