#include "api/credentials.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace trustlane::api {

bool is_account_id(std::string_view s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<Credentials, std::string> Credentials::parse(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return fail(std::string("credentials file is not a JSON object"));
  auto list = doc.find("credentials");
  if (list == doc.end() || !list->is_array()) return fail(std::string("credentials file needs a \"credentials\" array"));
  Credentials out;
  for (const auto& entry : *list) {
    if (!entry.is_object()) return fail(std::string("each credential must be an object"));
    auto key = entry.value("accessKeyId", std::string());
    auto secret = entry.value("secretAccessKey", std::string());
    auto account = entry.value("accountId", is_account_id(key) ? key : std::string());
    if (key.empty() || secret.empty()) return fail(std::string("each credential needs accessKeyId and secretAccessKey"));
    if (!is_account_id(account))
      return fail("credential " + key + " needs a 12-digit accountId");
    out.add(key, {secret, account});
  }
  return out;
}

Result<Credentials, std::string> Credentials::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return fail("cannot read credentials file " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  auto parsed = parse(s.str());
  if (!parsed) return fail(path.string() + ": " + parsed.error());
  return parsed;
}

const Credential* Credentials::find(std::string_view access_key) const {
  auto it = keys_.find(access_key);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace trustlane::api
