// Fuzz target: the C-APDU parser and the TLV reader on untrusted bytes.
#include <cstdint>

#include "se05x/apdu.hpp"
#include "se05x/tlv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trustlane;
  ByteView in(data, size);
  auto cmd = se05x::parse_command(in);
  if (cmd) {
    se05x::TlvReader reader(cmd->data);
    while (reader.next()) {
    }
  }
  se05x::TlvReader raw(in);
  while (raw.next()) {
  }
  return 0;
}
