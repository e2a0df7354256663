// iot::Registry: what the MQTT broker needs of the device registry, and nothing more.
// Thread-safe; every call is a short, synchronous lookup or write (no I/O beyond the store).
// The embedded implementation is iot::Store (SQLite, WAL); a PostgreSQL one can sit behind the
// same interface.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/x509.hpp"
#include "iot/error.hpp"
#include "iot/types.hpp"

namespace trustlane::iot {

// Change notifications, called after the change is committed, on the thread that made it, with
// no registry lock held (an observer may call back into the registry). Unset members are skipped.
struct RegistryObserver {
  // A certificate's status changed (status set) or it was deleted (nullopt): cut its connections
  // unless it is still ACTIVE.
  std::function<void(const Scope&, const std::string& certificate_id, std::optional<CertificateStatus>)>
      certificate_changed;
  // A CA's status changed (nullopt: deleted).
  std::function<void(const Scope&, const std::string& ca_id, std::optional<CaStatus>)> ca_changed;
  // The effective policies of a certificate changed (attach, detach, new default version, delete).
  std::function<void(const Scope&, const std::string& certificate_id)> policies_changed;
  // A certificate was auto-registered (JITR) under a CA; the event topic is
  // $aws/events/certificates/registered/<caCertificateId>, payload as in event_payload.
  std::function<void(const Scope&, const CertificateInfo&, const std::string& event_payload)>
      certificate_registered;
};

class Registry {
 public:
  virtual ~Registry() = default;

  // SNI host name → (account, region): <prefix>[-ats].iot.<region>.<domain>. nullopt: unknown.
  virtual std::optional<Scope> resolve_endpoint(std::string_view host) const = 0;

  // A certificate by id (lowercase hex SHA-256 of the DER) in one account.
  virtual std::optional<CertificateInfo> find_certificate(const Scope& scope, std::string_view certificate_id) const = 0;

  // A DEFAULT-mode certificate by id, without SNI: unique within a region across accounts.
  virtual std::optional<std::pair<Scope, CertificateInfo>> find_default_certificate(
      std::string_view region, std::string_view certificate_id) const = 0;

  // The registered CA (in `scope`) that issued `cert` (issuer name matches, signature verifies).
  virtual std::optional<CaInfo> find_issuing_ca(const Scope& scope, const crypto::Certificate& cert) const = 0;
  // Without SNI: the DEFAULT-mode CA of a region that issued `cert`.
  virtual std::optional<std::pair<Scope, CaInfo>> find_default_issuing_ca(std::string_view region,
                                                                           const crypto::Certificate& cert) const = 0;

  // JITR: stores `cert` as PENDING_ACTIVATION under `ca_id` (mode inherited from the CA), records
  // the registration event and notifies certificate_registered. ResourceAlreadyExists if present.
  virtual Outcome<CertificateInfo> register_pending_certificate(const Scope& scope, const crypto::Certificate& cert,
                                                                const std::string& ca_id) = 0;

  // The default-version documents of the policies attached to a certificate.
  virtual std::vector<AttachedPolicy> policies_for_certificate(const Scope& scope,
                                                               std::string_view certificate_id) const = 0;

  // The things a certificate (by id) is attached to.
  virtual std::vector<ThingInfo> things_for_certificate(const Scope& scope, std::string_view certificate_id) const = 0;

  // Registers an observer; the returned id removes it again.
  virtual std::uint64_t observe(RegistryObserver observer) = 0;
  virtual void unobserve(std::uint64_t id) = 0;
};

}  // namespace trustlane::iot
