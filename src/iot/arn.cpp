#include "iot/arn.hpp"

namespace trustlane::iot {

namespace {
std::string make(const Scope& s, std::string_view kind, std::string_view name) {
  std::string out = "arn:aws:iot:";
  out.append(s.region).append(":").append(s.account).append(":").append(kind).append("/").append(name);
  return out;
}
}  // namespace

std::string certificate_arn(const Scope& s, std::string_view id) { return make(s, "cert", id); }
std::string ca_arn(const Scope& s, std::string_view id) { return make(s, "cacert", id); }
std::string policy_arn(const Scope& s, std::string_view name) { return make(s, "policy", name); }
std::string thing_arn(const Scope& s, std::string_view name) { return make(s, "thing", name); }

std::optional<ParsedArn> parse_arn(std::string_view arn) {
  // arn:partition:service:region:account:resource
  std::string_view parts[5];
  for (auto& p : parts) {
    auto colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    p = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn" || parts[2] != "iot" || parts[3].empty() || parts[4].empty()) return std::nullopt;
  auto slash = arn.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == arn.size()) return std::nullopt;
  return ParsedArn{{std::string(parts[4]), std::string(parts[3])}, std::string(arn.substr(0, slash)),
                   std::string(arn.substr(slash + 1))};
}

}  // namespace trustlane::iot
