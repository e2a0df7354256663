#include "api/auth.hpp"

#include "api/sigv4.hpp"
#include "api/uri.hpp"
#include "crypto/digest.hpp"
#include "iot/endpoint.hpp"

namespace trustlane::api {

namespace {

ApiError forbidden(const char* type, std::string message) { return {403, type, std::move(message), nlohmann::json::object()}; }

ApiError bad_signature() {
  return forbidden("InvalidSignatureException",
                   "The request signature we calculated does not match the signature you provided. Check your AWS "
                   "Secret Access Key and signing method. Consult the service documentation for details.");
}

}  // namespace

Result<iot::Scope, ApiError> authenticate(const HttpRequest& request, const Credentials& credentials,
                                          const AuthOptions& options, long long now) {
  const std::string* header = request.header("authorization");
  if (!header) {
    if (options.strict) return fail(forbidden("MissingAuthenticationTokenException", "Missing Authentication Token"));
    return iot::Scope{std::string(kDefaultAccount), std::string(kDefaultRegion)};
  }
  auto auth = sigv4::parse_authorization(*header);
  if (!auth)
    return fail(forbidden("IncompleteSignatureException",
                          "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters "
                          "with the AWS4-HMAC-SHA256 algorithm"));
  if (!iot::is_valid_region(auth->region))
    return fail(forbidden("InvalidSignatureException", "Credential should be scoped to a valid region"));
  if (auth->service != "iot" && auth->service != "execute-api")
    return fail(forbidden("InvalidSignatureException", "Credential should be scoped to correct service: 'iot'."));

  const Credential* known = credentials.find(auth->access_key);
  if (!known) {
    if (options.strict)
      return fail(forbidden("UnrecognizedClientException", "The security token included in the request is invalid."));
    std::string account = is_account_id(auth->access_key) ? auth->access_key : std::string(kDefaultAccount);
    return iot::Scope{account, auth->region};
  }

  const std::string* amz_date = request.header("x-amz-date");
  auto when = amz_date ? sigv4::parse_amz_date(*amz_date) : std::nullopt;
  if (!when || amz_date->substr(0, 8) != auth->date)
    return fail(forbidden("IncompleteSignatureException", "The request must carry a valid X-Amz-Date header"));
  if (*when < now - options.max_clock_skew || *when > now + options.max_clock_skew)
    return fail(forbidden("InvalidSignatureException", "Signature expired: " + *amz_date +
                                                           " is outside the allowed clock skew of the server"));
  bool host_signed = false;
  for (const auto& h : auth->signed_headers) host_signed |= h == "host";
  if (!host_signed) return fail(bad_signature());

  std::string payload_hash;
  if (const auto* declared = request.header("x-amz-content-sha256"))
    payload_hash = *declared;  // may be UNSIGNED-PAYLOAD, which is then what was signed
  else
    payload_hash = to_hex(crypto::sha256(as_bytes(request.body)));
  auto [path, query] = split_target(request.target);
  sigv4::Request signed_request{request.method, path, query, &request.headers, payload_hash};
  if (!sigv4::verify(signed_request, *auth, *amz_date, known->secret)) return fail(bad_signature());
  if (const auto* declared = request.header("x-amz-content-sha256");
      declared && *declared != "UNSIGNED-PAYLOAD" && *declared != to_hex(crypto::sha256(as_bytes(request.body))))
    return fail(bad_signature());  // the body is not the one that was signed
  return iot::Scope{known->account, auth->region};
}

}  // namespace trustlane::api
