// Who is calling: SigV4 Authorization → (account, region). Sans-I/O (the clock is an argument).
//   - access key in the credentials file: signature verified, account from the file;
//   - otherwise a 12-digit access key id is the account (LocalStack's convention), unsigned;
//   - otherwise (or no Authorization at all) the default account 000000000000.
// Strict mode accepts only keys of the credentials file with a valid signature.
#pragma once
#include <string>

#include "api/api_error.hpp"
#include "api/credentials.hpp"
#include "api/http_message.hpp"
#include "iot/types.hpp"

namespace trustlane::api {

inline constexpr std::string_view kDefaultAccount = "000000000000";
inline constexpr std::string_view kDefaultRegion = "us-east-1";

struct AuthOptions {
  bool strict = false;
  long long max_clock_skew = 15 * 60;  // seconds, as AWS
};

Result<iot::Scope, ApiError> authenticate(const HttpRequest& request, const Credentials& credentials,
                                          const AuthOptions& options, long long now);

}  // namespace trustlane::api
