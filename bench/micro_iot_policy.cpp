// Policy evaluation cost per checked operation (every PUBLISH and every delivery pays it).
#include <benchmark/benchmark.h>

#include "iot/policy/policy.hpp"

using namespace trustlane::iot::policy;

namespace {

constexpr const char* kFleetPolicy = R"({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:us-east-1:123456789012:client/${iot:Connection.Thing.ThingName}"},
  {"Effect":"Allow","Action":"iot:Publish","Resource":["arn:aws:iot:us-east-1:123456789012:topic/dt/${iot:ClientId}/*",
     "arn:aws:iot:us-east-1:123456789012:topic/$aws/things/${iot:ClientId}/shadow/*"]},
  {"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:us-east-1:123456789012:topicfilter/cmd/${iot:ClientId}/*"},
  {"Effect":"Allow","Action":"iot:Receive","Resource":"arn:aws:iot:us-east-1:123456789012:topic/cmd/${iot:ClientId}/*"},
  {"Effect":"Deny","Action":"iot:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","127.0.0.1"]}}}]})";

void BM_ParseFleetPolicy(benchmark::State& state) {
  for (auto _ : state) {
    auto d = parse(kFleetPolicy);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_ParseFleetPolicy);

void BM_EvaluatePublish(benchmark::State& state) {
  Document doc = parse(kFleetPolicy).value();
  ConnectionFacts facts;
  facts.client_id = "device-000123";
  facts.source_ip = "10.1.2.3";
  facts.subject = {{"CN", "device-000123"}, {"O", "Acme"}};
  facts.thing = ThingFacts{"device-000123", "sensor", {}};
  Request r{"iot:Publish", "arn:aws:iot:us-east-1:123456789012:topic/dt/device-000123/telemetry",
            connection_variables(facts)};
  for (auto _ : state) {
    auto d = evaluate({&doc}, r);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluatePublish);

}  // namespace

BENCHMARK_MAIN();
