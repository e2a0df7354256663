#include "api/operations.hpp"

namespace trustlane::api {

Reply dispatch(Operation op, Call& c) {
  switch (op) {
    case Operation::RegisterCertificateWithoutCA: return register_certificate_without_ca(c);
    case Operation::RegisterCertificate: return register_certificate(c);
    case Operation::RegisterCACertificate: return register_ca_certificate(c);
    case Operation::GetRegistrationCode: return get_registration_code(c);
    case Operation::DescribeCACertificate: return describe_ca_certificate(c);
    case Operation::UpdateCACertificate: return update_ca_certificate(c);
    case Operation::DeleteCACertificate: return delete_ca_certificate(c);
    case Operation::ListCACertificates: return list_ca_certificates(c);
    case Operation::ListCertificatesByCA: return list_certificates_by_ca(c);
    case Operation::CreateKeysAndCertificate: return create_keys_and_certificate(c);
    case Operation::DescribeCertificate: return describe_certificate(c);
    case Operation::ListCertificates: return list_certificates(c);
    case Operation::UpdateCertificate: return update_certificate(c);
    case Operation::DeleteCertificate: return delete_certificate(c);
    case Operation::CreatePolicy: return create_policy(c);
    case Operation::GetPolicy: return get_policy(c);
    case Operation::ListPolicies: return list_policies(c);
    case Operation::DeletePolicy: return delete_policy(c);
    case Operation::CreatePolicyVersion: return create_policy_version(c);
    case Operation::GetPolicyVersion: return get_policy_version(c);
    case Operation::ListPolicyVersions: return list_policy_versions(c);
    case Operation::SetDefaultPolicyVersion: return set_default_policy_version(c);
    case Operation::DeletePolicyVersion: return delete_policy_version(c);
    case Operation::AttachPolicy: return attach_policy(c);
    case Operation::DetachPolicy: return detach_policy(c);
    case Operation::ListAttachedPolicies: return list_attached_policies(c);
    case Operation::ListTargetsForPolicy: return list_targets_for_policy(c);
    case Operation::AttachPrincipalPolicy: return attach_principal_policy(c);
    case Operation::DetachPrincipalPolicy: return detach_principal_policy(c);
    case Operation::DescribeEndpoint: return describe_endpoint(c);
    case Operation::CreateThing: return create_thing(c);
    case Operation::DescribeThing: return describe_thing(c);
    case Operation::ListThings: return list_things(c);
    case Operation::UpdateThing: return update_thing(c);
    case Operation::DeleteThing: return delete_thing(c);
    case Operation::AttachThingPrincipal: return attach_thing_principal(c);
    case Operation::DetachThingPrincipal: return detach_thing_principal(c);
    case Operation::ListThingPrincipals: return list_thing_principals(c);
    case Operation::ListPrincipalThings: return list_principal_things(c);
    case Operation::BulkRegisterWithoutCA: return bulk_register_without_ca(c);
  }
  return fail(ApiError{500, "InternalFailureException", "unhandled operation", nlohmann::json::object()});
}

iot::PageRequest page_request(Input& in, const char* marker_name, const char* size_name, int default_size,
                              bool default_ascending) {
  iot::PageRequest page;
  page.marker = in.query(marker_name, {0, 1024, Charset::Any}).value_or("");
  page.size = static_cast<int>(in.query_int(size_name, 1, 250).value_or(default_size));
  page.ascending = in.query_bool("isAscendingOrder").value_or(default_ascending);
  return page;
}

}  // namespace trustlane::api
