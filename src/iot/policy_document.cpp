#include "iot/policy_document.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace trustlane::iot {

namespace {

std::size_t length_without_whitespace(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if (!std::isspace(c)) ++n;
  return n;
}

bool is_string_or_string_list(const nlohmann::json& v) {
  if (v.is_string()) return true;
  if (!v.is_array() || v.empty()) return false;
  for (const auto& e : v)
    if (!e.is_string()) return false;
  return true;
}

}  // namespace

std::optional<std::string> check_policy_document(std::string_view json) {
  if (length_without_whitespace(json) > 2048) return "Policy document is too long (max 2048 characters without whitespace)";
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return "Policy document is not valid JSON";
  auto version = doc.find("Version");
  if (version != doc.end() && (!version->is_string() || (*version != "2012-10-17" && *version != "2008-10-17")))
    return "Policy document has an invalid Version";
  auto statements = doc.find("Statement");
  if (statements == doc.end()) return "Policy document has no Statement";
  nlohmann::json list = statements->is_array() ? *statements : nlohmann::json::array({*statements});
  if (list.empty()) return "Policy document has an empty Statement";
  for (const auto& st : list) {
    if (!st.is_object()) return "Policy statement is not an object";
    auto effect = st.find("Effect");
    if (effect == st.end() || !effect->is_string() || (*effect != "Allow" && *effect != "Deny"))
      return "Policy statement needs an Effect of Allow or Deny";
    auto action = st.find("Action");
    if (action == st.end() || !is_string_or_string_list(*action)) return "Policy statement needs an Action";
    auto resource = st.find("Resource");
    if (resource == st.end() || !is_string_or_string_list(*resource)) return "Policy statement needs a Resource";
  }
  return std::nullopt;
}

}  // namespace trustlane::iot
