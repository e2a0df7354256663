// Errors of the host client: a status word (or 0 for a malformed answer) and the operation.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace trustlane::host {

// "6A82 (not found)": the status word with its meaning, for messages.
std::string describe_status(std::uint16_t sw);

class SeError : public std::runtime_error {
 public:
  // sw == 0: the SE answered 90 00 but the data did not have the documented shape.
  SeError(std::string operation, std::uint16_t sw, std::string detail = {});
  std::uint16_t status_word() const { return sw_; }
  const std::string& operation() const { return operation_; }

 private:
  std::string operation_;
  std::uint16_t sw_;
};

}  // namespace trustlane::host
