// Store: things and their principals.
#include <nlohmann/json.hpp>

#include "iot/arn.hpp"
#include "iot/store.hpp"
#include "iot/store_internal.hpp"

namespace trustlane::iot {

namespace {

std::string attributes_json(const Attributes& a) { return nlohmann::json(a).dump(); }

std::string new_thing_id() {
  auto h = detail::random_hex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

Failure<Error> no_thing(std::string_view name) {
  return error(ErrorKind::ResourceNotFound, "Thing " + std::string(name) + " cannot be found.");
}

}  // namespace

std::optional<ThingInfo> Store::load_thing(const Scope& scope, std::string_view name) const {
  auto& st = db_->prepare(std::string("SELECT ") + detail::kThingColumns +
                          " FROM things WHERE account = ?1 AND region = ?2 AND name = ?3");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, name);
  std::optional<ThingInfo> out;
  if (st.step()) out = detail::read_thing(scope, st);
  st.reset();
  return out;
}

Outcome<ThingInfo> Store::create_thing(const Scope& scope, std::string_view name, std::string_view type_name,
                                       const Attributes& attributes) {
  std::lock_guard lock(mutex_);
  if (auto existing = load_thing(scope, name)) {
    if (existing->type_name == type_name && existing->attributes == attributes) return *existing;
    Error e{ErrorKind::ResourceAlreadyExists,
            "Thing " + std::string(name) + " already exists in account with different attributes", std::string(name),
            existing->arn};
    return fail(std::move(e));
  }
  insert_thing_row(scope, name, type_name, attributes);
  return *load_thing(scope, name);
}

void Store::insert_thing_row(const Scope& scope, std::string_view name, std::string_view type_name,
                             const Attributes& attributes) {
  db_->prepare("INSERT INTO things(account, region, name, id, type_name, attributes, version, created) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, new_thing_id()).bind(5, type_name)
      .bind(6, attributes_json(attributes)).bind(7, now()).run();
}

void Store::insert_thing_if_absent(const Scope& scope, std::string_view name) {
  db_->prepare("INSERT INTO things(account, region, name, id, type_name, attributes, version, created) "
               "VALUES(?1, ?2, ?3, ?4, '', '{}', 1, ?5) ON CONFLICT(account, region, name) DO NOTHING")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, new_thing_id()).bind(5, now()).run();
}

void Store::insert_thing_principal(const Scope& scope, std::string_view thing, std::string_view principal,
                                   const std::string& certificate_id) {
  db_->prepare("INSERT OR IGNORE INTO thing_principals(account, region, thing, principal, certificate_id) "
               "VALUES(?1, ?2, ?3, ?4, ?5)")
      .bind(1, scope.account).bind(2, scope.region).bind(3, thing).bind(4, principal).bind(5, certificate_id).run();
}

Outcome<ThingInfo> Store::describe_thing(const Scope& scope, std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto t = load_thing(scope, name);
  if (!t) return no_thing(name);
  return *t;
}

Outcome<Page<ThingInfo>> Store::list_things(const Scope& scope, const ThingFilter& filter, const PageRequest& page) const {
  auto key = detail::marker_key(page);
  if (!key) return fail(key.error());
  // Attribute names match [a-zA-Z0-9_.,@/:#-]+ (checked by the API), so quoting them in a JSON
  // path is safe.
  std::string path = "$.\"" + filter.attribute_name + "\"";
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare(
      std::string("SELECT ") + detail::kThingColumns +
      " FROM things WHERE account = ?1 AND region = ?2 AND (?3 = '' OR name > ?3) AND (?4 = '' OR type_name = ?4) "
      "AND (?5 = '' OR (CASE WHEN ?7 THEN substr(json_extract(attributes, ?6), 1, length(?8)) = ?8 "
      "ELSE json_extract(attributes, ?6) = ?8 END)) ORDER BY name LIMIT ?9");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, *key).bind(4, filter.type_name)
      .bind(5, filter.attribute_name).bind(6, path).bind(7, std::int64_t{filter.attribute_value_prefix})
      .bind(8, filter.attribute_value).bind(9, std::int64_t{page.size} + 1);
  return detail::collect_page<ThingInfo>(st, page.size, [&](Statement& row) {
    auto t = detail::read_thing(scope, row);
    auto k = t.name;
    return std::pair{std::move(t), k};
  });
}

Outcome<Done> Store::update_thing(const Scope& scope, std::string_view name, const UpdateThingRequest& request) {
  std::lock_guard lock(mutex_);
  auto t = load_thing(scope, name);
  if (!t) return no_thing(name);
  if (request.expected_version && *request.expected_version != t->version)
    return error(ErrorKind::VersionConflict,
                 "The version for thing " + std::string(name) + " does not match the expected version.");
  if (request.remove_type && request.type_name)
    return error(ErrorKind::InvalidRequest, "Cannot set and remove the thing type at the same time");
  auto type = t->type_name;
  if (request.remove_type) type.clear();
  if (request.type_name) type = *request.type_name;
  auto attributes = t->attributes;
  if (request.attributes) {
    if (!request.merge) attributes.clear();
    for (auto& [k, v] : *request.attributes) {
      if (v.empty() && request.merge)
        attributes.erase(k);  // merging an empty value removes the attribute
      else
        attributes[k] = v;
    }
  }
  db_->prepare("UPDATE things SET type_name = ?4, attributes = ?5, version = version + 1 "
               "WHERE account = ?1 AND region = ?2 AND name = ?3")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).bind(4, type).bind(5, attributes_json(attributes)).run();
  return Done{};
}

Outcome<Done> Store::delete_thing(const Scope& scope, std::string_view name, std::optional<std::int64_t> expected_version) {
  std::lock_guard lock(mutex_);
  auto t = load_thing(scope, name);
  if (!t) return Done{};  // AWS: deleting a thing that does not exist succeeds
  if (expected_version && *expected_version != t->version)
    return error(ErrorKind::VersionConflict,
                 "The version for thing " + std::string(name) + " does not match the expected version.");
  auto principals = count_in_scope("thing_principals", "thing", scope, name);
  if (principals > 0)
    return error(ErrorKind::InvalidRequest, "Cannot delete thing " + std::string(name) + " which has principals attached");
  db_->prepare("DELETE FROM things WHERE account = ?1 AND region = ?2 AND name = ?3")
      .bind(1, scope.account).bind(2, scope.region).bind(3, name).run();
  return Done{};
}

Outcome<Done> Store::attach_thing_principal(const Scope& scope, std::string_view thing, std::string_view principal) {
  std::lock_guard lock(mutex_);
  if (!load_thing(scope, thing)) return no_thing(thing);
  auto cid = certificate_id_of_target(scope, principal);
  if (!cid) return fail(cid.error());
  insert_thing_principal(scope, thing, principal, *cid);
  return Done{};
}

Outcome<Done> Store::detach_thing_principal(const Scope& scope, std::string_view thing, std::string_view principal) {
  std::lock_guard lock(mutex_);
  if (!load_thing(scope, thing)) return no_thing(thing);
  db_->prepare("DELETE FROM thing_principals WHERE account = ?1 AND region = ?2 AND thing = ?3 AND principal = ?4")
      .bind(1, scope.account).bind(2, scope.region).bind(3, thing).bind(4, principal).run();
  return Done{};
}

Outcome<Page<std::string>> Store::list_thing_principals(const Scope& scope, std::string_view thing,
                                                        const PageRequest& page) const {
  auto key = detail::marker_key(page);
  if (!key) return fail(key.error());
  std::lock_guard lock(mutex_);
  if (!load_thing(scope, thing)) return no_thing(thing);
  auto& st = db_->prepare("SELECT principal FROM thing_principals WHERE account = ?1 AND region = ?2 AND thing = ?3 "
                          "AND (?4 = '' OR principal > ?4) ORDER BY principal LIMIT ?5");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, thing).bind(4, *key).bind(5, std::int64_t{page.size} + 1);
  return detail::collect_page<std::string>(st, page.size, [](Statement& row) {
    auto p = row.text(0);
    return std::pair{p, p};
  });
}

Outcome<Page<std::string>> Store::list_principal_things(const Scope& scope, std::string_view principal,
                                                        const PageRequest& page) const {
  auto key = detail::marker_key(page);
  if (!key) return fail(key.error());
  std::lock_guard lock(mutex_);
  auto cid = certificate_id_of_target(scope, principal);
  if (!cid) return fail(cid.error());
  auto& st = db_->prepare("SELECT thing FROM thing_principals WHERE account = ?1 AND region = ?2 AND certificate_id = ?3 "
                          "AND (?4 = '' OR thing > ?4) ORDER BY thing LIMIT ?5");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, *cid).bind(4, *key).bind(5, std::int64_t{page.size} + 1);
  return detail::collect_page<std::string>(st, page.size, [](Statement& row) {
    auto t = row.text(0);
    return std::pair{t, t};
  });
}

std::vector<ThingInfo> Store::things_for_certificate(const Scope& scope, std::string_view certificate_id) const {
  std::lock_guard lock(mutex_);
  auto& st = db_->prepare(
      "SELECT t.name, t.id, t.type_name, t.attributes, t.version FROM thing_principals p "
      "JOIN things t ON t.account = p.account AND t.region = p.region AND t.name = p.thing "
      "WHERE p.account = ?1 AND p.region = ?2 AND p.certificate_id = ?3 ORDER BY t.name");
  st.bind(1, scope.account).bind(2, scope.region).bind(3, certificate_id);
  std::vector<ThingInfo> out;
  while (st.step()) out.push_back(detail::read_thing(scope, st));
  st.reset();
  return out;
}

}  // namespace trustlane::iot
