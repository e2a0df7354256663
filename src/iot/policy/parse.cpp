// Policy document parser: JSON → Document, with AWS IoT's validation rules. Every rejection
// names the offending element so it can be returned as a MalformedPolicyException message.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "iot/policy/condition_operators.hpp"
#include "iot/policy/policy.hpp"

namespace trustlane::iot::policy {
namespace {

using Json = nlohmann::json;

std::size_t count_non_whitespace_characters(std::string_view text) {
  std::size_t n = 0;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: same character
    ++n;
  }
  return n;
}

bool valid_action(std::string_view a) {
  if (a == "*") return true;
  std::size_t colon = a.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == a.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto c = static_cast<unsigned char>(a[i]);
    bool ok = std::isalnum(c) || c == '-' || c == '_' || c == '.' ||
              (i > colon && (c == '*' || c == '?'));
    if (i == colon) continue;
    if (!ok) return false;
  }
  return true;
}

bool valid_resource(std::string_view r) { return r == "*" || r.starts_with("arn:"); }

// Action/Resource: a string or a non-empty list of strings.
std::optional<std::string> read_string_list(const Json& value, const std::string& where,
                                            std::vector<std::string>& out) {
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    if (value.empty()) return where + " must not be an empty list";
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string()) return where + "[" + std::to_string(i) + "] must be a string";
      out.push_back(value[i].get<std::string>());
    }
  } else {
    return where + " must be a string or a list of strings";
  }
  for (const auto& s : out)
    if (s.empty()) return where + " must not contain an empty string";
  return std::nullopt;
}

std::optional<std::string> scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) return v.dump();
  return std::nullopt;
}

std::optional<std::string> parse_conditions(const Json& block, const std::string& where, bool variables,
                                            std::vector<Condition>& out) {
  if (!block.is_object()) return where + " must be an object";
  for (const auto& [op_text, entries] : block.items()) {
    std::string at = where + "." + op_text;
    auto parsed = parse_condition_operator(op_text);
    if (!parsed.ok()) return where + ": " + parsed.error();
    if (!entries.is_object() || entries.empty()) return at + " must be a non-empty object of key: values";
    for (const auto& [key, values] : entries.items()) {
      Condition c;
      c.operator_text = op_text;
      c.op = parsed->op;
      c.qualifier = parsed->qualifier;
      c.if_exists = parsed->if_exists;
      c.key = key;
      if (key.empty()) return at + " has an empty condition key";
      std::vector<Json> list;
      if (values.is_array()) {
        if (values.empty()) return at + "." + key + " must not be an empty list";
        list.assign(values.begin(), values.end());
      } else {
        list.push_back(values);
      }
      for (const Json& v : list) {
        auto text = scalar_text(v);
        if (!text) return at + "." + key + " values must be strings, numbers or booleans";
        if (auto problem = validate_condition_value(c.op, *text)) return at + "." + key + ": " + *problem;
        c.values.push_back({*text, compile_pattern(*text, variables)});
      }
      out.push_back(std::move(c));
    }
  }
  return std::nullopt;
}

std::optional<std::string> parse_statement(const Json& s, const std::string& where, bool variables,
                                           Statement& out) {
  if (!s.is_object()) return where + " must be an object";
  static constexpr std::array<std::string_view, 8> known = {
      "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal"};
  for (const auto& [key, value] : s.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end())
      return where + " has an unknown element \"" + key + "\"";
    if (key == "Principal") return where + ".Principal is not allowed in AWS IoT policies";
  }
  if (s.contains("Sid")) {
    if (!s["Sid"].is_string()) return where + ".Sid must be a string";
    out.sid = s["Sid"].get<std::string>();
  }
  if (!s.contains("Effect")) return where + ".Effect is required";
  if (s["Effect"] == "Allow") {
    out.effect = Effect::allow;
  } else if (s["Effect"] == "Deny") {
    out.effect = Effect::deny;
  } else {
    return where + ".Effect must be Allow or Deny";
  }

  bool has_action = s.contains("Action"), has_not_action = s.contains("NotAction");
  if (has_action == has_not_action) return where + " must have exactly one of Action or NotAction";
  out.not_action = has_not_action;
  std::string action_key = has_action ? "Action" : "NotAction";
  std::vector<std::string> actions;
  if (auto e = read_string_list(s[action_key], where + "." + action_key, actions)) return e;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (!valid_action(actions[i]))
      return where + "." + action_key + " contains an invalid action \"" + actions[i] + "\"";
    out.actions.push_back({actions[i], compile_pattern(actions[i], false)});
  }

  bool has_resource = s.contains("Resource"), has_not_resource = s.contains("NotResource");
  if (has_resource == has_not_resource) return where + " must have exactly one of Resource or NotResource";
  out.not_resource = has_not_resource;
  std::string resource_key = has_resource ? "Resource" : "NotResource";
  std::vector<std::string> resources;
  if (auto e = read_string_list(s[resource_key], where + "." + resource_key, resources)) return e;
  for (const auto& r : resources) {
    if (!valid_resource(r))
      return where + "." + resource_key + " contains an invalid resource \"" + r + "\" (expected an ARN or *)";
    out.resources.push_back({r, compile_pattern(r, variables)});
  }

  if (s.contains("Condition")) {
    if (auto e = parse_conditions(s["Condition"], where + ".Condition", variables, out.conditions)) return e;
  }
  return std::nullopt;
}

}  // namespace

Result<Document, std::string> parse(std::string_view json) {
  std::size_t size = count_non_whitespace_characters(json);
  if (size > kMaxPolicyCharacters)
    return fail("Policy document is " + std::to_string(size) + " characters (excluding whitespace); the limit is " +
                std::to_string(kMaxPolicyCharacters));
  Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return fail(std::string("Policy document is not valid JSON"));
  if (!root.is_object()) return fail(std::string("Policy document must be a JSON object"));
  for (const auto& [key, value] : root.items()) {
    if (key != "Version" && key != "Statement" && key != "Id")
      return fail("Policy document has an unknown element \"" + key + "\"");
  }
  Document doc;
  if (!root.contains("Version")) return fail(std::string("Version is required"));
  if (!root["Version"].is_string() ||
      (root["Version"] != "2012-10-17" && root["Version"] != "2008-10-17"))
    return fail(std::string("Version must be \"2012-10-17\" or \"2008-10-17\""));
  doc.version = root["Version"].get<std::string>();
  // Policy variables exist only from version 2012-10-17; before, ${…} is literal text.
  bool variables = doc.version == "2012-10-17";

  if (!root.contains("Statement")) return fail(std::string("Statement is required"));
  const Json& statements = root["Statement"];
  if (statements.is_object()) {
    Statement s;
    if (auto e = parse_statement(statements, "Statement", variables, s)) return fail(*e);
    doc.statements.push_back(std::move(s));
  } else if (statements.is_array()) {
    if (statements.empty()) return fail(std::string("Statement must not be an empty list"));
    for (std::size_t i = 0; i < statements.size(); ++i) {
      Statement s;
      if (auto e = parse_statement(statements[i], "Statement[" + std::to_string(i) + "]", variables, s))
        return fail(*e);
      doc.statements.push_back(std::move(s));
    }
  } else {
    return fail(std::string("Statement must be an object or a list of objects"));
  }
  return doc;
}

}  // namespace trustlane::iot::policy
