// Store: CA certificates (register with proof of possession, describe, list, update, delete).
#include <charconv>

#include "iot/arn.hpp"
#include "iot/certificate_check.hpp"
#include "iot/store.hpp"
#include "iot/store_internal.hpp"

namespace trustlane::iot {

std::optional<CaInfo> Store::load_ca(const Scope& scope, std::string_view id) const {
  auto& st = db_->prepare(std::string("SELECT ") + detail::kCaColumns +
                          " FROM cas WHERE account = ?1 AND region = ?2 AND id = ?3");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, id);
  std::optional<CaInfo> out;
  if (st.step()) out = detail::read_ca(scope, st);
  st.reset();
  return out;
}

Outcome<CaInfo> Store::register_ca_certificate(const Scope& scope, const RegisterCaRequest& request) {
  auto ca = parse_certificate_pem(request.ca_pem, now());
  if (!ca) return fail(ca.error());
  if (!ca->is_ca()) return error(ErrorKind::CertificateValidation, "The certificate is not a CA certificate (basicConstraints CA:TRUE)");
  switch (request.mode) {
    case CertificateMode::Default: {
      if (request.verification_pem.empty())
        return error(ErrorKind::InvalidRequest, "A verification certificate is required to register a CA in DEFAULT mode");
      auto verification = parse_certificate_pem(request.verification_pem, now());
      if (!verification)
        return error(ErrorKind::CertificateValidation, "Verification certificate: " + verification.error().message);
      if (verification->subject_field("CN").value_or("") != registration_code(scope))
        return error(ErrorKind::RegistrationCodeValidation,
                     "The verification certificate's subject CN is not this account's registration code");
      if (!verification->issued_by(*ca))
        return error(ErrorKind::CertificateValidation, "The verification certificate is not signed by the CA certificate");
      break;
    }
    case CertificateMode::SniOnly:
      if (!request.verification_pem.empty())
        return error(ErrorKind::InvalidRequest, "A CA in SNI_ONLY mode is registered without a verification certificate");
      break;
  }
  std::lock_guard lock(mutex_);
  ensure_account(scope);
  auto id = ca->sha256_hex();
  if (load_ca(scope, id)) {
    Error e{ErrorKind::ResourceAlreadyExists, "The CA certificate is already registered", id, ca_arn(scope, id)};
    return fail(std::move(e));
  }
  if (request.mode == CertificateMode::Default) {
    auto& st = db_->prepare("SELECT account FROM cas WHERE region = ?1 AND id = ?2 AND mode = 'DEFAULT'");
    st.bind(1, scope.region).bind(2, id);
    bool taken = st.step();
    st.reset();
    if (taken) {
      Error e{ErrorKind::ResourceAlreadyExists,
              "The CA certificate is already registered in DEFAULT mode by another account in this region", id,
              ca_arn(scope, id)};
      return fail(std::move(e));
    }
  }
  auto t = now();
  db_->prepare("INSERT INTO cas(account, region, id, status, auto_registration, mode, pem, subject, created, "
               "modified, customer_version, generation_id, not_before, not_after, template_body, role_arn, "
               "template_name) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 1, ?10, ?11, ?12, ?13, ?14, ?15)")
      .bind(1, scope.account)
      .bind(2, scope.region)
      .bind(3, id)
      .bind(4, to_string(request.set_active ? CaStatus::Active : CaStatus::Inactive))
      .bind(5, std::int64_t{request.allow_auto_registration})
      .bind(6, to_string(request.mode))
      .bind(7, ca->pem())
      .bind(8, ca->subject_text())
      .bind(9, t)
      .bind(10, new_generation_id())
      .bind(11, ca->not_before())
      .bind(12, ca->not_after())
      .bind(13, request.registration_config.template_body)
      .bind(14, request.registration_config.role_arn)
      .bind(15, request.registration_config.template_name)
      .run();
  return *load_ca(scope, id);
}

Outcome<CaInfo> Store::describe_ca_certificate(const Scope& scope, std::string_view id) const {
  std::lock_guard lock(mutex_);
  auto c = load_ca(scope, id);
  if (!c) return error(ErrorKind::ResourceNotFound, "The CA certificate " + std::string(id) + " does not exist");
  return *c;
}

Outcome<Page<CaInfo>> Store::list_ca_certificates(const Scope& scope, const PageRequest& page) const {
  auto key = detail::marker_key(page);
  if (!key) return fail(key.error());
  std::int64_t after = 0;
  if (!key->empty()) {
    auto [end, ec] = std::from_chars(key->data(), key->data() + key->size(), after);
    if (ec != std::errc() || end != key->data() + key->size() || after <= 0)
      return error(ErrorKind::InvalidRequest, "The marker is not valid");
  }
  std::string sql = std::string("SELECT ") + detail::kCaColumns + " FROM cas WHERE account = ?1 AND region = ?2 AND " +
                    (page.ascending ? "(?3 = 0 OR seq > ?3) ORDER BY seq ASC" : "(?3 = 0 OR seq < ?3) ORDER BY seq DESC") +
                    " LIMIT ?4";
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare(sql);
  st.bind(1, scope.account).bind(2, scope.region).bind(3, after).bind(4, std::int64_t{page.size} + 1);
  return detail::collect_page<CaInfo>(st, page.size, [&](Statement& row) {
    return std::pair{detail::read_ca(scope, row), std::to_string(row.integer(14))};
  });
}

Outcome<Done> Store::update_ca_certificate(const Scope& scope, std::string_view id, const UpdateCaRequest& request) {
  std::vector<Notification> notes;
  auto result = [&]() -> Outcome<Done> {
    std::lock_guard lock(mutex_);
    auto ca = load_ca(scope, id);
    if (!ca) return error(ErrorKind::ResourceNotFound, "The CA certificate " + std::string(id) + " does not exist");
    auto status = request.new_status.value_or(ca->status);
    bool auto_reg = request.auto_registration.value_or(ca->auto_registration);
    if (request.remove_auto_registration) auto_reg = false;
    auto config = request.registration_config.value_or(ca->registration_config);
    db_->prepare("UPDATE cas SET status = ?4, auto_registration = ?5, template_body = ?6, role_arn = ?7, "
                 "template_name = ?8, modified = ?9, customer_version = customer_version + 1, generation_id = ?10 "
                 "WHERE account = ?1 AND region = ?2 AND id = ?3")
        .bind(1, scope.account)
        .bind(2, scope.region)
        .bind(3, id)
        .bind(4, to_string(status))
        .bind(5, std::int64_t{auto_reg})
        .bind(6, config.template_body)
        .bind(7, config.role_arn)
        .bind(8, config.template_name)
        .bind(9, now())
        .bind(10, new_generation_id())
        .run();
    if (status != ca->status)
      notes.push_back([scope, cid = std::string(id), status](const RegistryObserver& o) {
        if (o.ca_changed) o.ca_changed(scope, cid, status);
      });
    return Done{};
  }();
  notify(std::move(notes));
  return result;
}

Outcome<Done> Store::delete_ca_certificate(const Scope& scope, std::string_view id) {
  std::vector<Notification> notes;
  auto result = [&]() -> Outcome<Done> {
    std::lock_guard lock(mutex_);
    auto ca = load_ca(scope, id);
    if (!ca) return error(ErrorKind::ResourceNotFound, "The CA certificate " + std::string(id) + " does not exist");
    if (ca->status == CaStatus::Active)
      return error(ErrorKind::CertificateState, "The CA certificate must be INACTIVE before deletion");
    auto count = count_in_scope("certificates", "ca_id", scope, id);
    if (count > 0)
      return error(ErrorKind::CertificateState,
                   "The CA certificate still has " + std::to_string(count) + " registered certificate(s)");
    db_->prepare("DELETE FROM cas WHERE account = ?1 AND region = ?2 AND id = ?3")
        .bind(1, scope.account).bind(2, scope.region).bind(3, id).run();
    notes.push_back([scope, cid = std::string(id)](const RegistryObserver& o) {
      if (o.ca_changed) o.ca_changed(scope, cid, std::nullopt);
    });
    return Done{};
  }();
  notify(std::move(notes));
  return result;
}

}  // namespace trustlane::iot
