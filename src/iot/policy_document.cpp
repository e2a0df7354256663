#include "iot/policy_document.hpp"

#include "iot/policy/policy.hpp"

namespace trustlane::iot {

// The policy language (iot/policy) owns the rules: JSON, Version, Effect, Action, Resource,
// conditions, variables and the 2048-character limit.
std::optional<std::string> check_policy_document(std::string_view json) {
  auto parsed = policy::parse(json);
  if (parsed) return std::nullopt;
  return parsed.error();
}

}  // namespace trustlane::iot
