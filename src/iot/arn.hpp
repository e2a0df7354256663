// ARNs of AWS IoT resources: arn:aws:iot:<region>:<account>:<kind>/<name>.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "iot/types.hpp"

namespace trustlane::iot {

std::string certificate_arn(const Scope& s, std::string_view id);
std::string ca_arn(const Scope& s, std::string_view id);
std::string policy_arn(const Scope& s, std::string_view name);
std::string thing_arn(const Scope& s, std::string_view name);

struct ParsedArn {
  Scope scope;
  std::string kind;  // "cert", "cacert", "policy", "thing", …
  std::string name;
};
std::optional<ParsedArn> parse_arn(std::string_view arn);

}  // namespace trustlane::iot
