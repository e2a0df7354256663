// Store: schema, accounts and endpoints, notifications, shared readers.
#include "iot/store.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "crypto/digest.hpp"
#include "iot/arn.hpp"
#include "iot/endpoint.hpp"
#include "iot/group_commit.hpp"
#include "iot/store_internal.hpp"

namespace trustlane::iot {

namespace detail {

Outcome<std::string> marker_key(const PageRequest& page) {
  if (page.marker.empty()) return std::string();
  auto key = decode_marker(page.marker);
  if (!key) return error(ErrorKind::InvalidRequest, "The marker is not valid");
  return *key;
}

const char* const kCertificateColumns =
    "id, ca_id, status, mode, pem, created, modified, customer_version, generation_id, not_before, not_after, seq";

CertificateInfo read_certificate(const Scope& scope, Statement& st) {
  CertificateInfo c;
  c.id = st.text(0);
  c.arn = certificate_arn(scope, c.id);
  c.ca_id = st.text(1);
  c.status = parse_certificate_status(st.text(2)).value_or(CertificateStatus::Inactive);
  c.mode = parse_certificate_mode(st.text(3)).value_or(CertificateMode::SniOnly);
  c.pem = st.text(4);
  c.owned_by = scope.account;
  c.created = st.integer(5);
  c.modified = st.integer(6);
  c.customer_version = st.integer(7);
  c.generation_id = st.text(8);
  c.not_before = st.integer(9);
  c.not_after = st.integer(10);
  return c;
}

const char* const kCaColumns =
    "id, status, auto_registration, mode, pem, created, modified, customer_version, generation_id, not_before, "
    "not_after, template_body, role_arn, template_name, seq";

CaInfo read_ca(const Scope& scope, Statement& st) {
  CaInfo c;
  c.id = st.text(0);
  c.arn = ca_arn(scope, c.id);
  c.status = parse_ca_status(st.text(1)).value_or(CaStatus::Inactive);
  c.auto_registration = st.integer(2) != 0;
  c.mode = parse_certificate_mode(st.text(3)).value_or(CertificateMode::Default);
  c.pem = st.text(4);
  c.owned_by = scope.account;
  c.created = st.integer(5);
  c.modified = st.integer(6);
  c.customer_version = st.integer(7);
  c.generation_id = st.text(8);
  c.not_before = st.integer(9);
  c.not_after = st.integer(10);
  c.registration_config = {st.text(11), st.text(12), st.text(13)};
  return c;
}

const char* const kThingColumns = "name, id, type_name, attributes, version";

ThingInfo read_thing(const Scope& scope, Statement& st) {
  ThingInfo t;
  t.name = st.text(0);
  t.arn = thing_arn(scope, t.name);
  t.id = st.text(1);
  t.type_name = st.text(2);
  auto attrs = nlohmann::json::parse(st.text(3), nullptr, false);
  if (attrs.is_object())
    for (auto& [k, v] : attrs.items())
      if (v.is_string()) t.attributes[k] = v.get<std::string>();
  t.version = st.integer(4);
  return t;
}

std::string random_hex(std::size_t bytes) { return to_hex(crypto::random_bytes(bytes)); }

}  // namespace detail

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS accounts(
  account TEXT NOT NULL, region TEXT NOT NULL, endpoint_prefix TEXT NOT NULL UNIQUE,
  registration_code TEXT NOT NULL, PRIMARY KEY(account, region));
CREATE TABLE IF NOT EXISTS certificates(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL,
  ca_id TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, mode TEXT NOT NULL, pem TEXT NOT NULL,
  created INTEGER NOT NULL, modified INTEGER NOT NULL, customer_version INTEGER NOT NULL,
  generation_id TEXT NOT NULL, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,
  UNIQUE(account, region, id));
CREATE INDEX IF NOT EXISTS certificates_by_id ON certificates(id, region);
CREATE INDEX IF NOT EXISTS certificates_by_ca ON certificates(account, region, ca_id);
CREATE TABLE IF NOT EXISTS cas(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL,
  status TEXT NOT NULL, auto_registration INTEGER NOT NULL, mode TEXT NOT NULL, pem TEXT NOT NULL,
  subject TEXT NOT NULL, created INTEGER NOT NULL, modified INTEGER NOT NULL,
  customer_version INTEGER NOT NULL, generation_id TEXT NOT NULL, not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL, template_body TEXT NOT NULL DEFAULT '', role_arn TEXT NOT NULL DEFAULT '',
  template_name TEXT NOT NULL DEFAULT '', UNIQUE(account, region, id));
CREATE INDEX IF NOT EXISTS cas_by_subject ON cas(region, subject);
CREATE TABLE IF NOT EXISTS policies(
  account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, default_version INTEGER NOT NULL,
  next_version INTEGER NOT NULL, created INTEGER NOT NULL, modified INTEGER NOT NULL,
  generation_id TEXT NOT NULL, PRIMARY KEY(account, region, name));
CREATE TABLE IF NOT EXISTS policy_versions(
  account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,
  document TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY(account, region, name, version));
CREATE TABLE IF NOT EXISTS policy_targets(
  account TEXT NOT NULL, region TEXT NOT NULL, policy TEXT NOT NULL, target TEXT NOT NULL,
  certificate_id TEXT NOT NULL, PRIMARY KEY(account, region, policy, target));
CREATE INDEX IF NOT EXISTS policy_targets_by_certificate ON policy_targets(account, region, certificate_id);
CREATE TABLE IF NOT EXISTS things(
  account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, id TEXT NOT NULL,
  type_name TEXT NOT NULL DEFAULT '', attributes TEXT NOT NULL, version INTEGER NOT NULL,
  created INTEGER NOT NULL, PRIMARY KEY(account, region, name));
CREATE TABLE IF NOT EXISTS thing_principals(
  account TEXT NOT NULL, region TEXT NOT NULL, thing TEXT NOT NULL, principal TEXT NOT NULL,
  certificate_id TEXT NOT NULL, PRIMARY KEY(account, region, thing, principal));
-- A principal is a certificate ARN, one-to-one with certificate_id in a scope: lookups by
-- principal use the certificate_id index, and one index fewer is written per registration.
DROP INDEX IF EXISTS thing_principals_by_principal;
CREATE INDEX IF NOT EXISTS thing_principals_by_certificate ON thing_principals(account, region, certificate_id);
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL, topic TEXT NOT NULL,
  payload TEXT NOT NULL, created INTEGER NOT NULL);
)sql";

// 14 lowercase alphanumerics, like AWS's endpoint prefixes.
std::string random_prefix() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  auto raw = crypto::random_bytes(14);
  std::string out;
  for (auto b : raw) out.push_back(kAlphabet[b % 36]);
  return out;
}

}  // namespace

Store::Store(const std::filesystem::path& db_path, std::shared_ptr<const CloudCa> ca, StoreOptions options)
    : options_(std::move(options)), ca_(std::move(ca)) {
  if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path());
  db_ = std::make_unique<Database>(db_path.string());
  if (options_.sync_full) db_->exec("PRAGMA synchronous=FULL");
  create_schema();
  group_ = std::make_unique<GroupCommit>(*db_, mutex_);
  auto& st = db_->prepare("SELECT endpoint_prefix, account, region FROM accounts");
  while (st.step()) endpoints_[st.text(0)] = Scope{st.text(1), st.text(2)};
  st.reset();
}

Store::~Store() = default;

std::int64_t Store::count_in_scope(const char* table, const char* column, const Scope& scope,
                                   std::string_view value) const {
  auto& st = db_->prepare(std::string("SELECT COUNT(*) FROM ") + table + " WHERE account = ?1 AND region = ?2 AND " +
                          column + " = ?3");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, value);
  st.step();
  auto n = st.integer(0);
  st.reset();
  return n;
}

void Store::create_schema() { db_->exec(kSchema); }

std::int64_t Store::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Store::new_generation_id() const { return detail::random_hex(16); }

std::string Store::ensure_account(const Scope& scope) {
  auto& st = db_->prepare("SELECT endpoint_prefix FROM accounts WHERE account = ?1 AND region = ?2");
  st.bind(1, scope.account).bind(2, scope.region);
  if (st.step()) {
    auto prefix = st.text(0);
    st.reset();
    return prefix;
  }
  st.reset();
  for (;;) {  // a collision of 36^14 random prefixes is improbable, but must not fail the request
    auto prefix = random_prefix();
    auto& taken = db_->prepare("SELECT 1 FROM accounts WHERE endpoint_prefix = ?1");
    taken.bind(1, prefix);
    bool exists = taken.step();
    taken.reset();
    if (exists) continue;
    db_->prepare("INSERT INTO accounts(account, region, endpoint_prefix, registration_code) VALUES(?1, ?2, ?3, ?4)")
        .bind(1, scope.account)
        .bind(2, scope.region)
        .bind(3, prefix)
        .bind(4, detail::random_hex(32))
        .run();
    std::unique_lock lock(endpoints_mutex_);
    endpoints_[prefix] = scope;
    return prefix;
  }
}

std::string Store::endpoint_prefix(const Scope& scope) {
  std::lock_guard lock(mutex_);
  return ensure_account(scope);
}

std::string Store::registration_code(const Scope& scope) {
  std::lock_guard lock(mutex_);
  ensure_account(scope);
  auto& st = db_->prepare("SELECT registration_code FROM accounts WHERE account = ?1 AND region = ?2");
  st.bind(1, scope.account).bind(2, scope.region);
  std::string code = st.step() ? st.text(0) : std::string();
  st.reset();
  return code;
}

Outcome<std::string> Store::describe_endpoint(const Scope& scope, std::string_view endpoint_type) {
  auto address = endpoint_address("x", scope.region, options_.domain, endpoint_type);
  if (!address)
    return error(ErrorKind::InvalidRequest, "Endpoint type " + std::string(endpoint_type) + " is not valid");
  return *endpoint_address(endpoint_prefix(scope), scope.region, options_.domain, endpoint_type);
}

std::optional<Scope> Store::resolve_endpoint(std::string_view host) const {
  auto parsed = parse_endpoint_host(host, options_.domain);
  if (!parsed) return std::nullopt;
  std::shared_lock lock(endpoints_mutex_);
  auto it = endpoints_.find(parsed->prefix);
  if (it == endpoints_.end() || it->second.region != parsed->region) return std::nullopt;
  return it->second;
}

std::uint64_t Store::observe(RegistryObserver observer) {
  std::lock_guard lock(observers_mutex_);
  auto id = next_observer_++;
  observers_[id] = std::make_shared<const RegistryObserver>(std::move(observer));
  return id;
}

void Store::unobserve(std::uint64_t id) {
  std::lock_guard lock(observers_mutex_);
  observers_.erase(id);
}

void Store::notify(std::vector<Notification> notes) {
  if (notes.empty()) return;
  std::vector<std::shared_ptr<const RegistryObserver>> targets;
  {
    std::lock_guard lock(observers_mutex_);
    for (auto& [id, o] : observers_) targets.push_back(o);
  }
  for (auto& o : targets)
    for (auto& note : notes) note(*o);
}

}  // namespace trustlane::iot
