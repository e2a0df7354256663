// Store: device certificates (register with/without CA, AWS-issued, describe, list, update, delete).
#include <charconv>

#include "iot/arn.hpp"
#include "iot/certificate_check.hpp"
#include "iot/group_commit.hpp"
#include "iot/store.hpp"
#include "iot/store_internal.hpp"

namespace trustlane::iot {

namespace {

bool allowed_initial_status(CertificateStatus s) {
  switch (s) {
    case CertificateStatus::Active:
    case CertificateStatus::Inactive:
    case CertificateStatus::Revoked:
    case CertificateStatus::RegisterInactive:
      return true;
    case CertificateStatus::PendingTransfer:
    case CertificateStatus::PendingActivation:
      return false;
  }
  return false;
}

Outcome<Done> check_initial_status(CertificateStatus s) {
  if (!allowed_initial_status(s))
    return error(ErrorKind::InvalidRequest,
                 "A certificate cannot be registered with status " + std::string(to_string(s)));
  return Done{};
}

}  // namespace

std::optional<CertificateInfo> Store::load_certificate(const Scope& scope, std::string_view id) const {
  auto& st = db_->prepare(std::string("SELECT ") + detail::kCertificateColumns +
                          " FROM certificates WHERE account = ?1 AND region = ?2 AND id = ?3");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, id);
  std::optional<CertificateInfo> out;
  if (st.step()) out = detail::read_certificate(scope, st);
  st.reset();
  return out;
}

Store::NewCertificate Store::describe_new(const crypto::Certificate& cert) {
  return {cert.sha256_hex(), cert.pem(), cert.not_before(), cert.not_after()};
}

Outcome<CertificateInfo> Store::insert_certificate(const Scope& scope, const crypto::Certificate& cert,
                                                   CertificateStatus status, CertificateMode mode,
                                                   const std::string& ca_id) {
  return insert_new_certificate(scope, describe_new(cert), status, mode, ca_id);
}

Outcome<CertificateInfo> Store::insert_new_certificate(const Scope& scope, const NewCertificate& cert,
                                                       CertificateStatus status, CertificateMode mode,
                                                       const std::string& ca_id) {
  ensure_account(scope);
  if (load_certificate(scope, cert.id)) {
    Error e{ErrorKind::ResourceAlreadyExists, "The certificate is already provisioned or registered", cert.id,
            certificate_arn(scope, cert.id)};
    return fail(std::move(e));
  }
  return insert_certificate_row(scope, cert, status, mode, ca_id);
}

CertificateInfo Store::insert_certificate_row(const Scope& scope, const NewCertificate& cert, CertificateStatus status,
                                              CertificateMode mode, const std::string& ca_id) {
  CertificateInfo c;
  c.id = cert.id;
  c.arn = certificate_arn(scope, c.id);
  c.ca_id = ca_id;
  c.status = status;
  c.mode = mode;
  c.pem = cert.pem;
  c.owned_by = scope.account;
  c.created = c.modified = now();
  c.customer_version = 1;
  c.generation_id = new_generation_id();
  c.not_before = cert.not_before;
  c.not_after = cert.not_after;
  db_->prepare("INSERT INTO certificates(account, region, id, ca_id, status, mode, pem, created, modified, "
               "customer_version, generation_id, not_before, not_after) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 1, ?9, ?10, ?11)")
      .bind(1, scope.account)
      .bind(2, scope.region)
      .bind(3, c.id)
      .bind(4, ca_id)
      .bind(5, to_string(status))
      .bind(6, to_string(mode))
      .bind(7, c.pem)
      .bind(8, c.created)
      .bind(9, c.generation_id)
      .bind(10, c.not_before)
      .bind(11, c.not_after)
      .run();
  return c;  // what a reload would read back, without the second query
}

Outcome<CertificateInfo> Store::register_certificate_without_ca(const Scope& scope, std::string_view pem,
                                                                CertificateStatus status) {
  if (auto ok = check_initial_status(status); !ok) return fail(ok.error());
  auto cert = parse_certificate_pem(pem, now());
  if (!cert) return fail(cert.error());
  // Hashing and re-encoding happen here, in parallel on the caller's thread; only the SQL runs
  // in the (grouped) write transaction.
  auto facts = describe_new(*cert);
  Outcome<CertificateInfo> result = error(ErrorKind::InternalFailure, "not registered");
  group_->run([&] {
    result = insert_new_certificate(scope, facts, status, CertificateMode::SniOnly, "");
    return static_cast<bool>(result);
  });
  return result;
}

Outcome<CertificateInfo> Store::register_certificate(const Scope& scope, std::string_view pem,
                                                     std::string_view ca_pem, CertificateStatus status) {
  if (auto ok = check_initial_status(status); !ok) return fail(ok.error());
  auto cert = parse_certificate_pem(pem, now());
  if (!cert) return fail(cert.error());
  std::optional<crypto::Certificate> ca_cert;
  if (!ca_pem.empty()) {
    auto parsed = parse_certificate_pem(ca_pem, now());
    if (!parsed) return error(ErrorKind::CertificateValidation, "CA certificate: " + parsed.error().message);
    ca_cert = *parsed;
  }
  std::lock_guard lock(mutex_);
  std::optional<CaInfo> ca;
  if (ca_cert) {
    ca = load_ca(scope, ca_cert->sha256_hex());
    if (!ca) return error(ErrorKind::ResourceNotFound, "The CA certificate is not registered in this account");
    if (!cert->issued_by(*ca_cert))
      return error(ErrorKind::CertificateValidation, "The certificate is not signed by the given CA certificate");
  } else {
    // find_issuing_ca takes no lock of its own: the scan below is the same query under our lock.
    auto& st = db_->prepare(std::string("SELECT ") + detail::kCaColumns +
                            " FROM cas WHERE account = ?1 AND region = ?2 AND subject = ?3");
    st.bind(1, scope.account).bind(2, scope.region).bind(3, cert->issuer_text());
    while (st.step()) {
      auto candidate = detail::read_ca(scope, st);
      auto parsed = crypto::Certificate::from_pem_lazy_key(candidate.pem);
      if (parsed && cert->issued_by(*parsed)) {
        ca = std::move(candidate);
        break;
      }
    }
    st.reset();
    if (!ca)
      return error(ErrorKind::CertificateValidation,
                   "The certificate is not signed by a CA certificate registered in this account");
  }
  if (ca->status != CaStatus::Active)
    return error(ErrorKind::CertificateState, "The CA certificate " + ca->id + " is not ACTIVE");
  return insert_certificate(scope, *cert, status, ca->mode, ca->id);
}

Outcome<KeysAndCertificate> Store::create_keys_and_certificate(const Scope& scope, bool set_active) {
  if (!ca_) return error(ErrorKind::InternalFailure, "The cloud has no certificate authority configured");
  auto key = crypto::Key::generate(crypto::Curve::P256);
  auto cert = ca_->issue_device_certificate(key);
  std::lock_guard lock(mutex_);
  auto info = insert_certificate(scope, cert, set_active ? CertificateStatus::Active : CertificateStatus::Inactive,
                                 CertificateMode::Default, "");
  if (!info) return fail(info.error());
  return KeysAndCertificate{std::move(*info), key.public_pem(), key.private_pem()};
}

Outcome<CertificateInfo> Store::describe_certificate(const Scope& scope, std::string_view id) const {
  std::lock_guard lock(mutex_);
  auto c = load_certificate(scope, id);
  if (!c) return error(ErrorKind::ResourceNotFound, "The certificate " + std::string(id) + " does not exist");
  return *c;
}

Outcome<Page<CertificateInfo>> Store::list_certificates(const Scope& scope, const PageRequest& page,
                                                        std::string_view ca_id) const {
  auto key = detail::marker_key(page);
  if (!key) return fail(key.error());
  std::int64_t after = 0;
  if (!key->empty()) {
    auto [end, ec] = std::from_chars(key->data(), key->data() + key->size(), after);
    if (ec != std::errc() || end != key->data() + key->size() || after <= 0)
      return error(ErrorKind::InvalidRequest, "The marker is not valid");
  }
  std::string sql = std::string("SELECT ") + detail::kCertificateColumns +
                    " FROM certificates WHERE account = ?1 AND region = ?2 AND (?3 = '' OR ca_id = ?3) AND " +
                    (page.ascending ? "(?4 = 0 OR seq > ?4) ORDER BY seq ASC" : "(?4 = 0 OR seq < ?4) ORDER BY seq DESC") +
                    " LIMIT ?5";
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare(sql);
  st.bind(1, scope.account).bind(2, scope.region).bind(3, ca_id).bind(4, after).bind(5, std::int64_t{page.size} + 1);
  return detail::collect_page<CertificateInfo>(st, page.size, [&](Statement& row) {
    return std::pair{detail::read_certificate(scope, row), std::to_string(row.integer(11))};
  });
}

Outcome<Done> Store::update_certificate(const Scope& scope, std::string_view id, CertificateStatus new_status) {
  if (new_status == CertificateStatus::PendingTransfer || new_status == CertificateStatus::PendingActivation)
    return error(ErrorKind::InvalidRequest,
                 "The certificate status cannot be set to " + std::string(to_string(new_status)));
  std::vector<Notification> notes;
  auto result = [&]() -> Outcome<Done> {
    std::lock_guard lock(mutex_);
    auto c = load_certificate(scope, id);
    if (!c) return error(ErrorKind::ResourceNotFound, "The certificate " + std::string(id) + " does not exist");
    if (c->status == CertificateStatus::PendingTransfer)
      return error(ErrorKind::CertificateState, "The certificate is pending transfer and cannot be updated");
    if (c->status == new_status) return Done{};
    db_->prepare("UPDATE certificates SET status = ?4, modified = ?5, customer_version = customer_version + 1, "
                 "generation_id = ?6 WHERE account = ?1 AND region = ?2 AND id = ?3")
        .bind(1, scope.account)
        .bind(2, scope.region)
        .bind(3, id)
        .bind(4, to_string(new_status))
        .bind(5, now())
        .bind(6, new_generation_id())
        .run();
    notes.push_back([scope, cid = std::string(id), new_status](const RegistryObserver& o) {
      if (o.certificate_changed) o.certificate_changed(scope, cid, new_status);
    });
    return Done{};
  }();
  notify(std::move(notes));
  return result;
}

Outcome<Done> Store::delete_certificate(const Scope& scope, std::string_view id, bool force) {
  std::vector<Notification> notes;
  auto result = [&]() -> Outcome<Done> {
    std::lock_guard lock(mutex_);
    auto c = load_certificate(scope, id);
    if (!c) return error(ErrorKind::ResourceNotFound, "The certificate " + std::string(id) + " does not exist");
    if (c->status == CertificateStatus::Active)
      return error(ErrorKind::CertificateState, "Certificate must be deactivated (not ACTIVE) before deletion.");
    auto thing_count = count_in_scope("thing_principals", "certificate_id", scope, id);
    if (thing_count > 0)
      return error(ErrorKind::DeleteConflict, "Things must be detached before deletion (arn: " + c->arn + ")");
    auto policy_count = count_in_scope("policy_targets", "certificate_id", scope, id);
    if (policy_count > 0 && !force)
      return error(ErrorKind::DeleteConflict,
                   "Certificate policies must be detached before deletion (arn: " + c->arn + ")");
    Transaction tx(*db_);
    db_->prepare("DELETE FROM policy_targets WHERE account = ?1 AND region = ?2 AND certificate_id = ?3")
        .bind(1, scope.account).bind(2, scope.region).bind(3, id).run();
    db_->prepare("DELETE FROM certificates WHERE account = ?1 AND region = ?2 AND id = ?3")
        .bind(1, scope.account).bind(2, scope.region).bind(3, id).run();
    tx.commit();
    notes.push_back([scope, cid = std::string(id), policy_count](const RegistryObserver& o) {
      if (o.certificate_changed) o.certificate_changed(scope, cid, std::nullopt);
      if (policy_count > 0 && o.policies_changed) o.policies_changed(scope, cid);
    });
    return Done{};
  }();
  notify(std::move(notes));
  return result;
}

}  // namespace trustlane::iot
