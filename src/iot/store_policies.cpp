// Store: policies, their versions, and attachments to certificates.
#include "iot/arn.hpp"
#include "iot/policy_document.hpp"
#include "iot/store.hpp"
#include "iot/store_internal.hpp"

namespace trustlane::iot {

namespace {

constexpr int kMaxPolicyVersions = 5;
constexpr int kMaxPoliciesPerTarget = 10;

Outcome<Done> check_document(std::string_view document) {
  if (auto problem = check_policy_document(document)) return error(ErrorKind::MalformedPolicy, *problem);
  return Done{};
}

Failure<Error> no_policy(std::string_view name) {
  return error(ErrorKind::ResourceNotFound, "Policy not found (name=" + std::string(name) + ")");
}

}  // namespace

std::optional<PolicyInfo> Store::load_policy(const Scope& scope, std::string_view name) const {
  auto& st = db_->prepare(
      "SELECT p.default_version, v.document, p.created, p.modified, p.generation_id FROM policies p "
      "JOIN policy_versions v ON v.account = p.account AND v.region = p.region AND v.name = p.name "
      "AND v.version = p.default_version WHERE p.account = ?1 AND p.region = ?2 AND p.name = ?3");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, name);
  std::optional<PolicyInfo> out;
  if (st.step())
    out = PolicyInfo{std::string(name), policy_arn(scope, name), std::to_string(st.integer(0)), st.text(1),
                     st.integer(2), st.integer(3), st.text(4)};
  st.reset();
  return out;
}

std::vector<std::string> Store::certificates_with_policy(const Scope& scope, std::string_view policy) const {
  auto& st = db_->prepare("SELECT certificate_id FROM policy_targets WHERE account = ?1 AND region = ?2 AND policy = ?3");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, policy);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  st.reset();
  return out;
}

Outcome<std::string> Store::certificate_id_of_target(const Scope& scope, std::string_view target) const {
  auto arn = parse_arn(target);
  if (!arn || arn->kind != "cert" || arn->name.size() != 64)
    return error(ErrorKind::InvalidRequest, "The target " + std::string(target) + " is not a certificate ARN");
  if (arn->scope != scope)
    return error(ErrorKind::InvalidRequest, "The target " + std::string(target) + " belongs to another account or region");
  if (!load_certificate(scope, arn->name))
    return error(ErrorKind::ResourceNotFound, "The certificate " + arn->name + " does not exist");
  return arn->name;
}

Outcome<PolicyInfo> Store::create_policy(const Scope& scope, std::string_view name, std::string_view document) {
  if (auto ok = check_document(document); !ok) return fail(ok.error());
  std::lock_guard lock(mutex_);
  if (load_policy(scope, name)) {
    Error e{ErrorKind::ResourceAlreadyExists, "Policy cannot be created - name already exists (name=" + std::string(name) + ")",
            std::string(name), policy_arn(scope, name)};
    return fail(std::move(e));
  }
  auto t = now();
  Transaction tx(*db_);
  db_->prepare("INSERT INTO policies(account, region, name, default_version, next_version, created, modified, "
               "generation_id) VALUES(?1, ?2, ?3, 1, 2, ?4, ?4, ?5)")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, t).bind(5, new_generation_id()).run();
  db_->prepare("INSERT INTO policy_versions(account, region, name, version, document, created) VALUES(?1, ?2, ?3, 1, ?4, ?5)")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, document).bind(5, t).run();
  tx.commit();
  return *load_policy(scope, name);
}

Outcome<PolicyInfo> Store::get_policy(const Scope& scope, std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto p = load_policy(scope, name);
  if (!p) return no_policy(name);
  return *p;
}

Outcome<Page<PolicyInfo>> Store::list_policies(const Scope& scope, const PageRequest& page) const {
  auto key = detail::marker_key(page);
  if (!key) return fail(key.error());
  std::string sql = std::string("SELECT name FROM policies WHERE account = ?1 AND region = ?2 AND ") +
                    (page.ascending ? "(?3 = '' OR name > ?3) ORDER BY name ASC" : "(?3 = '' OR name < ?3) ORDER BY name DESC") +
                    " LIMIT ?4";
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare(sql);
  st.bind(1, scope.account).bind(2, scope.region).bind(3, *key).bind(4, std::int64_t{page.size} + 1);
  return detail::collect_page<PolicyInfo>(st, page.size, [&](Statement& row) {
    auto name = row.text(0);
    PolicyInfo p;
    p.name = name;
    p.arn = policy_arn(scope, name);
    return std::pair{std::move(p), name};
  });
}

Outcome<Done> Store::delete_policy(const Scope& scope, std::string_view name) {
  std::lock_guard lock(mutex_);
  if (!load_policy(scope, name)) return no_policy(name);
  if (!certificates_with_policy(scope, name).empty())
    return error(ErrorKind::DeleteConflict, "The policy cannot be deleted as the policy is attached to one or more "
                                            "principals (name=" + std::string(name) + ")");
  auto versions = count_in_scope("policy_versions", "name", scope, name);
  if (versions > 1)
    return error(ErrorKind::DeleteConflict, "Cannot delete the policy because it has one or more policy versions "
                                            "attached to it (name=" + std::string(name) + ")");
  Transaction tx(*db_);
  db_->prepare("DELETE FROM policy_versions WHERE account = ?1 AND region = ?2 AND name = ?3")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).run();
  db_->prepare("DELETE FROM policies WHERE account = ?1 AND region = ?2 AND name = ?3")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).run();
  tx.commit();
  return Done{};
}

Outcome<PolicyVersionInfo> Store::create_policy_version(const Scope& scope, std::string_view name,
                                                        std::string_view document, bool set_as_default) {
  if (auto ok = check_document(document); !ok) return fail(ok.error());
  std::vector<Notification> notes;
  auto result = [&]() -> Outcome<PolicyVersionInfo> {
    std::lock_guard lock(mutex_);
    if (!load_policy(scope, name)) return no_policy(name);
    auto versions = count_in_scope("policy_versions", "name", scope, name);
    if (versions >= kMaxPolicyVersions)
      return error(ErrorKind::VersionsLimitExceeded,
                   "The policy " + std::string(name) + " already has the maximum number of versions (5)");
    auto& next = db_->prepare("SELECT next_version FROM policies WHERE account = ?1 AND region = ?2 AND name = ?3");
    next.bind(1, scope.account).bind(2, scope.region).bind(3, name);
    next.step();
    auto version = next.integer(0);
    next.reset();
    auto t = now();
    Transaction tx(*db_);
    db_->prepare("INSERT INTO policy_versions(account, region, name, version, document, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, version).bind(5, document).bind(6, t).run();
    db_->prepare("UPDATE policies SET next_version = ?4 + 1, modified = ?5, generation_id = ?6, "
                 "default_version = CASE WHEN ?7 THEN ?4 ELSE default_version END "
                 "WHERE account = ?1 AND region = ?2 AND name = ?3")
        .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, version).bind(5, t)
        .bind(6, new_generation_id()).bind(7, std::int64_t{set_as_default}).run();
    tx.commit();
    if (set_as_default)
      for (auto& cid : certificates_with_policy(scope, name))
        notes.push_back([scope, cid](const RegistryObserver& o) {
          if (o.policies_changed) o.policies_changed(scope, cid);
        });
    return PolicyVersionInfo{std::to_string(version), std::string(document), set_as_default, t};
  }();
  notify(std::move(notes));
  return result;
}

Outcome<PolicyVersionInfo> Store::get_policy_version(const Scope& scope, std::string_view name,
                                                     std::string_view version_id) const {
  std::lock_guard lock(mutex_);
  auto policy = load_policy(scope, name);
  if (!policy) return no_policy(name);
  auto& st = db_->prepare("SELECT version, document, created FROM policy_versions "
                          "WHERE account = ?1 AND region = ?2 AND name = ?3 AND CAST(version AS TEXT) = ?4");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, version_id);
  std::optional<PolicyVersionInfo> out;
  if (st.step()) {
    auto v = std::to_string(st.integer(0));
    out = PolicyVersionInfo{v, st.text(1), v == policy->default_version, st.integer(2)};
  }
  st.reset();
  if (!out)
    return error(ErrorKind::ResourceNotFound,
                 "Policy version " + std::string(version_id) + " of " + std::string(name) + " does not exist");
  return *out;
}

Outcome<std::vector<PolicyVersionInfo>> Store::list_policy_versions(const Scope& scope, std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto policy = load_policy(scope, name);
  if (!policy) return no_policy(name);
  auto& st = db_->prepare("SELECT version, document, created FROM policy_versions "
                          "WHERE account = ?1 AND region = ?2 AND name = ?3 ORDER BY version DESC");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, name);
  std::vector<PolicyVersionInfo> out;
  while (st.step()) {
    auto v = std::to_string(st.integer(0));
    out.push_back({v, st.text(1), v == policy->default_version, st.integer(2)});
  }
  st.reset();
  return out;
}

Outcome<Done> Store::set_default_policy_version(const Scope& scope, std::string_view name, std::string_view version_id) {
  auto version = get_policy_version(scope, name, version_id);
  if (!version) return fail(version.error());
  std::vector<Notification> notes;
  {
    std::lock_guard lock(mutex_);
    db_->prepare("UPDATE policies SET default_version = ?4, modified = ?5, generation_id = ?6 "
                 "WHERE account = ?1 AND region = ?2 AND name = ?3")
        .bind(1, scope.account).bind(2, scope.region).bind(3, name)
        .bind(4, static_cast<std::int64_t>(std::stoll(version->version_id))).bind(5, now())
        .bind(6, new_generation_id()).run();
    if (!version->is_default)
      for (auto& cid : certificates_with_policy(scope, name))
        notes.push_back([scope, cid](const RegistryObserver& o) {
          if (o.policies_changed) o.policies_changed(scope, cid);
        });
  }
  notify(std::move(notes));
  return Done{};
}

Outcome<Done> Store::delete_policy_version(const Scope& scope, std::string_view name, std::string_view version_id) {
  auto version = get_policy_version(scope, name, version_id);
  if (!version) return fail(version.error());
  if (version->is_default) return error(ErrorKind::DeleteConflict, "Cannot delete the default version of a policy");
  std::lock_guard lock(mutex_);
  db_->prepare("DELETE FROM policy_versions WHERE account = ?1 AND region = ?2 AND name = ?3 AND version = ?4")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name)
      .bind(4, static_cast<std::int64_t>(std::stoll(version->version_id))).run();
  return Done{};
}

Outcome<Done> Store::attach_policy_locked(const Scope& scope, std::string_view name, std::string_view target,
                                          const std::string& certificate_id, std::vector<Notification>& notes) {
  auto& exists = db_->prepare("SELECT 1 FROM policy_targets WHERE account = ?1 AND region = ?2 AND policy = ?3 AND target = ?4");
  exists.bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, target);
  bool attached = exists.step();
  exists.reset();
  if (attached) return Done{};
  auto n = count_in_scope("policy_targets", "certificate_id", scope, certificate_id);
  if (n >= kMaxPoliciesPerTarget)
    return error(ErrorKind::LimitExceeded, "The target " + std::string(target) + " already has the maximum of 10 policies attached");
  insert_policy_target(scope, name, target, certificate_id, notes);
  return Done{};
}

void Store::insert_policy_target(const Scope& scope, std::string_view name, std::string_view target,
                                 const std::string& certificate_id, std::vector<Notification>& notes) {
  db_->prepare("INSERT INTO policy_targets(account, region, policy, target, certificate_id) VALUES(?1, ?2, ?3, ?4, ?5)")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, target).bind(5, certificate_id).run();
  notes.push_back([scope, cert = certificate_id](const RegistryObserver& o) {
    if (o.policies_changed) o.policies_changed(scope, cert);
  });
}

Outcome<Done> Store::attach_policy(const Scope& scope, std::string_view name, std::string_view target) {
  std::vector<Notification> notes;
  auto result = [&]() -> Outcome<Done> {
    std::lock_guard lock(mutex_);
    if (!load_policy(scope, name)) return no_policy(name);
    auto cid = certificate_id_of_target(scope, target);
    if (!cid) return fail(cid.error());
    return attach_policy_locked(scope, name, target, *cid, notes);
  }();
  notify(std::move(notes));
  return result;
}

Outcome<Done> Store::detach_policy(const Scope& scope, std::string_view name, std::string_view target) {
  std::vector<Notification> notes;
  auto result = [&]() -> Outcome<Done> {
    std::lock_guard lock(mutex_);
    if (!load_policy(scope, name)) return no_policy(name);
    auto arn = parse_arn(target);
    if (!arn || arn->kind != "cert")
      return error(ErrorKind::InvalidRequest, "The target " + std::string(target) + " is not a certificate ARN");
    db_->prepare("DELETE FROM policy_targets WHERE account = ?1 AND region = ?2 AND policy = ?3 AND target = ?4")
        .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, target).run();
    if (db_->changes() > 0)
      notes.push_back([scope, cert = arn->name](const RegistryObserver& o) {
        if (o.policies_changed) o.policies_changed(scope, cert);
      });
    return Done{};
  }();
  notify(std::move(notes));
  return result;
}

Outcome<Page<PolicyInfo>> Store::list_attached_policies(const Scope& scope, std::string_view target,
                                                        const PageRequest& page) const {
  auto key = detail::marker_key(page);
  if (!key) return fail(key.error());
  std::lock_guard lock(mutex_);
  auto cid = certificate_id_of_target(scope, target);
  if (!cid) return fail(cid.error());
  auto& st = db_->prepare("SELECT policy FROM policy_targets WHERE account = ?1 AND region = ?2 AND target = ?3 "
                          "AND (?4 = '' OR policy > ?4) ORDER BY policy LIMIT ?5");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, target).bind(4, *key).bind(5, std::int64_t{page.size} + 1);
  return detail::collect_page<PolicyInfo>(st, page.size, [&](Statement& row) {
    PolicyInfo p;
    p.name = row.text(0);
    p.arn = policy_arn(scope, p.name);
    auto k = p.name;
    return std::pair{std::move(p), k};
  });
}

Outcome<Page<std::string>> Store::list_targets_for_policy(const Scope& scope, std::string_view name,
                                                          const PageRequest& page) const {
  auto key = detail::marker_key(page);
  if (!key) return fail(key.error());
  std::lock_guard lock(mutex_);
  if (!load_policy(scope, name)) return no_policy(name);
  auto& st = db_->prepare("SELECT target FROM policy_targets WHERE account = ?1 AND region = ?2 AND policy = ?3 "
                          "AND (?4 = '' OR target > ?4) ORDER BY target LIMIT ?5");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, *key).bind(5, std::int64_t{page.size} + 1);
  return detail::collect_page<std::string>(st, page.size, [&](Statement& row) {
    auto t = row.text(0);
    return std::pair{t, t};
  });
}

std::vector<AttachedPolicy> Store::policies_for_certificate(const Scope& scope, std::string_view certificate_id) const {
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare(
      "SELECT p.name, p.default_version, v.document FROM policy_targets t "
      "JOIN policies p ON p.account = t.account AND p.region = t.region AND p.name = t.policy "
      "JOIN policy_versions v ON v.account = p.account AND v.region = p.region AND v.name = p.name "
      "AND v.version = p.default_version "
      "WHERE t.account = ?1 AND t.region = ?2 AND t.certificate_id = ?3 ORDER BY p.name");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, certificate_id);
  std::vector<AttachedPolicy> out;
  while (st.step()) out.push_back({st.text(0), std::to_string(st.integer(1)), st.text(2)});
  st.reset();
  return out;
}

}  // namespace trustlane::iot
