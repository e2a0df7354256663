#include "host/se_error.hpp"

#include <fmt/format.h>

#include "se05x/constants.hpp"

namespace trustlane::host {

namespace {
const char* status_meaning(std::uint16_t sw) {
  namespace s = se05x::sw;
  switch (sw) {
    case s::kOk: return "success";
    case s::kWrongLength: return "wrong length";
    case s::kSecurityStatus: return "security status not satisfied";
    case s::kDataInvalid: return "data invalid";
    case s::kConditionsNotSatisfied: return "conditions not satisfied";
    case s::kCommandNotAllowed: return "command not allowed by the object's policy";
    case s::kWrongData: return "wrong data";
    case s::kFileNotFound: return "object not found";
    case s::kMemoryFull: return "memory full";
    case s::kIncorrectP1P2: return "incorrect P1/P2";
    case s::kInsNotSupported: return "instruction not supported";
    case s::kClaNotSupported: return "class not supported";
    case s::kUnknown: return "unknown error";
    default: return "unexpected status";
  }
}
}  // namespace

std::string describe_status(std::uint16_t sw) { return fmt::format("{:04X} ({})", sw, status_meaning(sw)); }

SeError::SeError(std::string operation, std::uint16_t sw, std::string detail)
    : std::runtime_error(sw ? fmt::format("{} failed: SW {}{}{}", operation, describe_status(sw),
                                          detail.empty() ? "" : ": ", detail)
                            : fmt::format("{} failed: malformed response{}{}", operation,
                                          detail.empty() ? "" : ": ", detail)),
      operation_(std::move(operation)),
      sw_(sw) {}

}  // namespace trustlane::host
