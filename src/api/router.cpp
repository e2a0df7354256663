#include "api/router.hpp"

#include <array>
#include <vector>

#include "api/uri.hpp"

namespace trustlane::api {

namespace {

struct Entry {
  std::string_view method;
  std::string_view pattern;  // literal segments and {label} segments
  Operation op;
  std::string_view name;
};

// Methods and URIs from the botocore model (iot 2015-05-28).
constexpr std::array kRoutes{
    Entry{"POST", "/certificate/register-no-ca", Operation::RegisterCertificateWithoutCA, "RegisterCertificateWithoutCA"},
    Entry{"POST", "/certificate/register", Operation::RegisterCertificate, "RegisterCertificate"},
    Entry{"POST", "/cacertificate", Operation::RegisterCACertificate, "RegisterCACertificate"},
    Entry{"GET", "/registrationcode", Operation::GetRegistrationCode, "GetRegistrationCode"},
    Entry{"GET", "/cacertificate/{caCertificateId}", Operation::DescribeCACertificate, "DescribeCACertificate"},
    Entry{"PUT", "/cacertificate/{caCertificateId}", Operation::UpdateCACertificate, "UpdateCACertificate"},
    Entry{"DELETE", "/cacertificate/{caCertificateId}", Operation::DeleteCACertificate, "DeleteCACertificate"},
    Entry{"GET", "/cacertificates", Operation::ListCACertificates, "ListCACertificates"},
    Entry{"GET", "/certificates-by-ca/{caCertificateId}", Operation::ListCertificatesByCA, "ListCertificatesByCA"},
    Entry{"POST", "/keys-and-certificate", Operation::CreateKeysAndCertificate, "CreateKeysAndCertificate"},
    Entry{"GET", "/certificates/{certificateId}", Operation::DescribeCertificate, "DescribeCertificate"},
    Entry{"GET", "/certificates", Operation::ListCertificates, "ListCertificates"},
    Entry{"PUT", "/certificates/{certificateId}", Operation::UpdateCertificate, "UpdateCertificate"},
    Entry{"DELETE", "/certificates/{certificateId}", Operation::DeleteCertificate, "DeleteCertificate"},
    Entry{"POST", "/policies/{policyName}", Operation::CreatePolicy, "CreatePolicy"},
    Entry{"GET", "/policies/{policyName}", Operation::GetPolicy, "GetPolicy"},
    Entry{"GET", "/policies", Operation::ListPolicies, "ListPolicies"},
    Entry{"DELETE", "/policies/{policyName}", Operation::DeletePolicy, "DeletePolicy"},
    Entry{"POST", "/policies/{policyName}/version", Operation::CreatePolicyVersion, "CreatePolicyVersion"},
    Entry{"GET", "/policies/{policyName}/version/{policyVersionId}", Operation::GetPolicyVersion, "GetPolicyVersion"},
    Entry{"GET", "/policies/{policyName}/version", Operation::ListPolicyVersions, "ListPolicyVersions"},
    Entry{"PATCH", "/policies/{policyName}/version/{policyVersionId}", Operation::SetDefaultPolicyVersion,
          "SetDefaultPolicyVersion"},
    Entry{"DELETE", "/policies/{policyName}/version/{policyVersionId}", Operation::DeletePolicyVersion,
          "DeletePolicyVersion"},
    Entry{"PUT", "/target-policies/{policyName}", Operation::AttachPolicy, "AttachPolicy"},
    Entry{"POST", "/target-policies/{policyName}", Operation::DetachPolicy, "DetachPolicy"},
    Entry{"POST", "/attached-policies/{target}", Operation::ListAttachedPolicies, "ListAttachedPolicies"},
    Entry{"POST", "/policy-targets/{policyName}", Operation::ListTargetsForPolicy, "ListTargetsForPolicy"},
    Entry{"PUT", "/principal-policies/{policyName}", Operation::AttachPrincipalPolicy, "AttachPrincipalPolicy"},
    Entry{"DELETE", "/principal-policies/{policyName}", Operation::DetachPrincipalPolicy, "DetachPrincipalPolicy"},
    Entry{"GET", "/endpoint", Operation::DescribeEndpoint, "DescribeEndpoint"},
    Entry{"POST", "/things/{thingName}", Operation::CreateThing, "CreateThing"},
    Entry{"GET", "/things/{thingName}", Operation::DescribeThing, "DescribeThing"},
    Entry{"GET", "/things", Operation::ListThings, "ListThings"},
    Entry{"PATCH", "/things/{thingName}", Operation::UpdateThing, "UpdateThing"},
    Entry{"DELETE", "/things/{thingName}", Operation::DeleteThing, "DeleteThing"},
    Entry{"PUT", "/things/{thingName}/principals", Operation::AttachThingPrincipal, "AttachThingPrincipal"},
    Entry{"DELETE", "/things/{thingName}/principals", Operation::DetachThingPrincipal, "DetachThingPrincipal"},
    Entry{"GET", "/things/{thingName}/principals", Operation::ListThingPrincipals, "ListThingPrincipals"},
    Entry{"GET", "/principals/things", Operation::ListPrincipalThings, "ListPrincipalThings"},
    Entry{"POST", kBulkRegisterPath, Operation::BulkRegisterWithoutCA, "BulkRegisterWithoutCA"},
};

}  // namespace

std::string_view operation_name(Operation op) {
  for (const auto& e : kRoutes)
    if (e.op == op) return e.name;
  return "Unknown";
}

RouteResult route(std::string_view method, std::string_view raw_path) {
  auto segments = path_segments(raw_path);
  if (!segments) return {};
  for (const auto& e : kRoutes) {
    if (e.method != method) continue;
    auto pattern = path_segments(e.pattern);
    if (pattern->size() != segments->size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < pattern->size() && match; ++i) {
      auto p = (*pattern)[i];
      bool label = !p.empty() && p.front() == '{';
      match = label ? !(*segments)[i].empty() : p == (*segments)[i];
    }
    if (!match) continue;
    Route r{e.op, {}};
    for (std::size_t i = 0; i < pattern->size(); ++i) {
      auto p = (*pattern)[i];
      if (p.empty() || p.front() != '{') continue;
      auto decoded = percent_decode((*segments)[i]);
      if (!decoded) return {std::nullopt, RouteError::BadEncoding};
      r.labels[std::string(p.substr(1, p.size() - 2))] = std::move(*decoded);
    }
    return {std::move(r), RouteError::NotFound};
  }
  return {};
}

}  // namespace trustlane::api
