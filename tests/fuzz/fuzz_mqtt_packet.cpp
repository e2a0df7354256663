// Fuzz the MQTT packet decoder for both versions and every packet type. The first byte picks
// the version; the rest is one frame. Anything that decodes must re-encode and decode to the
// same value (the codec is its own oracle).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mqtt/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  using namespace trustlane::mqtt;
  Version version = (data[0] & 1) ? Version::v5 : Version::v3_1_1;
  trustlane::ByteView frame(data + 1, size - 1);
  auto decoded = decode(frame, version);
  if (!decoded.ok()) return 0;
  Version encode_as = version;
  if (auto* c = std::get_if<Connect>(&decoded.value())) encode_as = c->version;
  auto again = decode(encode(decoded.value(), encode_as), encode_as);
  if (!again.ok() || !(again.value() == decoded.value())) std::abort();
  return 0;
}
