// Internal outcomes of applet commands, and the one function that maps them to status words.
#pragma once
#include <cstdint>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace trustlane::chip {

enum class Status {
  Ok,
  WrongLength,         // APDU shape or response too long
  WrongData,           // malformed TLV, missing mandatory TLV, bad value
  NotFound,            // no such object
  NotAllowed,          // object policy forbids it
  Conditions,          // state does not allow it (wrong type, size 0, …)
  MemoryFull,          // persistent or transient budget exhausted
  WrongP1P2,           // unknown P1/P2 for this INS
  UnknownIns,
  UnknownCla,
  SecurityStatus,      // no valid session / authentication
  Internal,            // should not happen: a bug or a storage failure
};

// The boundary: every response's status word comes from here.
std::uint16_t status_word(Status s);
const char* status_name(Status s);

// What a command handler returns: response data (TLVs) on success, else a Status.
using Reply = Result<Bytes, Status>;

}  // namespace trustlane::chip
