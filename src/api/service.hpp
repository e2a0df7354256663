// The AWS IoT control plane as a pure function of an HTTP request (sans-I/O): authenticate
// (SigV4) → route → validate → registry → AWS-shaped response. The server only moves bytes.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "api/auth.hpp"
#include "api/credentials.hpp"
#include "api/http_message.hpp"
#include "iot/store.hpp"

namespace trustlane::api {

inline constexpr std::size_t kMaxBodyBytes = 1 << 20;  // larger bodies: 413
// The bulk route's cap: a batch of kMaxBulkItems certificates, ~1.1 KB of JSON each.
inline constexpr std::size_t kMaxBulkBodyBytes = 8 << 20;

// The body cap for a request target (known once the header is read), and the 413 message.
std::size_t max_body_bytes(std::string_view target);
std::string body_too_large(std::size_t cap);

struct ServiceOptions {
  AuthOptions auth;
  std::function<long long()> clock;  // epoch seconds for SigV4 skew checks; default: system clock
  // trustlane's own route GET /trustlane/stats (outside AWS IoT's paths; authenticated like every
  // other route): the broker's stats as JSON. Unset: 404.
  std::function<std::string()> broker_stats;
};

inline constexpr std::string_view kStatsPath = "/trustlane/stats";

class Service {
 public:
  Service(iot::Store& store, Credentials credentials, ServiceOptions options = {});
  HttpResponse handle(const HttpRequest& request);

 private:
  std::string next_request_id();
  HttpResponse stats_response(const HttpRequest& request, const std::string& request_id);

  iot::Store& store_;
  Credentials credentials_;
  ServiceOptions options_;
  std::string id_prefix_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace trustlane::api
