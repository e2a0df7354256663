// Store: bulk registration without CA (trustlane's own route for fast local ledger imports).
// The same effects as RegisterCertificateWithoutCA + AttachPolicy + CreateThing +
// AttachThingPrincipal per item, in one transaction per batch instead of four per chip.
#include "iot/arn.hpp"
#include "iot/certificate_check.hpp"
#include "iot/group_commit.hpp"
#include "iot/store.hpp"
#include "iot/store_internal.hpp"

namespace trustlane::iot {

Outcome<std::vector<Outcome<BulkRegistered>>> Store::bulk_register_without_ca(
    const Scope& scope, const std::vector<BulkRegisterItem>& items, CertificateStatus status, std::string_view policy) {
  if (status == CertificateStatus::PendingTransfer || status == CertificateStatus::PendingActivation)
    return error(ErrorKind::InvalidRequest,
                 "A certificate cannot be registered with status " + std::string(to_string(status)));
  // Parsing, hashing and PEM encoding on the caller's thread, before the write transaction.
  const auto t = now();
  std::vector<Outcome<NewCertificate>> parsed;
  parsed.reserve(items.size());
  for (const auto& item : items) {
    auto cert = parse_certificate_pem(item.certificate_pem, t);
    if (!cert)
      parsed.push_back(fail(cert.error()));
    else
      parsed.push_back(describe_new(*cert));
  }

  std::vector<Outcome<BulkRegistered>> results;
  results.reserve(items.size());
  std::vector<Notification> notes;
  bool policy_missing = false;
  // Registers items in order into `results` and `notes`. Without `item_savepoints`, stops at the
  // first item that fails and returns false (the caller rolls the batch back).
  auto register_items = [&](bool item_savepoints) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!parsed[i]) {
        results.push_back(fail(parsed[i].error()));
        continue;
      }
      const auto& cert = *parsed[i];
      std::size_t notes_before = notes.size();
      if (item_savepoints) db_->prepare("SAVEPOINT item").run();
      auto one = [&]() -> Outcome<BulkRegistered> {
        BulkRegistered out;
        // A certificate new to the account skips the checks its links cannot fail: it has no
        // policies yet (a certificate is deleted only once detached, like AWS's DeleteConflict).
        if (auto existing = load_certificate(scope, cert.id)) {
          out.certificate = std::move(*existing);
        } else {
          out.certificate = insert_certificate_row(scope, cert, status, CertificateMode::SniOnly, "");
          out.created = true;
        }
        if (!policy.empty()) {
          if (out.created) {
            insert_policy_target(scope, policy, out.certificate.arn, cert.id, notes);
          } else if (auto attached = attach_policy_locked(scope, policy, out.certificate.arn, cert.id, notes); !attached) {
            return fail(attached.error());
          }
        }
        const auto& thing = items[i].thing_name;
        if (!thing.empty()) {
          insert_thing_if_absent(scope, thing);
          insert_thing_principal(scope, thing, out.certificate.arn, cert.id);
        }
        return out;
      }();
      if (!one && !item_savepoints) return false;
      if (item_savepoints) {
        if (!one) db_->prepare("ROLLBACK TO item").run();
        db_->prepare("RELEASE item").run();
      }
      if (!one) notes.resize(notes_before);  // nothing of this item was stored, so nothing changed
      results.push_back(std::move(one));
    }
    return true;
  };
  group_->run([&] {
    if (!policy.empty() && !load_policy(scope, policy)) {
      policy_missing = true;
      return false;
    }
    ensure_account(scope);
    // Optimistic first: all items under one savepoint, so each page is journaled once per batch
    // and not once per item (about a tenth of the server's CPU in a 100,000-chip import). An item
    // that fails sends the batch back to run again with a savepoint per item, which rolls
    // back only the items that fail.
    db_->prepare("SAVEPOINT items").run();
    bool all_stored = register_items(false);
    if (!all_stored) db_->prepare("ROLLBACK TO items").run();
    db_->prepare("RELEASE items").run();
    if (!all_stored) {
      results.clear();
      notes.clear();
      register_items(true);
    }
    return true;
  });
  if (policy_missing) return error(ErrorKind::ResourceNotFound, "Policy not found (name=" + std::string(policy) + ")");
  notify(std::move(notes));
  return results;
}

}  // namespace trustlane::iot
