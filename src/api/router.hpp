// rest-json routing (sans-I/O): method + raw path → operation and its decoded URI labels.
// Routing happens on the raw path so an encoded '/' inside a label (certificate ARNs) never
// splits it; labels are percent-decoded afterwards.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace trustlane::api {

// trustlane's own bulk registration route (not in AWS IoT; see ops_bulk.cpp).
inline constexpr std::string_view kBulkRegisterPath = "/trustlane/bulk/register-without-ca";

enum class Operation {
  RegisterCertificateWithoutCA,
  RegisterCertificate,
  RegisterCACertificate,
  GetRegistrationCode,
  DescribeCACertificate,
  UpdateCACertificate,
  DeleteCACertificate,
  ListCACertificates,
  ListCertificatesByCA,
  CreateKeysAndCertificate,
  DescribeCertificate,
  ListCertificates,
  UpdateCertificate,
  DeleteCertificate,
  CreatePolicy,
  GetPolicy,
  ListPolicies,
  DeletePolicy,
  CreatePolicyVersion,
  GetPolicyVersion,
  ListPolicyVersions,
  SetDefaultPolicyVersion,
  DeletePolicyVersion,
  AttachPolicy,
  DetachPolicy,
  ListAttachedPolicies,
  ListTargetsForPolicy,
  AttachPrincipalPolicy,
  DetachPrincipalPolicy,
  DescribeEndpoint,
  CreateThing,
  DescribeThing,
  ListThings,
  UpdateThing,
  DeleteThing,
  AttachThingPrincipal,
  DetachThingPrincipal,
  ListThingPrincipals,
  ListPrincipalThings,
  // trustlane's own (not AWS IoT): paths under /trustlane/ never collide with AWS routes.
  BulkRegisterWithoutCA,
};

std::string_view operation_name(Operation op);

struct Route {
  Operation operation;
  std::map<std::string, std::string> labels;  // decoded
};

enum class RouteError { NotFound, BadEncoding };

struct RouteResult {
  std::optional<Route> route;
  RouteError error = RouteError::NotFound;  // meaningful when !route
};

RouteResult route(std::string_view method, std::string_view raw_path);

}  // namespace trustlane::api
