// What a JRCP_V1 server does with each request frame: sans-I/O, one reply per request.
// The I/O layer executes the step (calls the chip, takes the lock…) and writes the reply.
#pragma once
#include <string_view>

#include "link/jrcp_codec.hpp"

namespace trustlane::link::jrcp {

struct Step {
  enum class Kind {
    kReply,          // write `data`
    kTransceive,     // run `data` (a C-APDU) on the chip, reply with apdu_reply(R-APDU)
    kReset,          // reset the chip, reply with atr_reply(ATR)
    kLock,           // take the chip for this connection, then write `data`
    kUnlock,         // release the chip, then write `data`
    kReplyAndClose,  // write `data`, then close the connection
  };
  Kind kind;
  Bytes data;
};

Step plan(const Frame& request);

Bytes apdu_reply(ByteView response_apdu);
Bytes atr_reply(ByteView atr);
Bytes error_reply(std::string_view message);  // ERROR_MSG carrying a human-readable reason

}  // namespace trustlane::link::jrcp
