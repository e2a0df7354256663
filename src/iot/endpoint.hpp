// Endpoint host names (sans-I/O): the per-account prefix is the SNI routing key.
//   iot:Data-ATS           <prefix>-ats.iot.<region>.<domain>
//   iot:Data / none        <prefix>.iot.<region>.<domain>          (legacy, Symantec-signed at AWS)
//   iot:CredentialProvider <prefix>.credentials.iot.<region>.<domain>
//   iot:Jobs               <prefix>.jobs.iot.<region>.<domain>
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace trustlane::iot {

inline constexpr std::string_view kDefaultDomain = "trustlane.local";

// nullopt: unknown endpoint type.
std::optional<std::string> endpoint_address(std::string_view prefix, std::string_view region,
                                            std::string_view domain, std::string_view endpoint_type);

struct EndpointHost {
  std::string prefix;
  std::string region;
};
// Parses a data endpoint host (ATS or legacy) under `domain`, case-insensitively.
std::optional<EndpointHost> parse_endpoint_host(std::string_view host, std::string_view domain);

bool is_valid_prefix(std::string_view prefix);  // 14 lowercase alphanumerics
bool is_valid_region(std::string_view region);  // e.g. us-east-1: lowercase letters, digits, '-'

}  // namespace trustlane::iot
