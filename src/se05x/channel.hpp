// ApduChannel: the one seam between an SE05x host and a chip. A chip object in process, a
// JRCP_V1 connection and a T=1-over-I2C connection all implement it, so the host client and
// the servers never care which one they have.
#pragma once
#include "util/bytes.hpp"

namespace trustlane::se05x {

class ApduChannel {
 public:
  virtual ~ApduChannel() = default;
  // Sends one C-APDU and returns the R-APDU (data ‖ SW1 SW2). Transport failures throw
  // std::runtime_error (link errors are not status words); the chip's answers never throw.
  virtual Bytes transceive(ByteView command) = 0;
  // Cold/warm reset of the card: transient objects and sessions vanish. Returns the ATR.
  virtual Bytes reset() = 0;
};

}  // namespace trustlane::se05x
