// Registry records and enums (AWS IoT's names), shared by the API and the broker.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trustlane::iot {

// Where a resource lives: AWS IoT is per account and per region; nothing crosses scopes.
struct Scope {
  std::string account;
  std::string region;
  bool operator==(const Scope&) const = default;
};

enum class CertificateStatus { Active, Inactive, Revoked, PendingTransfer, RegisterInactive, PendingActivation };
enum class CertificateMode { Default, SniOnly };
enum class CaStatus { Active, Inactive };

std::string_view to_string(CertificateStatus s);
std::string_view to_string(CertificateMode m);
std::string_view to_string(CaStatus s);
std::optional<CertificateStatus> parse_certificate_status(std::string_view s);
std::optional<CertificateMode> parse_certificate_mode(std::string_view s);
std::optional<CaStatus> parse_ca_status(std::string_view s);

struct CertificateInfo {
  std::string id;  // lowercase hex SHA-256 of the DER
  std::string arn;
  std::string ca_id;  // empty when registered without a CA or issued by the cloud
  CertificateStatus status = CertificateStatus::Inactive;
  CertificateMode mode = CertificateMode::SniOnly;
  std::string pem;
  std::string owned_by;
  std::int64_t created = 0;
  std::int64_t modified = 0;
  std::int64_t customer_version = 1;
  std::string generation_id;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
};

struct RegistrationConfig {
  std::string template_body;
  std::string role_arn;
  std::string template_name;
  bool empty() const { return template_body.empty() && role_arn.empty() && template_name.empty(); }
};

struct CaInfo {
  std::string id;
  std::string arn;
  CaStatus status = CaStatus::Inactive;
  bool auto_registration = false;
  CertificateMode mode = CertificateMode::Default;
  std::string pem;
  std::string owned_by;
  std::int64_t created = 0;
  std::int64_t modified = 0;
  std::int64_t customer_version = 1;
  std::string generation_id;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  RegistrationConfig registration_config;
};

struct PolicyInfo {
  std::string name;
  std::string arn;
  std::string default_version;
  std::string document;  // of the default version
  std::int64_t created = 0;
  std::int64_t modified = 0;
  std::string generation_id;
};

struct PolicyVersionInfo {
  std::string version_id;
  std::string document;
  bool is_default = false;
  std::int64_t created = 0;
};

// What the broker needs of a policy attached to a certificate.
struct AttachedPolicy {
  std::string name;
  std::string version_id;
  std::string document;
};

using Attributes = std::map<std::string, std::string>;

struct ThingInfo {
  std::string name;
  std::string arn;
  std::string id;
  std::string type_name;  // empty: none
  Attributes attributes;
  std::int64_t version = 1;
};

// One page of a listing; next is empty on the last page (the CLI would follow it forever).
template <class T>
struct Page {
  std::vector<T> items;
  std::string next;
};

struct PageRequest {
  std::string marker;  // opaque, from a previous page's next
  int size = 25;
  bool ascending = true;
};

}  // namespace trustlane::iot
