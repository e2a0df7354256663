// Subscription index with 1M subscriptions: match throughput for fleet-shaped topics.
// 1M subscriptions = 500k devices × ("dt/<id>/cmd" + "dt/<id>/jobs/#") plus 1,000 fleet-wide
// wildcard subscribers ("dt/+/status") and a shared group; topics published are per-device.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "broker/subscription_index.hpp"

using namespace trustlane::broker;

namespace {

const Scope kScope{"123456789012", "us-east-1"};
constexpr int kDevices = 500'000;

SubscriptionIndex& index_1m() {
  static std::unique_ptr<SubscriptionIndex> idx = [] {
    auto i = std::make_unique<SubscriptionIndex>();
    SessionId id = 1;
    for (int d = 0; d < kDevices; ++d) {
      std::string dev = "dt/d" + std::to_string(d);
      i->add(kScope, dev + "/cmd", {id});
      i->add(kScope, dev + "/jobs/#", {id});
      ++id;
    }
    for (int w = 0; w < 1000; ++w) i->add(kScope, "dt/+/status", {id++});
    for (int w = 0; w < 10; ++w) i->add(kScope, "$share/workers/dt/+/telemetry", {id++});
    return i;
  }();
  return *idx;
}

void BM_MatchDeviceTopic(benchmark::State& state) {
  auto& idx = index_1m();
  std::vector<Match> out;
  int d = 0;
  std::string topic;
  for (auto _ : state) {
    topic = "dt/d" + std::to_string(d) + "/cmd";
    d = (d + 7919) % kDevices;
    out.clear();
    idx.match(kScope, topic, 0, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["subscriptions"] = static_cast<double>(idx.size());
}
BENCHMARK(BM_MatchDeviceTopic);

void BM_MatchJobsUnderHash(benchmark::State& state) {
  auto& idx = index_1m();
  std::vector<Match> out;
  int d = 0;
  std::string topic;
  for (auto _ : state) {
    topic = "dt/d" + std::to_string(d) + "/jobs/j1/notify";
    d = (d + 7919) % kDevices;
    out.clear();
    idx.match(kScope, topic, 0, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchJobsUnderHash);

void BM_MatchSharedTelemetry(benchmark::State& state) {
  auto& idx = index_1m();
  std::vector<Match> out;
  int d = 0;
  std::string topic;
  for (auto _ : state) {
    topic = "dt/d" + std::to_string(d) + "/telemetry";
    d = (d + 7919) % kDevices;
    out.clear();
    idx.match(kScope, topic, 0, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchSharedTelemetry);

void BM_MatchFanOut1000(benchmark::State& state) {
  auto& idx = index_1m();
  std::vector<Match> out;
  for (auto _ : state) {
    out.clear();
    idx.match(kScope, "dt/d42/status", 0, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchFanOut1000);

void BM_AddRemove(benchmark::State& state) {
  auto& idx = index_1m();
  std::uint64_t n = 0;
  std::string filter;
  for (auto _ : state) {
    filter = "dt/new" + std::to_string(n++ % 1000) + "/cmd";
    idx.add(kScope, filter, {9'000'000});
    idx.remove(kScope, filter, 9'000'000);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddRemove);

}  // namespace

BENCHMARK_MAIN();
