// Quotas with the time passed explicitly: the token bucket's refusing mode, CONNECT admission
// (per client ID, per account rate, per account connections) and the publish quotas.
#include "broker/account_quotas.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace trustlane::broker;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const Scope kA{"111111111111", "us-east-1"};
const Scope kAWest{"111111111111", "eu-west-1"};
const Scope kB{"222222222222", "us-east-1"};
const Clock::time_point t0 = Clock::time_point{} + 1000s;

TEST(TokenBucketTryTake, AdmitsOneSecondsWorthThenRefusesUntilRefilled) {
  TokenBucket b(100);
  int admitted = 0;
  for (int i = 0; i < 150; ++i) admitted += b.try_take(1, t0);
  EXPECT_EQ(admitted, 100);
  EXPECT_FALSE(b.try_take(1, t0 + 5ms));  // 0.5 token refilled: not enough
  EXPECT_TRUE(b.try_take(1, t0 + 10ms));  // 1 token
  EXPECT_FALSE(b.try_take(1, t0 + 10ms));
  admitted = 0;
  for (int i = 0; i < 150; ++i) admitted += b.try_take(1, t0 + 10s);  // refills to capacity, no more
  EXPECT_EQ(admitted, 100);
}

TEST(TokenBucketAvailable, TellsWhatMayPassWithoutTakingIt) {
  TokenBucket b(1000);
  EXPECT_DOUBLE_EQ(b.available(t0), 1000);  // a full second's burst before the first take
  EXPECT_EQ(b.take(1500, t0), std::chrono::milliseconds(500));  // 500 in debt
  EXPECT_DOUBLE_EQ(b.available(t0), -500);
  EXPECT_DOUBLE_EQ(b.available(t0 + std::chrono::milliseconds(750)), 250);  // refilled, nothing taken
  EXPECT_DOUBLE_EQ(b.available(t0 + std::chrono::seconds(10)), 1000);       // never above one second's
  EXPECT_EQ(b.take(250, t0 + std::chrono::milliseconds(750)), TokenBucket::Clock::duration::zero());
}

TEST(TokenBucketTryTake, ZeroIsUnlimitedAndSlowRatesStillAdmitOne) {
  TokenBucket unlimited(0);
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(unlimited.try_take(1, t0));
  TokenBucket slow(0.5);  // one every 2 s
  EXPECT_TRUE(slow.try_take(1, t0));
  EXPECT_FALSE(slow.try_take(1, t0 + 1s));
  EXPECT_TRUE(slow.try_take(1, t0 + 2s));
}

TEST(TokenBucketTryTake, TimeGoingBackwardsNeitherRefillsNorBreaks) {
  TokenBucket b(1);
  EXPECT_TRUE(b.try_take(1, t0));
  EXPECT_FALSE(b.try_take(1, t0 - 5s));
  EXPECT_TRUE(b.try_take(1, t0 + 1s));
}

TEST(ConnectAdmission, OneConnectPerSecondPerClientIdAsBefore) {
  ConnectAdmission a;
  EXPECT_EQ(a.admit(kA, "dev-1", t0), std::nullopt);
  EXPECT_EQ(a.admit(kA, "dev-1", t0 + 500ms), QuotaRefusal::client_connect_rate);
  EXPECT_EQ(a.admit(kA, "dev-2", t0 + 500ms), std::nullopt);   // another client ID
  EXPECT_EQ(a.admit(kB, "dev-1", t0 + 500ms), std::nullopt);   // the same ID in another account
  EXPECT_EQ(a.admit(kA, "dev-1", t0 + 1001ms), std::nullopt);
  // Empty client IDs get one assigned by the server: they never share a rate.
  EXPECT_EQ(a.admit(kA, "", t0 + 2s), std::nullopt);
  EXPECT_EQ(a.admit(kA, "", t0 + 2s), std::nullopt);
}

TEST(ConnectAdmission, ARefusedConnectUsesUpNothing) {
  AccountLimits l;
  l.max_connections = 1;
  l.connects_per_second = 2;
  ConnectAdmission a(l);
  EXPECT_EQ(a.admit(kA, "a", t0), std::nullopt);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.admit(kA, "b", t0), QuotaRefusal::account_connections);
  a.release(kA);
  // "b" was refused, so it has no CONNECT in the last second, and the account still has a token.
  EXPECT_EQ(a.admit(kA, "b", t0 + 1ms), std::nullopt);
}

TEST(ConnectAdmission, AccountConnectRateIsPerAccountAndRegion) {
  AccountLimits l;
  l.connects_per_second = 3;
  ConnectAdmission a(l);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(a.admit(kA, "c" + std::to_string(i), t0), std::nullopt);
  EXPECT_EQ(a.admit(kA, "c3", t0), QuotaRefusal::account_connect_rate);
  EXPECT_EQ(a.admit(kAWest, "c3", t0), std::nullopt);  // another region is another quota
  EXPECT_EQ(a.admit(kB, "c3", t0), std::nullopt);
  EXPECT_EQ(a.admit(kA, "c4", t0 + 334ms), std::nullopt);  // one token back after 1/3 s
  EXPECT_EQ(a.admit(kA, "c5", t0 + 334ms), QuotaRefusal::account_connect_rate);
}

TEST(ConnectAdmission, AccountConnectionsAreHeldUntilReleased) {
  AccountLimits l;
  l.max_connections = 2;
  ConnectAdmission a(l);
  EXPECT_EQ(a.admit(kA, "a", t0), std::nullopt);
  EXPECT_EQ(a.admit(kA, "b", t0), std::nullopt);
  EXPECT_EQ(a.admit(kA, "c", t0), QuotaRefusal::account_connections);
  EXPECT_EQ(a.admit(kB, "c", t0), std::nullopt);
  EXPECT_EQ(a.connections(kA), 2u);
  EXPECT_EQ(a.connections_by_scope(), (std::map<std::string, std::size_t>{{kA.key(), 2}, {kB.key(), 1}}));
  a.release(kA);
  EXPECT_EQ(a.admit(kA, "c", t0 + 1ms), std::nullopt);
  a.release(kA);
  a.release(kA);
  a.release(kA);  // more releases than admissions never underflow
  EXPECT_EQ(a.connections(kA), 0u);
  a.release(Scope{"999999999999", "us-east-1"});  // unknown scope: harmless
}

TEST(ConnectAdmission, ZeroMeansUnlimited) {
  AccountLimits l;
  l.connects_per_second = 0;
  l.max_connections = 0;
  l.connects_per_second_per_client = 0;
  ConnectAdmission a(l);
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(a.admit(kA, "same", t0), std::nullopt);
  EXPECT_EQ(a.connections(kA), 2000u);
}

TEST(ConnectAdmission, ManyDistinctClientIdsStayBoundedAndRecentOnesStillCount) {
  AccountLimits l;
  l.connects_per_second = 0;
  l.max_connections = 0;
  ConnectAdmission a(l);
  // 400,000 distinct client IDs at 10,000 CONNECT/s: only the last second's can still refuse.
  for (int i = 0; i < 400'000; ++i)
    ASSERT_EQ(a.admit(kA, "d" + std::to_string(i), t0 + i * 100us), std::nullopt);
  const auto end = t0 + 400'000 * 100us;
  EXPECT_LE(a.tracked_client_ids(), 200'000u);  // swept, never the whole history
  EXPECT_EQ(a.admit(kA, "d399999", end), QuotaRefusal::client_connect_rate);  // 100 µs ago
  EXPECT_EQ(a.admit(kA, "d0", end), std::nullopt);                           // 40 s ago
}

TEST(PublishQuotas, ConnectionRateFirstThenAccountAndEveryRefusalReported) {
  AccountLimits l;
  l.publishes_in_per_second = 150;
  PublishQuotas q(l);
  std::vector<QuotaRefusal> reported;
  q.report = [&](QuotaRefusal r) { reported.push_back(r); };
  q.advance_time(t0);
  TokenBucket c1(100), c2(100);
  int ok1 = 0, ok2 = 0;
  for (int i = 0; i < 120; ++i) ok1 += !q.admit_inbound(c1, kA).has_value();
  EXPECT_EQ(ok1, 100);  // the connection's own 100/s
  for (int i = 0; i < 60; ++i) ok2 += !q.admit_inbound(c2, kA).has_value();
  EXPECT_EQ(ok2, 50);   // the account had 150: 100 went to c1
  ASSERT_EQ(reported.size(), 30u);
  EXPECT_EQ(reported.front(), QuotaRefusal::connection_publish_rate);
  EXPECT_EQ(reported.back(), QuotaRefusal::account_publish_in_rate);
  TokenBucket c3(100);
  EXPECT_EQ(q.admit_inbound(c3, kB), std::nullopt);  // another account is untouched
  q.advance_time(t0 + 1s);
  EXPECT_EQ(q.admit_inbound(c2, kA), std::nullopt);  // refilled
}

TEST(PublishQuotas, OutboundQuotaPerAccount) {
  AccountLimits l;
  l.publishes_out_per_second = 10;
  PublishQuotas q(l);
  int refused = 0;
  q.report = [&](QuotaRefusal r) { refused += r == QuotaRefusal::account_publish_out_rate; };
  q.advance_time(t0);
  int ok = 0;
  for (int i = 0; i < 25; ++i) ok += q.admit_outbound(kA);
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(refused, 15);
  EXPECT_TRUE(q.admit_outbound(kB));
  q.advance_time(t0 + 100ms);
  EXPECT_TRUE(q.admit_outbound(kA));
  EXPECT_FALSE(q.admit_outbound(kA));
}

TEST(QuotaRefusal, NamesAreTheStatsKeys) {
  EXPECT_EQ(to_string(QuotaRefusal::client_connect_rate), "connect_throttled");
  EXPECT_EQ(to_string(QuotaRefusal::account_connect_rate), "account_connect_rate");
  EXPECT_EQ(to_string(QuotaRefusal::account_connections), "account_connections");
  EXPECT_EQ(to_string(QuotaRefusal::connection_publish_rate), "publish_rate");
  EXPECT_EQ(to_string(QuotaRefusal::account_publish_in_rate), "account_publish_in_rate");
  EXPECT_EQ(to_string(QuotaRefusal::account_publish_out_rate), "account_publish_out_rate");
}

}  // namespace
