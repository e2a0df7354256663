#include "iot/endpoint.hpp"

#include <algorithm>
#include <cctype>

namespace trustlane::iot {

std::optional<std::string> endpoint_address(std::string_view prefix, std::string_view region,
                                            std::string_view domain, std::string_view endpoint_type) {
  std::string tail = std::string(".iot.") + std::string(region) + "." + std::string(domain);
  std::string p(prefix);
  if (endpoint_type == "iot:Data-ATS") return p + "-ats" + tail;
  if (endpoint_type.empty() || endpoint_type == "iot:Data") return p + tail;
  if (endpoint_type == "iot:CredentialProvider") return p + ".credentials" + tail;
  if (endpoint_type == "iot:Jobs") return p + ".jobs" + tail;
  return std::nullopt;
}

bool is_valid_prefix(std::string_view prefix) {
  return prefix.size() == 14 && std::all_of(prefix.begin(), prefix.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

bool is_valid_region(std::string_view region) {
  return !region.empty() && region.size() <= 32 && std::all_of(region.begin(), region.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

std::optional<EndpointHost> parse_endpoint_host(std::string_view host_in, std::string_view domain) {
  std::string host(host_in);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!host.empty() && host.back() == '.') host.pop_back();  // absolute DNS name
  std::string suffix = "." + std::string(domain);
  std::transform(suffix.begin(), suffix.end(), suffix.begin(), [](unsigned char c) { return std::tolower(c); });
  if (host.size() <= suffix.size() || host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  std::string_view rest(host.data(), host.size() - suffix.size());  // <prefix>[-ats].iot.<region>
  auto last_dot = rest.rfind('.');
  if (last_dot == std::string_view::npos) return std::nullopt;
  std::string_view region = rest.substr(last_dot + 1);
  rest = rest.substr(0, last_dot);
  constexpr std::string_view kIot = ".iot";
  if (rest.size() <= kIot.size() || rest.substr(rest.size() - kIot.size()) != kIot) return std::nullopt;
  std::string_view prefix = rest.substr(0, rest.size() - kIot.size());
  if (prefix.size() > 4 && prefix.substr(prefix.size() - 4) == "-ats") prefix.remove_suffix(4);
  if (!is_valid_prefix(prefix) || !is_valid_region(region)) return std::nullopt;
  return EndpointHost{std::string(prefix), std::string(region)};
}

}  // namespace trustlane::iot
