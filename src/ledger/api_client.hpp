// The importer's view of the control plane: one signed rest-json request at a time over one
// connection. HttpApiClient (http_client.cpp) is the real one; tests may plug in others.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace trustlane::ledger {

struct ApiRequest {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string path;    // already percent-encoded, as it goes on the wire
  std::string query;   // without '?', already encoded
  std::string body;    // JSON or empty
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (e.g. x-amzn-principal)
};

struct ApiResponse {
  int status = 0;
  std::string error_type;  // x-amzn-ErrorType without the ":…" suffix, empty on success
  std::string body;
};

class ApiClient {
 public:
  virtual ~ApiClient() = default;
  // Throws std::runtime_error when the request could not be carried (connection refused, reset…).
  virtual ApiResponse send(const ApiRequest& request) = 0;
};

using ApiClientFactory = std::function<std::unique_ptr<ApiClient>()>;

// Where and as whom: like the AWS CLI (access key = account id unless a secret says otherwise).
struct ApiEndpoint {
  std::string host = "127.0.0.1";
  std::string port = "443";
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  std::string session_token;
};

// Parses "http://host:port" (no TLS; https is refused with a clear error). Throws std::runtime_error.
void apply_endpoint_url(ApiEndpoint& endpoint, const std::string& url);

// A keep-alive HTTP/1.1 client that signs every request with SigV4 (service "iot").
std::unique_ptr<ApiClient> make_http_client(const ApiEndpoint& endpoint);

// "arn:aws:iot:…" → "arn%3Aaws%3Aiot%3A…": a URI label with no safe characters, as botocore sends.
std::string uri_label(std::string_view text);

}  // namespace trustlane::ledger
