// Certificate operations: RegisterCertificate[WithoutCA], CreateKeysAndCertificate, Describe/List/Update/Delete.
#include <algorithm>

#include "api/operations.hpp"

namespace trustlane::api {

namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

std::optional<iot::CertificateStatus> status_member(Input& in, std::optional<std::string> text, const char* name) {
  if (!text) return std::nullopt;
  auto s = iot::parse_certificate_status(*text);
  if (!s)
    in.reject(invalid_request("1 validation error detected: Value '" + text->substr(0, 64) + "' at '" + name +
                              "' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE, "
                              "REVOKED, PENDING_TRANSFER, REGISTER_INACTIVE, PENDING_ACTIVATION]"));
  return s;
}

nlohmann::json summary(const iot::CertificateInfo& c) {
  return {{"certificateArn", c.arn},
          {"certificateId", c.id},
          {"status", iot::to_string(c.status)},
          {"certificateMode", iot::to_string(c.mode)},
          {"creationDate", c.created}};
}

Reply arn_and_id(const iot::Outcome<iot::CertificateInfo>& r) {
  if (!r) return registry_error(r);
  return nlohmann::json{{"certificateArn", r->arn}, {"certificateId", r->id}};
}

Reply certificate_page(const iot::Outcome<iot::Page<iot::CertificateInfo>>& r) {
  if (!r) return registry_error(r);
  nlohmann::json out{{"certificates", nlohmann::json::array()}};
  for (const auto& c : r->items) out["certificates"].push_back(summary(c));
  if (!r->next.empty()) out["nextMarker"] = r->next;
  return out;
}

}  // namespace

Reply register_certificate_without_ca(Call& c) {
  auto pem = c.in.required(c.in.body_string("certificatePem", kPem), "certificatePem");
  auto status = status_member(c.in, c.in.body_string("status"), "status");
  if (!c.in.ok()) return rejected(c.in);
  return arn_and_id(c.store.register_certificate_without_ca(c.scope, pem, status.value_or(iot::CertificateStatus::Inactive)));
}

Reply register_certificate(Call& c) {
  auto pem = c.in.required(c.in.body_string("certificatePem", kPem), "certificatePem");
  auto ca_pem = c.in.body_string("caCertificatePem", kPem).value_or("");
  auto status = status_member(c.in, c.in.body_string("status"), "status");
  auto set_active = c.in.query_bool("setAsActive");
  if (!c.in.ok()) return rejected(c.in);
  auto effective = status.value_or(set_active.value_or(false) ? iot::CertificateStatus::Active
                                                              : iot::CertificateStatus::Inactive);
  return arn_and_id(c.store.register_certificate(c.scope, pem, ca_pem, effective));
}

Reply create_keys_and_certificate(Call& c) {
  auto set_active = c.in.query_bool("setAsActive");
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.create_keys_and_certificate(c.scope, set_active.value_or(false));
  if (!r) return registry_error(r);
  return nlohmann::json{{"certificateArn", r->certificate.arn},
                        {"certificateId", r->certificate.id},
                        {"certificatePem", r->certificate.pem},
                        {"keyPair", {{"PublicKey", r->public_key_pem}, {"PrivateKey", r->private_key_pem}}}};
}

Reply describe_certificate(Call& c) {
  auto id = lowercase(c.in.label("certificateId", kCertificateId));
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.describe_certificate(c.scope, id);
  if (!r) return registry_error(r);
  nlohmann::json d{{"certificateArn", r->arn},
                   {"certificateId", r->id},
                   {"status", iot::to_string(r->status)},
                   {"certificatePem", r->pem},
                   {"ownedBy", r->owned_by},
                   {"creationDate", r->created},
                   {"lastModifiedDate", r->modified},
                   {"customerVersion", r->customer_version},
                   {"generationId", r->generation_id},
                   {"validity", {{"notBefore", r->not_before}, {"notAfter", r->not_after}}},
                   {"certificateMode", iot::to_string(r->mode)}};
  if (!r->ca_id.empty()) d["caCertificateId"] = r->ca_id;
  return nlohmann::json{{"certificateDescription", d}};
}

Reply list_certificates(Call& c) {
  auto page = page_request(c.in, "marker", "pageSize", 25, false);
  if (!c.in.ok()) return rejected(c.in);
  return certificate_page(c.store.list_certificates(c.scope, page));
}

Reply list_certificates_by_ca(Call& c) {
  auto ca_id = lowercase(c.in.label("caCertificateId", kCertificateId));
  auto page = page_request(c.in, "marker", "pageSize", 25, false);
  if (!c.in.ok()) return rejected(c.in);
  return certificate_page(c.store.list_certificates(c.scope, page, ca_id));
}

Reply update_certificate(Call& c) {
  auto id = lowercase(c.in.label("certificateId", kCertificateId));
  auto text = c.in.required(c.in.query("newStatus"), "newStatus");
  auto status = c.in.ok() ? status_member(c.in, text, "newStatus") : std::nullopt;
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.update_certificate(c.scope, id, *status);
  if (!r) return registry_error(r);
  return nlohmann::json::object();
}

Reply delete_certificate(Call& c) {
  auto id = lowercase(c.in.label("certificateId", kCertificateId));
  auto force = c.in.query_bool("forceDelete");
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.delete_certificate(c.scope, id, force.value_or(false));
  if (!r) return registry_error(r);
  return nlohmann::json::object();
}

}  // namespace trustlane::api
