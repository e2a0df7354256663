// Fuzz the key URI parser: any text gives a URI or a reason, and a parsed URI's chip key and
// object id print without trouble.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "provider/uri.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto uri = trustlane::provider::parse_key_uri(text);
  if (uri.ok()) {
    if (uri->chip_key().empty()) std::abort();
    if (trustlane::provider::object_id_text(uri->object_id).size() != 10) std::abort();
  } else if (uri.error().empty()) {
    std::abort();
  }
  return 0;
}
