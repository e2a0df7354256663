// Fuzz the ledger reader: bytes as a whole ledger file (the array splitter, the chunked workers)
// and as one entry (simdjson, the JWS, the payload, x5c): no crash, hang or read out of bounds,
// and a file either reads or is refused with the one runtime_error.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "chip/factory.hpp"
#include "ledger/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const trustlane::ledger::Verifier verifier({std::nullopt, trustlane::chip::make_vendor_ca().cert});
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)verifier.verify(text, 0);
  std::istringstream in(text);
  try {
    auto ledger = trustlane::ledger::verify_ledger(in, verifier, 1);
    if (ledger.accepted.size() + ledger.rejected.size() != ledger.total) __builtin_trap();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
