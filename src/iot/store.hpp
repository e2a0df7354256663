// iot::Store: the embedded registry (SQLite in WAL mode) behind the control-plane API and the
// broker's Registry interface. Every mutating call is committed before it returns (so an answered
// request survives kill -9). Thread-safe: one mutex serialises access to the connection; observers
// are notified after the mutex is released.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "iot/cloud_ca.hpp"
#include "iot/registry.hpp"

namespace trustlane::iot {

class Database;
class GroupCommit;
class Statement;

struct StoreOptions {
  std::string domain = "trustlane.local";  // endpoint host names: <prefix>-ats.iot.<region>.<domain>
  bool sync_full = false;                  // fsync every commit (power-loss durability)
  std::function<std::int64_t()> clock;     // epoch seconds; default: system clock
};

struct RegisterCaRequest {
  std::string ca_pem;
  std::string verification_pem;  // required for DEFAULT mode, forbidden for SNI_ONLY
  CertificateMode mode = CertificateMode::Default;
  bool set_active = false;
  bool allow_auto_registration = false;
  RegistrationConfig registration_config;
};

struct UpdateCaRequest {
  std::optional<CaStatus> new_status;
  std::optional<bool> auto_registration;
  std::optional<RegistrationConfig> registration_config;
  bool remove_auto_registration = false;
};

struct KeysAndCertificate {
  CertificateInfo certificate;
  std::string public_key_pem;
  std::string private_key_pem;
};

struct UpdateThingRequest {
  std::optional<std::string> type_name;
  std::optional<Attributes> attributes;  // "" values remove an attribute when merging
  bool merge = false;
  std::optional<std::int64_t> expected_version;
  bool remove_type = false;
};

struct ThingFilter {
  std::string attribute_name;
  std::string attribute_value;
  bool attribute_value_prefix = false;
  std::string type_name;
};

// One certificate of a bulk registration (the ledger import's local fast path).
struct BulkRegisterItem {
  std::string certificate_pem;
  std::string thing_name;  // empty: no thing
};

struct BulkRegistered {
  CertificateInfo certificate;
  bool created = false;  // false: the account already held it (its links were still ensured)
};

class Store final : public Registry {
 public:
  Store(const std::filesystem::path& db_path, std::shared_ptr<const CloudCa> ca, StoreOptions options = {});
  ~Store() override;

  std::int64_t now() const;
  const std::string& domain() const { return options_.domain; }

  // Accounts and endpoints
  std::string endpoint_prefix(const Scope& scope);     // created on first use, then stable
  std::string registration_code(const Scope& scope);   // 64 hex, stable per account and region
  Outcome<std::string> describe_endpoint(const Scope& scope, std::string_view endpoint_type);

  // Certificates
  Outcome<CertificateInfo> register_certificate_without_ca(const Scope& scope, std::string_view pem,
                                                           CertificateStatus status);
  // Per item, in one transaction: RegisterCertificateWithoutCA (an existing certificate is not
  // an error here), AttachPolicy `policy` (unless empty), CreateThing + AttachThingPrincipal
  // (unless the item has no thing name). A failing item is rolled back alone and reported in
  // its slot; the batch fails as a whole only when `policy` does not exist.
  Outcome<std::vector<Outcome<BulkRegistered>>> bulk_register_without_ca(const Scope& scope,
                                                                        const std::vector<BulkRegisterItem>& items,
                                                                        CertificateStatus status,
                                                                        std::string_view policy);
  Outcome<CertificateInfo> register_certificate(const Scope& scope, std::string_view pem,
                                                std::string_view ca_pem, CertificateStatus status);
  Outcome<KeysAndCertificate> create_keys_and_certificate(const Scope& scope, bool set_active);
  Outcome<CertificateInfo> describe_certificate(const Scope& scope, std::string_view id) const;
  // ca_id empty: all certificates (ListCertificates); else ListCertificatesByCA.
  Outcome<Page<CertificateInfo>> list_certificates(const Scope& scope, const PageRequest& page,
                                                   std::string_view ca_id = {}) const;
  Outcome<Done> update_certificate(const Scope& scope, std::string_view id, CertificateStatus new_status);
  Outcome<Done> delete_certificate(const Scope& scope, std::string_view id, bool force);

  // CA certificates
  Outcome<CaInfo> register_ca_certificate(const Scope& scope, const RegisterCaRequest& request);
  Outcome<CaInfo> describe_ca_certificate(const Scope& scope, std::string_view id) const;
  Outcome<Page<CaInfo>> list_ca_certificates(const Scope& scope, const PageRequest& page) const;
  Outcome<Done> update_ca_certificate(const Scope& scope, std::string_view id, const UpdateCaRequest& request);
  Outcome<Done> delete_ca_certificate(const Scope& scope, std::string_view id);

  // Policies
  Outcome<PolicyInfo> create_policy(const Scope& scope, std::string_view name, std::string_view document);
  Outcome<PolicyInfo> get_policy(const Scope& scope, std::string_view name) const;
  Outcome<Page<PolicyInfo>> list_policies(const Scope& scope, const PageRequest& page) const;
  Outcome<Done> delete_policy(const Scope& scope, std::string_view name);
  Outcome<PolicyVersionInfo> create_policy_version(const Scope& scope, std::string_view name,
                                                   std::string_view document, bool set_as_default);
  Outcome<PolicyVersionInfo> get_policy_version(const Scope& scope, std::string_view name,
                                                std::string_view version_id) const;
  Outcome<std::vector<PolicyVersionInfo>> list_policy_versions(const Scope& scope, std::string_view name) const;
  Outcome<Done> set_default_policy_version(const Scope& scope, std::string_view name, std::string_view version_id);
  Outcome<Done> delete_policy_version(const Scope& scope, std::string_view name, std::string_view version_id);
  Outcome<Done> attach_policy(const Scope& scope, std::string_view name, std::string_view target);
  Outcome<Done> detach_policy(const Scope& scope, std::string_view name, std::string_view target);
  Outcome<Page<PolicyInfo>> list_attached_policies(const Scope& scope, std::string_view target,
                                                   const PageRequest& page) const;
  Outcome<Page<std::string>> list_targets_for_policy(const Scope& scope, std::string_view name,
                                                     const PageRequest& page) const;

  // Things
  Outcome<ThingInfo> create_thing(const Scope& scope, std::string_view name, std::string_view type_name,
                                  const Attributes& attributes);
  Outcome<ThingInfo> describe_thing(const Scope& scope, std::string_view name) const;
  Outcome<Page<ThingInfo>> list_things(const Scope& scope, const ThingFilter& filter, const PageRequest& page) const;
  Outcome<Done> update_thing(const Scope& scope, std::string_view name, const UpdateThingRequest& request);
  Outcome<Done> delete_thing(const Scope& scope, std::string_view name, std::optional<std::int64_t> expected_version);
  Outcome<Done> attach_thing_principal(const Scope& scope, std::string_view thing, std::string_view principal);
  Outcome<Done> detach_thing_principal(const Scope& scope, std::string_view thing, std::string_view principal);
  Outcome<Page<std::string>> list_thing_principals(const Scope& scope, std::string_view thing,
                                                   const PageRequest& page) const;
  Outcome<Page<std::string>> list_principal_things(const Scope& scope, std::string_view principal,
                                                   const PageRequest& page) const;

  // Registry (broker)
  std::optional<Scope> resolve_endpoint(std::string_view host) const override;
  std::optional<CertificateInfo> find_certificate(const Scope& scope, std::string_view certificate_id) const override;
  std::optional<std::pair<Scope, CertificateInfo>> find_default_certificate(
      std::string_view region, std::string_view certificate_id) const override;
  std::optional<CaInfo> find_issuing_ca(const Scope& scope, const crypto::Certificate& cert) const override;
  std::optional<std::pair<Scope, CaInfo>> find_default_issuing_ca(std::string_view region,
                                                                  const crypto::Certificate& cert) const override;
  Outcome<CertificateInfo> register_pending_certificate(const Scope& scope, const crypto::Certificate& cert,
                                                        const std::string& ca_id) override;
  std::vector<AttachedPolicy> policies_for_certificate(const Scope& scope,
                                                       std::string_view certificate_id) const override;
  std::vector<ThingInfo> things_for_certificate(const Scope& scope, std::string_view certificate_id) const override;
  std::uint64_t observe(RegistryObserver observer) override;
  void unobserve(std::uint64_t id) override;

 private:
  // Notifications gathered under the lock, delivered after it is released.
  using Notification = std::function<void(const RegistryObserver&)>;
  struct Locked;

  void create_schema();
  void notify(std::vector<Notification> notes);
  std::string new_generation_id() const;
  std::string ensure_account(const Scope& scope);  // returns the endpoint prefix (lock held)
  // Rows of `table` in the scope whose `column` equals `value` (the limit and delete checks).
  std::int64_t count_in_scope(const char* table, const char* column, const Scope& scope, std::string_view value) const;
  std::optional<CertificateInfo> load_certificate(const Scope& scope, std::string_view id) const;
  std::optional<CaInfo> load_ca(const Scope& scope, std::string_view id) const;
  std::optional<PolicyInfo> load_policy(const Scope& scope, std::string_view name) const;
  std::optional<ThingInfo> load_thing(const Scope& scope, std::string_view name) const;
  Outcome<CertificateInfo> insert_certificate(const Scope& scope, const crypto::Certificate& cert,
                                              CertificateStatus status, CertificateMode mode,
                                              const std::string& ca_id);
  // What a new certificate row needs, computed from the parsed certificate outside any lock.
  struct NewCertificate {
    std::string id, pem;
    std::int64_t not_before = 0, not_after = 0;
  };
  static NewCertificate describe_new(const crypto::Certificate& cert);
  Outcome<CertificateInfo> insert_new_certificate(const Scope& scope, const NewCertificate& cert,
                                                  CertificateStatus status, CertificateMode mode,
                                                  const std::string& ca_id);
  // The row alone: the caller has made sure the account exists and the id is new.
  CertificateInfo insert_certificate_row(const Scope& scope, const NewCertificate& cert, CertificateStatus status,
                                         CertificateMode mode, const std::string& ca_id);
  // Attaches an existing policy to a certificate (lock held); `notes` gets the change, if any.
  Outcome<Done> attach_policy_locked(const Scope& scope, std::string_view name, std::string_view target,
                                     const std::string& certificate_id, std::vector<Notification>& notes);
  // The link alone, for a certificate registered in this transaction (it has no policies yet).
  void insert_policy_target(const Scope& scope, std::string_view name, std::string_view target,
                            const std::string& certificate_id, std::vector<Notification>& notes);
  void insert_thing_row(const Scope& scope, std::string_view name, std::string_view type_name,
                        const Attributes& attributes);
  // A thing with no type or attributes, unless one of that name exists (then nothing changes).
  void insert_thing_if_absent(const Scope& scope, std::string_view name);
  void insert_thing_principal(const Scope& scope, std::string_view thing, std::string_view principal,
                              const std::string& certificate_id);
  std::vector<std::string> certificates_with_policy(const Scope& scope, std::string_view policy) const;
  Outcome<std::string> certificate_id_of_target(const Scope& scope, std::string_view target) const;

  StoreOptions options_;
  std::shared_ptr<const CloudCa> ca_;
  mutable std::mutex mutex_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<GroupCommit> group_;  // concurrent writers share commits (hot mutations)
  // prefix → scope; filled from the accounts table, so SNI lookups need no SQL.
  mutable std::shared_mutex endpoints_mutex_;
  std::map<std::string, Scope> endpoints_;
  std::mutex observers_mutex_;
  std::map<std::uint64_t, std::shared_ptr<const RegistryObserver>> observers_;
  std::uint64_t next_observer_ = 1;
};

}  // namespace trustlane::iot
