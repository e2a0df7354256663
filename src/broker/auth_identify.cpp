#include "broker/auth_identify.hpp"

#include "iot/endpoint.hpp"

namespace trustlane::broker {

std::string_view to_string(Refusal r) {
  switch (r) {
    case Refusal::no_certificate: return "no_certificate";
    case Refusal::certificate_expired: return "certificate_expired";
    case Refusal::unknown_endpoint: return "unknown_endpoint";
    case Refusal::unknown_certificate: return "unknown_certificate";
    case Refusal::certificate_not_active: return "certificate_not_active";
    case Refusal::ca_not_active: return "ca_not_active";
    case Refusal::jitr_registered: return "jitr_registered";
    case Refusal::client_id_invalid: return "client_id_invalid";
    case Refusal::not_authorized: return "not_authorized";
    case Refusal::connect_throttled: return "connect_throttled";
    case Refusal::account_connect_throttled: return "account_connect_rate";
    case Refusal::account_connection_quota: return "account_connections";
    case Refusal::protocol_error: return "protocol_error";
    case Refusal::server_busy: return "server_busy";
  }
  return "unknown";
}

namespace {

IdentifyOutcome refuse(Refusal r, std::string detail) { return Refused{r, std::move(detail)}; }

// A certificate found: it connects only while ACTIVE.
IdentifyOutcome accept_if_active(iot::Registry& registry, const iot::Scope& scope, iot::CertificateInfo info,
                                 const crypto::Certificate& cert, const std::optional<std::string>& sni) {
  if (!info.ca_id.empty()) {  // a certificate under a CA connects only while that CA is ACTIVE
    auto ca = registry.find_issuing_ca(scope, cert);
    if (ca && ca->status != iot::CaStatus::Active)
      return refuse(Refusal::ca_not_active, "CA " + ca->id + " of certificate " + info.id + " is INACTIVE");
  }
  if (info.status != iot::CertificateStatus::Active)
    return refuse(Refusal::certificate_not_active,
                  "certificate " + info.id + " is " + std::string(iot::to_string(info.status)) + " in account " +
                      scope.account);
  return Identity{scope, std::move(info), sni};
}

// JITR: unknown certificate under a registered CA that allows auto-registration.
IdentifyOutcome try_jitr(iot::Registry& registry, const iot::Scope& scope, const iot::CaInfo& ca,
                         const crypto::Certificate& cert) {
  if (ca.status != iot::CaStatus::Active)
    return refuse(Refusal::ca_not_active, "issuing CA " + ca.id + " is INACTIVE in account " + scope.account);
  if (!ca.auto_registration)
    return refuse(Refusal::unknown_certificate,
                  "certificate " + cert.sha256_hex() + " unknown; CA " + ca.id + " has auto-registration off");
  auto registered = registry.register_pending_certificate(scope, cert, ca.id);
  if (!registered)
    return refuse(Refusal::unknown_certificate, "JITR of " + cert.sha256_hex() + " failed: " + registered.error().message);
  return refuse(Refusal::jitr_registered,
                "certificate " + cert.sha256_hex() + " auto-registered as PENDING_ACTIVATION under CA " + ca.id +
                    " in account " + scope.account);
}

}  // namespace

IdentifyOutcome identify(iot::Registry& registry, const IdentifyInput& input) {
  if (!input.peer) return refuse(Refusal::no_certificate, "no client certificate");
  const auto& cert = *input.peer;
  const std::string id = cert.sha256_hex();
  // Checked before any lookup: the TLS layer accepts any chain (MAR certificates have no CA here),
  // so this is where an expired certificate is stopped, registered or not, and before JITR.
  if (input.now > cert.not_after())
    return refuse(Refusal::certificate_expired, "certificate " + id + " expired at " + std::to_string(cert.not_after()));
  if (input.now < cert.not_before())
    return refuse(Refusal::certificate_expired,
                  "certificate " + id + " is not valid before " + std::to_string(cert.not_before()));

  // SNI under our domain routes to one account; any other host name counts as no SNI.
  if (input.sni && !input.sni->empty() && iot::parse_endpoint_host(*input.sni, input.domain)) {
    auto scope = registry.resolve_endpoint(*input.sni);
    if (!scope) return refuse(Refusal::unknown_endpoint, "SNI " + *input.sni + " names no account");
    if (auto info = registry.find_certificate(*scope, id)) return accept_if_active(registry, *scope, std::move(*info), cert, input.sni);
    if (auto ca = registry.find_issuing_ca(*scope, cert)) return try_jitr(registry, *scope, *ca, cert);
    return refuse(Refusal::unknown_certificate, "certificate " + id + " not registered in account " + scope->account +
                                                    " (" + scope->region + ")");
  }

  for (const auto& region : input.regions) {
    if (auto found = registry.find_default_certificate(region, id))
      return accept_if_active(registry, found->first, std::move(found->second), cert, std::nullopt);
  }
  for (const auto& region : input.regions) {
    if (auto ca = registry.find_default_issuing_ca(region, cert)) return try_jitr(registry, ca->first, ca->second, cert);
  }
  return refuse(Refusal::unknown_certificate,
                "certificate " + id + " has no DEFAULT-mode registration and no endpoint SNI was sent" +
                    (input.sni ? " (SNI " + *input.sni + ")" : std::string()));
}

}  // namespace trustlane::broker
