// MQTT codec: decode/encode of a typical telemetry PUBLISH, and the frame reader on a stream.
#include <benchmark/benchmark.h>

#include "mqtt/codec.hpp"
#include "mqtt/frame_reader.hpp"

using namespace trustlane;
using namespace trustlane::mqtt;

namespace {

Publish telemetry() {
  Publish p;
  p.qos = QoS::at_least_once;
  p.packet_id = 42;
  p.topic = "dt/fleet-7/device-000123/telemetry";
  p.payload.assign(256, 'x');
  p.properties.content_type = "application/json";
  p.properties.user_properties = {{"trace", "abc"}};
  return p;
}

void BM_DecodePublishV5(benchmark::State& state) {
  Bytes wire = encode(telemetry(), Version::v5);
  for (auto _ : state) {
    auto p = decode(wire, Version::v5);
    benchmark::DoNotOptimize(p);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_DecodePublishV5);

void BM_EncodePublishV5(benchmark::State& state) {
  Packet p = telemetry();
  for (auto _ : state) {
    auto wire = encode(p, Version::v5);
    benchmark::DoNotOptimize(wire.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodePublishV5);

void BM_FrameReaderStream(benchmark::State& state) {
  Bytes one = encode(telemetry(), Version::v3_1_1);
  Bytes stream;
  for (int i = 0; i < 64; ++i) stream.insert(stream.end(), one.begin(), one.end());
  for (auto _ : state) {
    FrameReader reader(128 * 1024);
    std::size_t frames = 0;
    for (std::size_t at = 0; at < stream.size(); at += 1500) {  // MTU-sized reads
      reader.feed(ByteView(stream).subspan(at, std::min<std::size_t>(1500, stream.size() - at)));
      while (true) {
        auto f = reader.next();
        if (!f.ok() || !f.value()) break;
        ++frames;
      }
    }
    benchmark::DoNotOptimize(frames);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_FrameReaderStream);

}  // namespace

BENCHMARK_MAIN();
