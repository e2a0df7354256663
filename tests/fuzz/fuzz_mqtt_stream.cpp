// Fuzz the incremental frame reader: the input is cut into chunks whose sizes come from the
// input itself; every frame that comes out is decoded as 3.1.1 and as 5.0. The reader must
// never yield a frame over its limit nor buffer more than the limit plus one chunk.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mqtt/codec.hpp"
#include "mqtt/frame_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trustlane::mqtt;
  constexpr std::size_t kLimit = 512;
  FrameReader reader(kLimit);
  std::size_t at = 0;
  while (at < size) {
    std::size_t chunk = 1 + data[at] % 64;
    if (chunk > size - at) chunk = size - at;
    reader.feed(trustlane::ByteView(data + at, chunk));
    at += chunk;
    while (true) {
      auto frame = reader.next();
      if (!frame.ok()) return 0;
      if (!frame.value()) break;
      if (frame.value()->size() > kLimit) std::abort();
      (void)decode(*frame.value(), Version::v3_1_1);
      (void)decode(*frame.value(), Version::v5);
    }
    if (reader.buffered() > kLimit + 64) std::abort();
  }
  return 0;
}
