// Access keys known to the cloud, loaded from a JSON credentials file:
//   {"credentials": [{"accessKeyId": "AKIA…", "secretAccessKey": "…", "accountId": "123456789012"}]}
// accountId may be omitted when the access key id is itself a 12-digit account id.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace trustlane::api {

struct Credential {
  std::string secret;
  std::string account;
};

class Credentials {
 public:
  static Result<Credentials, std::string> parse(std::string_view json);
  static Result<Credentials, std::string> load(const std::filesystem::path& path);

  void add(std::string access_key, Credential c) { keys_[std::move(access_key)] = std::move(c); }
  const Credential* find(std::string_view access_key) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, Credential, std::less<>> keys_;
};

bool is_account_id(std::string_view s);  // exactly 12 decimal digits

}  // namespace trustlane::api
