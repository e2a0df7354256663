// Condition operators of the policy language: name parsing, value validation and evaluation.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "iot/policy/policy.hpp"

namespace trustlane::iot::policy {

struct ParsedOperator {
  ConditionOperator op;
  SetQualifier qualifier;
  bool if_exists;
};
// "ForAnyValue:StringLikeIfExists" → {string_like, for_any_value, true}; unsupported → message.
Result<ParsedOperator, std::string> parse_condition_operator(std::string_view text);

// Checks a literal condition value (no variables) fits its operator: numbers, booleans, CIDRs.
std::optional<std::string> validate_condition_value(ConditionOperator op, std::string_view value);

// True when the condition holds for these connection variables (IAM semantics, see .cpp).
bool condition_holds(const Condition& condition, const Variables& variables);

// Parses "a.b.c.d", "a.b.c.d/n", IPv6 and IPv6/n; true when `ip` lies in `cidr`.
bool ip_in_cidr(std::string_view ip, std::string_view cidr);
bool valid_cidr(std::string_view cidr);

}  // namespace trustlane::iot::policy
