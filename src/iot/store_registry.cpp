// Store: the broker-only parts of the Registry interface (lookups across accounts, JITR).
#include <nlohmann/json.hpp>

#include "iot/store.hpp"
#include "iot/store_internal.hpp"

namespace trustlane::iot {

std::optional<CertificateInfo> Store::find_certificate(const Scope& scope, std::string_view certificate_id) const {
  std::lock_guard lock(mutex_);
  return load_certificate(scope, certificate_id);
}

std::optional<std::pair<Scope, CertificateInfo>> Store::find_default_certificate(std::string_view region,
                                                                                 std::string_view certificate_id) const {
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare("SELECT account FROM certificates WHERE region = ?1 AND id = ?2 AND mode = 'DEFAULT' LIMIT 1");
  st.bind(1, region).bind(2, certificate_id);
  std::optional<std::string> account;
  if (st.step()) account = st.text(0);
  st.reset();
  if (!account) return std::nullopt;
  Scope scope{*account, std::string(region)};
  auto cert = load_certificate(scope, certificate_id);
  if (!cert) return std::nullopt;
  return std::pair{scope, *cert};
}

std::optional<CaInfo> Store::find_issuing_ca(const Scope& scope, const crypto::Certificate& cert) const {
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare(std::string("SELECT ") + detail::kCaColumns +
                          " FROM cas WHERE account = ?1 AND region = ?2 AND subject = ?3");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, cert.issuer_text());
  std::optional<CaInfo> out;
  while (!out && st.step()) {
    auto ca = detail::read_ca(scope, st);
    auto parsed = crypto::Certificate::from_pem_lazy_key(ca.pem);
    if (parsed && cert.issued_by(*parsed)) out = std::move(ca);
  }
  st.reset();
  return out;
}

std::optional<std::pair<Scope, CaInfo>> Store::find_default_issuing_ca(std::string_view region,
                                                                       const crypto::Certificate& cert) const {
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare(std::string("SELECT account, ") + detail::kCaColumns +
                          " FROM cas WHERE region = ?1 AND subject = ?2 AND mode = 'DEFAULT'");
  st.bind(1, region).bind(2, cert.issuer_text());
  std::vector<std::string> accounts;
  while (st.step()) accounts.push_back(st.text(0));
  st.reset();
  for (auto& account : accounts) {
    Scope scope{account, std::string(region)};
    auto& cas = db_->prepare(std::string("SELECT ") + detail::kCaColumns +
                             " FROM cas WHERE account = ?1 AND region = ?2 AND subject = ?3 AND mode = 'DEFAULT'");
    cas.bind(1, scope.account).bind(2, scope.region).bind(3, cert.issuer_text());
    std::optional<CaInfo> found;
    while (!found && cas.step()) {
      auto ca = detail::read_ca(scope, cas);
      auto parsed = crypto::Certificate::from_pem_lazy_key(ca.pem);
      if (parsed && cert.issued_by(*parsed)) found = std::move(ca);
    }
    cas.reset();
    if (found) return std::pair{scope, *found};
  }
  return std::nullopt;
}

Outcome<CertificateInfo> Store::register_pending_certificate(const Scope& scope, const crypto::Certificate& cert,
                                                             const std::string& ca_id) {
  std::string payload;
  auto result = [&]() -> Outcome<CertificateInfo> {
    std::lock_guard lock(mutex_);
    auto ca = load_ca(scope, ca_id);
    if (!ca) return error(ErrorKind::ResourceNotFound, "The CA certificate " + ca_id + " does not exist");
    Transaction tx(*db_);
    auto info = insert_certificate(scope, cert, CertificateStatus::PendingActivation, ca->mode, ca_id);
    if (!info) return info;
    // The JITR event AWS publishes on $aws/events/certificates/registered/<caCertificateId>.
    payload = nlohmann::json{{"certificateId", info->id},
                             {"caCertificateId", ca_id},
                             {"timestamp", info->created},
                             {"certificateStatus", "PENDING_ACTIVATION"},
                             {"awsAccountId", scope.account},
                             {"certificateRegistrationTimestamp", std::to_string(info->created)}}
                  .dump();
    db_->prepare("INSERT INTO events(account, region, topic, payload, created) VALUES(?1, ?2, ?3, ?4, ?5)")
        .bind(1, scope.account).bind(2, scope.region).bind(3, "$aws/events/certificates/registered/" + ca_id)
        .bind(4, payload).bind(5, info->created).run();
    tx.commit();
    return info;
  }();
  if (result) {
    auto info = *result;
    notify({[scope, info, payload](const RegistryObserver& o) {
      if (o.certificate_registered) o.certificate_registered(scope, info, payload);
    }});
  }
  return result;
}

}  // namespace trustlane::iot
