// Thing operations, thing principals, and DescribeEndpoint.
#include "api/operations.hpp"

namespace trustlane::api {

namespace {

nlohmann::json attributes_json(const iot::Attributes& a) {
  nlohmann::json out = nlohmann::json::object();
  for (auto& [k, v] : a) out[k] = v;
  return out;
}

Reply empty_or_error(const iot::Outcome<iot::Done>& r) {
  if (!r) return registry_error(r);
  return nlohmann::json::object();
}

Reply names_page(const iot::Outcome<iot::Page<std::string>>& r, const char* member) {
  if (!r) return registry_error(r);
  nlohmann::json out{{member, r->items}};
  if (!r->next.empty()) out["nextToken"] = r->next;
  return out;
}

}  // namespace

Reply describe_endpoint(Call& c) {
  auto type = c.in.query("endpointType", {0, 128});
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.describe_endpoint(c.scope, type.value_or(""));
  if (!r) return registry_error(r);
  return nlohmann::json{{"endpointAddress", *r}};
}

Reply create_thing(Call& c) {
  auto name = c.in.label("thingName", kThingName);
  auto type = c.in.body_string("thingTypeName", kThingName).value_or("");
  c.in.body_string("billingGroupName", kThingName);  // validated, not modelled further
  iot::Attributes attributes;
  if (const auto* payload = c.in.body_object("attributePayload")) attributes = c.in.attributes(*payload).value_or(iot::Attributes{});
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.create_thing(c.scope, name, type, attributes);
  if (!r) return registry_error(r);
  return nlohmann::json{{"thingName", r->name}, {"thingArn", r->arn}, {"thingId", r->id}};
}

Reply describe_thing(Call& c) {
  auto name = c.in.label("thingName", kThingName);
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.describe_thing(c.scope, name);
  if (!r) return registry_error(r);
  nlohmann::json out{{"defaultClientId", r->name}, {"thingName", r->name},
                     {"thingId", r->id},           {"thingArn", r->arn},
                     {"attributes", attributes_json(r->attributes)}, {"version", r->version}};
  if (!r->type_name.empty()) out["thingTypeName"] = r->type_name;
  return out;
}

Reply list_things(Call& c) {
  auto page = page_request(c.in, "nextToken", "maxResults", 50);
  iot::ThingFilter filter;
  filter.attribute_name = c.in.query("attributeName", {1, 128, Charset::AttributeName}).value_or("");
  filter.attribute_value = c.in.query("attributeValue", {0, 800, Charset::AttributeValue}).value_or("");
  filter.attribute_value_prefix = c.in.query_bool("usePrefixAttributeValue").value_or(false);
  filter.type_name = c.in.query("thingTypeName", kThingName).value_or("");
  if (!c.in.ok()) return rejected(c.in);
  auto r = c.store.list_things(c.scope, filter, page);
  if (!r) return registry_error(r);
  nlohmann::json out{{"things", nlohmann::json::array()}};
  for (const auto& t : r->items) {
    nlohmann::json item{{"thingName", t.name}, {"thingArn", t.arn}, {"attributes", attributes_json(t.attributes)},
                        {"version", t.version}};
    if (!t.type_name.empty()) item["thingTypeName"] = t.type_name;
    out["things"].push_back(std::move(item));
  }
  if (!r->next.empty()) out["nextToken"] = r->next;
  return out;
}

Reply update_thing(Call& c) {
  auto name = c.in.label("thingName", kThingName);
  iot::UpdateThingRequest r;
  r.type_name = c.in.body_string("thingTypeName", kThingName);
  r.expected_version = c.in.body_int("expectedVersion");
  r.remove_type = c.in.body_bool("removeThingType").value_or(false);
  if (const auto* payload = c.in.body_object("attributePayload")) {
    r.attributes = c.in.attributes(*payload);
    auto merge = payload->find("merge");
    if (merge != payload->end() && !merge->is_null()) {
      if (merge->is_boolean())
        r.merge = merge->get<bool>();
      else
        c.in.reject(invalid_request("1 validation error detected: attributePayload.merge must be a boolean"));
    }
  }
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.update_thing(c.scope, name, r));
}

Reply delete_thing(Call& c) {
  auto name = c.in.label("thingName", kThingName);
  auto expected = c.in.query_int("expectedVersion", INT64_MIN, INT64_MAX);
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.delete_thing(c.scope, name, expected));
}

Reply attach_thing_principal(Call& c) {
  auto name = c.in.label("thingName", kThingName);
  auto principal = c.in.required(c.in.header("x-amzn-principal", {1, 2048}), "principal");
  if (auto type = c.in.query("thingPrincipalType"); type && *type != "EXCLUSIVE_THING" && *type != "NON_EXCLUSIVE_THING")
    c.in.reject(invalid_request("1 validation error detected: Value '" + type->substr(0, 64) +
                                "' at 'thingPrincipalType' failed to satisfy constraint: Member must satisfy enum value "
                                "set: [EXCLUSIVE_THING, NON_EXCLUSIVE_THING]"));
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.attach_thing_principal(c.scope, name, principal));
}

Reply detach_thing_principal(Call& c) {
  auto name = c.in.label("thingName", kThingName);
  auto principal = c.in.required(c.in.header("x-amzn-principal", {1, 2048}), "principal");
  if (!c.in.ok()) return rejected(c.in);
  return empty_or_error(c.store.detach_thing_principal(c.scope, name, principal));
}

Reply list_thing_principals(Call& c) {
  auto name = c.in.label("thingName", kThingName);
  auto page = page_request(c.in, "nextToken", "maxResults", 25);
  if (!c.in.ok()) return rejected(c.in);
  return names_page(c.store.list_thing_principals(c.scope, name, page), "principals");
}

Reply list_principal_things(Call& c) {
  auto principal = c.in.required(c.in.header("x-amzn-principal", {1, 2048}), "principal");
  auto page = page_request(c.in, "nextToken", "maxResults", 25);
  if (!c.in.ok()) return rejected(c.in);
  return names_page(c.store.list_principal_things(c.scope, principal, page), "things");
}

}  // namespace trustlane::api
