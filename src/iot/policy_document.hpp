// Checks a policy document before it is stored (CreatePolicy, CreatePolicyVersion).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace trustlane::iot {

// nullopt when the document is acceptable; otherwise the MalformedPolicyException message.
std::optional<std::string> check_policy_document(std::string_view json);

}  // namespace trustlane::iot
