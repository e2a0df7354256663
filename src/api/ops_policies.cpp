// Policy operations: create/get/list/delete, versions, attach/detach, listings by target/policy.
#include "api/operations.hpp"
#include "iot/arn.hpp"

namespace trustlane::api {

namespace {

inline const Constraint kVersionId{1, 32, Charset::Digits};
inline const Constraint kDocument{0, 404600, Charset::Any};

Reply empty_or_error(const iot::Outcome<iot::Done>& r) {
  if (!r) return registry_error(r);
  return nlohmann::json::object();
}

nlohmann::json policies_json(const iot::Page<iot::PolicyInfo>& page) {
  nlohmann::json out{{"policies", nlohmann::json::array()}};
  for (const auto& p : page.items) out["policies"].push_back({{"policyName", p.name}, {"policyArn", p.arn}});
  if (!page.next.empty()) out["nextMarker"] = page.next;
  return out;
}

}  // namespace

Reply create_policy(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto document = c.in.required(c.in.body_string("policyDocument", kDocument), "policyDocument");
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.create_policy(c.scope, name, document);
  if (!r) return registry_error(r);
  return nlohmann::json{{"policyName", r->name},
                        {"policyArn", r->arn},
                        {"policyDocument", r->document},
                        {"policyVersionId", r->default_version}};
}

Reply get_policy(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.get_policy(c.scope, name);
  if (!r) return registry_error(r);
  return nlohmann::json{{"policyName", r->name},           {"policyArn", r->arn},
                        {"policyDocument", r->document},   {"defaultVersionId", r->default_version},
                        {"creationDate", r->created},      {"lastModifiedDate", r->modified},
                        {"generationId", r->generation_id}};
}

Reply list_policies(Call& c) {
  auto page = page_request(c.in, "marker", "pageSize", 25);
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.list_policies(c.scope, page);
  if (!r) return registry_error(r);
  return policies_json(*r);
}

Reply delete_policy(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.delete_policy(c.scope, name));
}

Reply create_policy_version(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto document = c.in.required(c.in.body_string("policyDocument", kDocument), "policyDocument");
  auto set_default = c.in.query_bool("setAsDefault");
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.create_policy_version(c.scope, name, document, set_default.value_or(false));
  if (!r) return registry_error(r);
  return nlohmann::json{{"policyArn", iot::policy_arn(c.scope, name)},
                        {"policyDocument", r->document},
                        {"policyVersionId", r->version_id},
                        {"isDefaultVersion", r->is_default}};
}

Reply get_policy_version(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto version = c.in.label("policyVersionId", kVersionId);
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.get_policy_version(c.scope, name, version);
  if (!r) return registry_error(r);
  return nlohmann::json{{"policyArn", iot::policy_arn(c.scope, name)},
                        {"policyName", name},
                        {"policyDocument", r->document},
                        {"policyVersionId", r->version_id},
                        {"isDefaultVersion", r->is_default},
                        {"creationDate", r->created},
                        {"lastModifiedDate", r->created},
                        {"generationId", r->version_id}};
}

Reply list_policy_versions(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.list_policy_versions(c.scope, name);
  if (!r) return registry_error(r);
  nlohmann::json out{{"policyVersions", nlohmann::json::array()}};
  for (const auto& v : *r)
    out["policyVersions"].push_back({{"versionId", v.version_id}, {"isDefaultVersion", v.is_default}, {"createDate", v.created}});
  return out;
}

Reply set_default_policy_version(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto version = c.in.label("policyVersionId", kVersionId);
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.set_default_policy_version(c.scope, name, version));
}

Reply delete_policy_version(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto version = c.in.label("policyVersionId", kVersionId);
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.delete_policy_version(c.scope, name, version));
}

Reply attach_policy(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto target = c.in.required(c.in.body_string("target", {1, 2048}), "target");
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.attach_policy(c.scope, name, target));
}

Reply detach_policy(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto target = c.in.required(c.in.body_string("target", {1, 2048}), "target");
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.detach_policy(c.scope, name, target));
}

Reply attach_principal_policy(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto principal = c.in.required(c.in.header("x-amzn-iot-principal", {1, 2048}), "principal");
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.attach_policy(c.scope, name, principal));
}

Reply detach_principal_policy(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto principal = c.in.required(c.in.header("x-amzn-iot-principal", {1, 2048}), "principal");
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.detach_policy(c.scope, name, principal));
}

Reply list_attached_policies(Call& c) {
  auto target = c.in.label("target", {1, 2048});
  auto page = page_request(c.in, "marker", "pageSize", 25);
  c.in.query_bool("recursive");  // validated; there are no thing groups to recurse into
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.list_attached_policies(c.scope, target, page);
  if (!r) return registry_error(r);
  return policies_json(*r);
}

Reply list_targets_for_policy(Call& c) {
  auto name = c.in.label("policyName", kPolicyName);
  auto page = page_request(c.in, "marker", "pageSize", 25);
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.list_targets_for_policy(c.scope, name, page);
  if (!r) return registry_error(r);
  nlohmann::json out{{"targets", r->items}};
  if (!r->next.empty()) out["nextMarker"] = r->next;
  return out;
}

}  // namespace trustlane::api
