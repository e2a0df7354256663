// One handler per operation: validate (Input) → act (iot::Store) → the 200 body (model member
// names). Registry errors pass through to_api_error.
#pragma once
#include <nlohmann/json.hpp>

#include "api/api_error.hpp"
#include "api/input.hpp"
#include "api/router.hpp"
#include "iot/store.hpp"

namespace trustlane::api {

struct Call {
  iot::Store& store;
  const iot::Scope& scope;
  Input& in;
};

using Reply = Result<nlohmann::json, ApiError>;

Reply dispatch(Operation op, Call& call);

// Per area (ops_*.cpp).
Reply register_certificate_without_ca(Call& c);
Reply register_certificate(Call& c);
Reply create_keys_and_certificate(Call& c);
Reply describe_certificate(Call& c);
Reply list_certificates(Call& c);
Reply list_certificates_by_ca(Call& c);
Reply update_certificate(Call& c);
Reply delete_certificate(Call& c);

Reply register_ca_certificate(Call& c);
Reply get_registration_code(Call& c);
Reply describe_ca_certificate(Call& c);
Reply update_ca_certificate(Call& c);
Reply delete_ca_certificate(Call& c);
Reply list_ca_certificates(Call& c);

Reply create_policy(Call& c);
Reply get_policy(Call& c);
Reply list_policies(Call& c);
Reply delete_policy(Call& c);
Reply create_policy_version(Call& c);
Reply get_policy_version(Call& c);
Reply list_policy_versions(Call& c);
Reply set_default_policy_version(Call& c);
Reply delete_policy_version(Call& c);
Reply attach_policy(Call& c);
Reply detach_policy(Call& c);
Reply list_attached_policies(Call& c);
Reply list_targets_for_policy(Call& c);
Reply attach_principal_policy(Call& c);
Reply detach_principal_policy(Call& c);

Reply describe_endpoint(Call& c);
Reply create_thing(Call& c);
Reply describe_thing(Call& c);
Reply list_things(Call& c);
Reply update_thing(Call& c);
Reply delete_thing(Call& c);
Reply attach_thing_principal(Call& c);
Reply detach_thing_principal(Call& c);
Reply list_thing_principals(Call& c);
Reply list_principal_things(Call& c);

// trustlane's bulk route (ops_bulk.cpp).
// Large batches are what make bulk registration fast: one transaction rewrites each B-tree page
// it touched once, and random-keyed indexes are touched all over (bench/findings.md, P5).
// 5,000 × ~1.1 KB of JSON stays under the route's 8 MiB body cap.
inline constexpr std::size_t kMaxBulkItems = 5000;
Reply bulk_register_without_ca(Call& c);

// Shared helpers.
inline Failure<ApiError> rejected(const Input& in) { return fail(in.error()); }
template <class T>
Failure<ApiError> registry_error(const iot::Outcome<T>& o) {
  return fail(to_api_error(o.error()));
}
// Page request from the usual query members; marker_name/size_name differ per operation.
iot::PageRequest page_request(Input& in, const char* marker_name, const char* size_name, int default_size,
                              bool default_ascending = true);

inline const Constraint kCertificateId{64, 64, Charset::Hex};
inline const Constraint kPolicyName{1, 128, Charset::PolicyName};
inline const Constraint kThingName{1, 128, Charset::ThingName};
inline const Constraint kPem{1, 65536, Charset::Any};

}  // namespace trustlane::api
