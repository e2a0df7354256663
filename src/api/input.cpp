#include "api/input.hpp"

#include <charconv>

#include "api/uri.hpp"

namespace trustlane::api {

namespace {

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool in_charset(char c, Charset cs) {
  switch (cs) {
    case Charset::Any: return true;
    case Charset::PolicyName: return alnum(c) || c == '_' || std::string_view("+=,.@-").find(c) != std::string_view::npos;
    case Charset::ThingName: return alnum(c) || c == ':' || c == '_' || c == '-';
    case Charset::Hex: return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    case Charset::Digits: return c >= '0' && c <= '9';
    case Charset::AttributeName: return alnum(c) || std::string_view("_.,@/:#-").find(c) != std::string_view::npos;
    case Charset::AttributeValue: return alnum(c) || std::string_view("_.,@/:#=[]-").find(c) != std::string_view::npos;
  }
  return false;
}

ApiError validation(const std::string& what) { return invalid_request("1 validation error detected: " + what); }

}  // namespace

Input::Input(const HttpRequest& request, const std::map<std::string, std::string>& labels)
    : request_(request), labels_(labels) {
  auto parsed = parse_query(split_target(request.target).query);
  if (!parsed) {
    reject(invalid_request("The query string has malformed percent-encoding"));
  } else {
    query_ = std::move(*parsed);
  }
  if (!request.body.empty()) {
    body_ = nlohmann::json::parse(request.body, nullptr, false);
    if (body_.is_discarded() || !body_.is_object()) {
      body_ = nlohmann::json::object();
      reject(invalid_request("The request body is not a valid JSON object"));
    }
  } else {
    body_ = nlohmann::json::object();
  }
}

void Input::reject(ApiError e) {
  if (!error_) error_ = std::move(e);
}

void Input::missing(const std::string& name) {
  reject(validation("Value null at '" + name + "' failed to satisfy constraint: Member must not be null"));
}

bool Input::check(std::string_view value, const std::string& name, const Constraint& c) {
  if (value.size() < c.min || value.size() > c.max) {
    reject(validation("Value at '" + name + "' failed to satisfy constraint: Member must have length between " +
                      std::to_string(c.min) + " and " + std::to_string(c.max)));
    return false;
  }
  std::string_view body = value;
  if (c.charset == Charset::Hex && body.substr(0, 2) == "0x") body.remove_prefix(2);
  for (char ch : body) {
    if (!in_charset(ch, c.charset)) {
      reject(validation("Value '" + std::string(value.substr(0, 256)) + "' at '" + name +
                        "' failed to satisfy constraint: Member must satisfy the regular expression pattern"));
      return false;
    }
  }
  return true;
}

std::string Input::label(const std::string& name, Constraint c) {
  auto it = labels_.find(name);
  if (it == labels_.end()) {
    missing(name);
    return {};
  }
  if (c.min == 0) c.min = 1;
  check(it->second, name, c);
  return ok() ? it->second : std::string();
}

std::optional<std::string> Input::query(const std::string& name, Constraint c) {
  for (auto& [k, v] : query_)
    if (k == name) {
      if (!check(v, name, c)) return std::nullopt;
      return v;
    }
  return std::nullopt;
}

std::optional<bool> Input::query_bool(const std::string& name) {
  auto v = query(name);
  if (!v) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  reject(validation("Value '" + v->substr(0, 64) + "' at '" + name + "' is not a boolean (true or false)"));
  return std::nullopt;
}

std::optional<std::int64_t> Input::query_int(const std::string& name, std::int64_t min, std::int64_t max) {
  auto v = query(name);
  if (!v) return std::nullopt;
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) {
    reject(validation("Value '" + v->substr(0, 64) + "' at '" + name + "' is not an integer"));
    return std::nullopt;
  }
  if (out < min || out > max) {
    reject(validation("Value '" + *v + "' at '" + name + "' failed to satisfy constraint: Member must have value between " +
                      std::to_string(min) + " and " + std::to_string(max)));
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> Input::header(const std::string& name, Constraint c) {
  const auto* v = request_.header(name);
  if (!v) return std::nullopt;
  if (!check(*v, name, c)) return std::nullopt;
  return *v;
}

const nlohmann::json* Input::body_member(const std::string& name) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> Input::body_string(const std::string& name, Constraint c) {
  const auto* v = body_member(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    reject(validation("Value at '" + name + "' must be a string"));
    return std::nullopt;
  }
  auto s = v->get<std::string>();
  if (!check(s, name, c)) return std::nullopt;
  return s;
}

std::optional<bool> Input::body_bool(const std::string& name) {
  const auto* v = body_member(name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    reject(validation("Value at '" + name + "' must be a boolean"));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::int64_t> Input::body_int(const std::string& name) {
  const auto* v = body_member(name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    reject(validation("Value at '" + name + "' must be an integer"));
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

const nlohmann::json* Input::body_object(const std::string& name) {
  const auto* v = body_member(name);
  if (!v) return nullptr;
  if (!v->is_object()) {
    reject(validation("Value at '" + name + "' must be an object"));
    return nullptr;
  }
  return v;
}

const nlohmann::json* Input::body_array(const std::string& name) {
  const auto* v = body_member(name);
  if (!v) return nullptr;
  if (!v->is_array()) {
    reject(validation("Value at '" + name + "' must be a list"));
    return nullptr;
  }
  return v;
}

std::optional<std::map<std::string, std::string>> Input::attributes(const nlohmann::json& payload) {
  auto it = payload.find("attributes");
  if (it == payload.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) {
    reject(validation("Value at 'attributePayload.attributes' must be a map"));
    return std::nullopt;
  }
  if (it->size() > 50) {
    reject(invalid_request("A thing can have at most 50 attributes"));
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      reject(validation("Value at 'attributePayload.attributes." + k + "' must be a string"));
      return std::nullopt;
    }
    auto s = v.get<std::string>();
    if (!check(k, "attributePayload.attributes", {1, 128, Charset::AttributeName}) ||
        !check(s, "attributePayload.attributes." + k, {0, 800, Charset::AttributeValue}))
      return std::nullopt;
    out[k] = s;
  }
  return out;
}

}  // namespace trustlane::api
