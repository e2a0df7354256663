// CPU cost of the quota checks on the publish path: one connection bucket + one account bucket
// per inbound PUBLISH, and the outbound check per delivery (limits high enough never to refuse).
#include <benchmark/benchmark.h>

#include "broker/account_quotas.hpp"

using namespace trustlane::broker;

namespace {

void BM_AdmitInbound(benchmark::State& state) {
  AccountLimits l;
  l.publishes_in_per_second = 1e12;
  PublishQuotas q(l);
  TokenBucket connection(1e12);
  Scope scope{"111111111111", "us-east-1"};
  auto t = std::chrono::steady_clock::now();
  for (auto _ : state) {
    t += std::chrono::microseconds(1);
    q.advance_time(t);
    benchmark::DoNotOptimize(q.admit_inbound(connection, scope));
  }
}
BENCHMARK(BM_AdmitInbound);

void BM_AdmitOutbound(benchmark::State& state) {
  AccountLimits l;
  l.publishes_out_per_second = 1e12;
  PublishQuotas q(l);
  Scope scope{"111111111111", "us-east-1"};
  auto t = std::chrono::steady_clock::now();
  for (auto _ : state) {
    t += std::chrono::microseconds(1);
    q.advance_time(t);
    benchmark::DoNotOptimize(q.admit_outbound(scope));
  }
}
BENCHMARK(BM_AdmitOutbound);

void BM_AdmitConnect(benchmark::State& state) {
  AccountLimits l;
  l.connects_per_second = 1e12;
  l.max_connections = 0;
  ConnectAdmission a(l);
  Scope scope{"111111111111", "us-east-1"};
  auto t = std::chrono::steady_clock::now();
  std::size_t i = 0;
  for (auto _ : state) {
    t += std::chrono::microseconds(1);
    benchmark::DoNotOptimize(a.admit(scope, "client-" + std::to_string(i++ % 50'000), t));
    a.release(scope);
  }
}
BENCHMARK(BM_AdmitConnect);

}  // namespace

BENCHMARK_MAIN();
