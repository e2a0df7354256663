// Reading one request's members (URI labels, query, headers, JSON body) with the model's
// validations. The first failure is kept (a sticky error) and every later read returns an empty
// value, so a handler reads everything, checks ok() once, and never throws.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_error.hpp"
#include "api/http_message.hpp"

namespace trustlane::api {

enum class Charset {
  Any,
  PolicyName,     // [\w+=,.@-]+
  ThingName,      // [a-zA-Z0-9:_-]+
  Hex,            // (0x)?[a-fA-F0-9]+
  Digits,         // [0-9]+
  AttributeName,  // [a-zA-Z0-9_.,@/:#-]+
  AttributeValue, // [a-zA-Z0-9_.,@/:#=\[\]-]*
};

struct Constraint {
  std::size_t min = 0;
  std::size_t max = SIZE_MAX;
  Charset charset = Charset::Any;
};

class Input {
 public:
  Input(const HttpRequest& request, const std::map<std::string, std::string>& labels);

  bool ok() const { return !error_; }
  const ApiError& error() const { return *error_; }
  void reject(ApiError e);  // records e unless an error is already kept

  std::string label(const std::string& name, Constraint c = {});
  std::optional<std::string> query(const std::string& name, Constraint c = {});
  std::optional<bool> query_bool(const std::string& name);
  std::optional<std::int64_t> query_int(const std::string& name, std::int64_t min, std::int64_t max);
  std::optional<std::string> header(const std::string& name, Constraint c = {});
  std::optional<std::string> body_string(const std::string& name, Constraint c = {});
  std::optional<bool> body_bool(const std::string& name);
  std::optional<std::int64_t> body_int(const std::string& name);
  const nlohmann::json* body_object(const std::string& name);
  const nlohmann::json* body_array(const std::string& name);
  // Attributes map (AttributePayload.attributes): names/values checked against the model.
  std::optional<std::map<std::string, std::string>> attributes(const nlohmann::json& payload);

  // A missing required member: AWS's validation message.
  template <class T>
  T required(std::optional<T> value, const std::string& name) {
    if (!value) missing(name);
    return value ? std::move(*value) : T{};
  }

  bool check(std::string_view value, const std::string& name, const Constraint& c);

 private:
  void missing(const std::string& name);
  const nlohmann::json* body_member(const std::string& name);

  const HttpRequest& request_;
  const std::map<std::string, std::string>& labels_;
  std::vector<std::pair<std::string, std::string>> query_;
  nlohmann::json body_;
  std::optional<ApiError> error_;
};

}  // namespace trustlane::api
