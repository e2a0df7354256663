// POST /trustlane/bulk/register-without-ca — trustlane's own route (not in AWS IoT) for fast
// local ledger imports: a batch of certificates registered without CA, each with the policy
// attached and a thing linked, in one transaction. Signed and authorised like every route.
//
// Request:  {"status": "ACTIVE", "policyName": "p", "items": [{"certificatePem": "…", "thingName": "t"}]}
// Response: {"maxItems": 5000, "results": [{"certificateId", "certificateArn", "created": true|false}
//                                        | {"errorCode": "<AWS exception>", "errorMessage": "…"}]}
// Results are in item order. An item that fails is reported in its slot, never failing the
// batch; the request as a whole fails only when it is malformed, too large, or the policy is missing.
#include "api/operations.hpp"

namespace trustlane::api {

namespace {

bool valid_thing_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (unsigned char ch : s)
    if (!std::isalnum(ch) && ch != ':' && ch != '_' && ch != '-') return false;
  return true;
}

// Reads one item; a bad one becomes an error in its slot (std::nullopt + the error).
std::optional<iot::BulkRegisterItem> read_item(const nlohmann::json& j, ApiError& problem) {
  if (!j.is_object()) {
    problem = invalid_request("Each item must be an object");
    return std::nullopt;
  }
  auto pem = j.find("certificatePem");
  if (pem == j.end() || !pem->is_string() || pem->get_ref<const std::string&>().empty() ||
      pem->get_ref<const std::string&>().size() > kPem.max) {
    problem = invalid_request("certificatePem must be a PEM string of 1 to 65536 characters");
    return std::nullopt;
  }
  iot::BulkRegisterItem item{pem->get<std::string>(), {}};
  if (auto thing = j.find("thingName"); thing != j.end() && !thing->is_null()) {
    if (!thing->is_string() || !valid_thing_name(thing->get_ref<const std::string&>())) {
      problem = invalid_request("thingName must match [a-zA-Z0-9:_-]+ (1 to 128 characters)");
      return std::nullopt;
    }
    item.thing_name = thing->get<std::string>();
  }
  return item;
}

nlohmann::json item_error(const ApiError& e) { return {{"errorCode", e.type}, {"errorMessage", e.message}}; }

}  // namespace

Reply bulk_register_without_ca(Call& c) {
  const auto* items = c.in.body_array("items");
  if (!items) c.in.required(std::optional<bool>(), "items");  // AWS's "must not be null" message
  auto status_text = c.in.body_string("status");
  auto policy = c.in.body_string("policyName", kPolicyName).value_or("");
  if (!c.in.ok()) return rejected(c.in);
  if (items->size() > kMaxBulkItems)
    return fail(invalid_request("A batch holds at most " + std::to_string(kMaxBulkItems) + " items, got " +
                                std::to_string(items->size())));
  auto status = iot::CertificateStatus::Active;
  if (status_text) {
    auto parsed = iot::parse_certificate_status(*status_text);
    if (!parsed) return fail(invalid_request("status must be one of ACTIVE, INACTIVE, REVOKED, REGISTER_INACTIVE"));
    status = *parsed;
  }

  // Malformed items get their error now; the rest go to the store together.
  std::vector<nlohmann::json> results(items->size());
  std::vector<iot::BulkRegisterItem> batch;
  std::vector<std::size_t> slot;
  for (std::size_t i = 0; i < items->size(); ++i) {
    ApiError problem;
    if (auto item = read_item((*items)[i], problem)) {
      batch.push_back(std::move(*item));
      slot.push_back(i);
    } else {
      results[i] = item_error(problem);
    }
  }
  auto stored = c.store.bulk_register_without_ca(c.scope, batch, status, policy);
  if (!stored) return registry_error(stored);
  for (std::size_t k = 0; k < stored->size(); ++k) {
    const auto& r = (*stored)[k];
    results[slot[k]] = r ? nlohmann::json{{"certificateId", r->certificate.id},
                                          {"certificateArn", r->certificate.arn},
                                          {"created", r->created}}
                         : item_error(to_api_error(r.error()));
  }
  return nlohmann::json{{"maxItems", kMaxBulkItems}, {"results", std::move(results)}};
}

}  // namespace trustlane::api
