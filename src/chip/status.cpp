#include "chip/status.hpp"

#include "se05x/constants.hpp"

namespace trustlane::chip {

std::uint16_t status_word(Status s) {
  namespace sw = se05x::sw;
  switch (s) {
    case Status::Ok: return sw::kOk;
    case Status::WrongLength: return sw::kWrongLength;
    case Status::WrongData: return sw::kWrongData;
    case Status::NotFound: return sw::kFileNotFound;
    case Status::NotAllowed: return sw::kCommandNotAllowed;
    case Status::Conditions: return sw::kConditionsNotSatisfied;
    case Status::MemoryFull: return sw::kMemoryFull;
    case Status::WrongP1P2: return sw::kIncorrectP1P2;
    case Status::UnknownIns: return sw::kInsNotSupported;
    case Status::UnknownCla: return sw::kClaNotSupported;
    case Status::SecurityStatus: return sw::kSecurityStatus;
    case Status::Internal: return sw::kUnknown;
  }
  return sw::kUnknown;
}

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::WrongLength: return "wrong length";
    case Status::WrongData: return "wrong data";
    case Status::NotFound: return "not found";
    case Status::NotAllowed: return "not allowed by policy";
    case Status::Conditions: return "conditions not satisfied";
    case Status::MemoryFull: return "memory full";
    case Status::WrongP1P2: return "wrong P1/P2";
    case Status::UnknownIns: return "unknown INS";
    case Status::UnknownCla: return "unknown CLA";
    case Status::SecurityStatus: return "security status not satisfied";
    case Status::Internal: return "internal error";
  }
  return "?";
}

}  // namespace trustlane::chip
