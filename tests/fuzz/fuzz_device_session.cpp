// Fuzz the device's MQTT client session with whatever a broker might send: after CONNECT the
// input is split into chunks (first byte = chunk size) and fed with ticks in between. The
// session must never crash, and once it asks to close it must keep asking.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "device/session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trustlane::device;
  if (size < 2) return 0;
  const auto version = (data[0] & 1) ? trustlane::mqtt::Version::v5 : trustlane::mqtt::Version::v3_1_1;
  const std::size_t chunk = 1 + data[1] % 64;
  Session session({"fuzz", version, 30, {"a/#", "b"}});
  Clock::time_point now{};
  session.start(now);
  bool closed = false;
  for (std::size_t at = 2; at < size; at += chunk) {
    auto out = session.on_bytes(trustlane::ByteView(data + at, std::min(chunk, size - at)), now);
    if (closed && !out.close) std::abort();
    closed = closed || out.close;
    now += std::chrono::seconds(7);
    if (session.on_tick(now).close) closed = true;
  }
  return 0;
}
