// Fuzz target: arbitrary C-APDUs into one in-memory chip (state carries over between inputs,
// so object-creating seeds make later inputs reach deeper). Every answer must be a well-formed
// R-APDU within the personality's maximum size; anything else aborts.
#include <cstdint>
#include <cstdlib>

#include "chip/store.hpp"

namespace {
struct Target {
  std::unique_ptr<trustlane::chip::Store> store = trustlane::chip::Store::in_memory();
  std::shared_ptr<trustlane::chip::Chip> se050c = store->mint(1, trustlane::chip::Personality::Se050C).front();
  std::shared_ptr<trustlane::chip::Chip> se050e = store->mint(1, trustlane::chip::Personality::Se050E).front();
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Target target;
  trustlane::ByteView in(data, size);
  if (size == 1 && data[0] == 0xFF) {  // a lone FF byte resets both chips
    target.se050c->reset();
    target.se050e->reset();
    return 0;
  }
  // The low bit of the last byte picks the chip; the APDU itself is sent unchanged.
  bool use_e = size > 0 && (data[size - 1] & 1);
  auto& chip = use_e ? *target.se050e : *target.se050c;
  auto rsp = chip.transceive(in);
  std::size_t max = use_e ? 1024 : 892;
  if (rsp.size() < 2 || rsp.size() > max) std::abort();
  std::uint8_t sw1 = rsp[rsp.size() - 2];
  if (sw1 != 0x90 && rsp.size() != 2) std::abort();  // errors carry no data
  if (sw1 != 0x90 && sw1 != 0x67 && sw1 != 0x69 && sw1 != 0x6A && sw1 != 0x6D && sw1 != 0x6E && sw1 != 0x6F)
    std::abort();
  return 0;
}
