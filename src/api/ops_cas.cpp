// CA certificate operations and GetRegistrationCode.
#include <algorithm>

#include "api/operations.hpp"

namespace trustlane::api {

namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

std::optional<iot::RegistrationConfig> registration_config(Input& in) {
  const auto* obj = in.body_object("registrationConfig");
  if (!obj) return std::nullopt;
  iot::RegistrationConfig rc;
  for (auto [member, field] : {std::pair{"templateBody", &rc.template_body}, std::pair{"roleArn", &rc.role_arn},
                               std::pair{"templateName", &rc.template_name}}) {
    auto it = obj->find(member);
    if (it == obj->end() || it->is_null()) continue;
    if (!it->is_string()) {
      in.reject(invalid_request(std::string("1 validation error detected: registrationConfig.") + member +
                                " must be a string"));
      return std::nullopt;
    }
    *field = it->get<std::string>();
  }
  return rc;
}

nlohmann::json config_json(const iot::RegistrationConfig& rc) {
  nlohmann::json out = nlohmann::json::object();
  if (!rc.template_body.empty()) out["templateBody"] = rc.template_body;
  if (!rc.role_arn.empty()) out["roleArn"] = rc.role_arn;
  if (!rc.template_name.empty()) out["templateName"] = rc.template_name;
  return out;
}

}  // namespace

Reply get_registration_code(Call& c) {
  if (!c.in.ok()) return rejected(c.in);
  return nlohmann::json{{"registrationCode", c.store.registration_code(c.scope)}};
}

Reply register_ca_certificate(Call& c) {
  iot::RegisterCaRequest r;
  r.ca_pem = c.in.required(c.in.body_string("caCertificate", kPem), "caCertificate");
  r.verification_pem = c.in.body_string("verificationCertificate", kPem).value_or("");
  auto mode_text = c.in.body_string("certificateMode");
  r.set_active = c.in.query_bool("setAsActive").value_or(false);
  r.allow_auto_registration = c.in.query_bool("allowAutoRegistration").value_or(false);
  r.registration_config = registration_config(c.in).value_or(iot::RegistrationConfig{});
  if (mode_text) {
    auto mode = iot::parse_certificate_mode(*mode_text);
    if (!mode)
      c.in.reject(invalid_request("1 validation error detected: Value '" + mode_text->substr(0, 64) +
                                  "' at 'certificateMode' failed to satisfy constraint: Member must satisfy enum value "
                                  "set: [DEFAULT, SNI_ONLY]"));
    else
      r.mode = *mode;
  }
  if (!c.in.ok()) return rejected(c.in);
  auto out = c.store.register_ca_certificate(c.scope, r);
  if (!out) return registry_error(out);
  return nlohmann::json{{"certificateArn", out->arn}, {"certificateId", out->id}};
}

Reply describe_ca_certificate(Call& c) {
  auto id = lowercase(c.in.label("caCertificateId", kCertificateId));
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.describe_ca_certificate(c.scope, id);
  if (!r) return registry_error(r);
  nlohmann::json out{{"certificateDescription",
                      {{"certificateArn", r->arn},
                       {"certificateId", r->id},
                       {"status", iot::to_string(r->status)},
                       {"certificatePem", r->pem},
                       {"ownedBy", r->owned_by},
                       {"creationDate", r->created},
                       {"autoRegistrationStatus", r->auto_registration ? "ENABLE" : "DISABLE"},
                       {"lastModifiedDate", r->modified},
                       {"customerVersion", r->customer_version},
                       {"generationId", r->generation_id},
                       {"validity", {{"notBefore", r->not_before}, {"notAfter", r->not_after}}},
                       {"certificateMode", iot::to_string(r->mode)}}}};
  if (!r->registration_config.empty()) out["registrationConfig"] = config_json(r->registration_config);
  return out;
}

Reply update_ca_certificate(Call& c) {
  auto id = lowercase(c.in.label("caCertificateId", kCertificateId));
  iot::UpdateCaRequest r;
  if (auto s = c.in.query("newStatus")) {
    r.new_status = iot::parse_ca_status(*s);
    if (!r.new_status)
      c.in.reject(invalid_request("1 validation error detected: Value '" + s->substr(0, 64) +
                                  "' at 'newStatus' failed to satisfy constraint: Member must satisfy enum value set: "
                                  "[ACTIVE, INACTIVE]"));
  }
  if (auto a = c.in.query("newAutoRegistrationStatus")) {
    if (*a == "ENABLE" || *a == "DISABLE")
      r.auto_registration = *a == "ENABLE";
    else
      c.in.reject(invalid_request("1 validation error detected: Value '" + a->substr(0, 64) +
                                  "' at 'newAutoRegistrationStatus' failed to satisfy constraint: Member must satisfy "
                                  "enum value set: [ENABLE, DISABLE]"));
  }
  r.registration_config = registration_config(c.in);
  r.remove_auto_registration = c.in.body_bool("removeAutoRegistration").value_or(false);
  if (!c.in.ok()) return rejected(c.in);
  auto out = c.store.update_ca_certificate(c.scope, id, r);
  if (!out) return registry_error(out);
  return nlohmann::json::object();
}

Reply delete_ca_certificate(Call& c) {
  auto id = lowercase(c.in.label("caCertificateId", kCertificateId));
  if (!c.in.ok()) return rejected(c.in);
  auto out = c.store.delete_ca_certificate(c.scope, id);
  if (!out) return registry_error(out);
  return nlohmann::json::object();
}

Reply list_ca_certificates(Call& c) {
  auto page = page_request(c.in, "marker", "pageSize", 25, false);
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.list_ca_certificates(c.scope, page);
  if (!r) return registry_error(r);
  nlohmann::json out{{"certificates", nlohmann::json::array()}};
  for (const auto& ca : r->items)
    out["certificates"].push_back({{"certificateArn", ca.arn},
                                   {"certificateId", ca.id},
                                   {"status", iot::to_string(ca.status)},
                                   {"creationDate", ca.created}});
  if (!r->next.empty()) out["nextMarker"] = r->next;
  return out;
}

}  // namespace trustlane::api
