#include "api/service.hpp"

#include <chrono>

#include "api/operations.hpp"
#include "api/router.hpp"
#include "api/uri.hpp"
#include "crypto/digest.hpp"
#include "util/log.hpp"

namespace trustlane::api {

const std::string* HttpRequest::header(std::string_view lowercase_name) const {
  for (const auto& [n, v] : headers)
    if (n == lowercase_name) return &v;
  return nullptr;
}

Service::Service(iot::Store& store, Credentials credentials, ServiceOptions options)
    : store_(store), credentials_(std::move(credentials)), options_(std::move(options)) {
  auto h = to_hex(crypto::random_bytes(8));
  id_prefix_ = h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-";
}

std::string Service::next_request_id() {
  char tail[32];
  std::snprintf(tail, sizeof tail, "%016llx", static_cast<unsigned long long>(counter_.fetch_add(1)));
  return id_prefix_ + std::string(tail, 4) + "-" + std::string(tail + 4, 12);
}

HttpResponse Service::stats_response(const HttpRequest& request, const std::string& request_id) {
  if (request.method != "GET")
    return error_response({405, "MethodNotAllowedException", "Only GET is allowed on " + std::string(kStatsPath), {}},
                           request_id);
  if (!options_.broker_stats)
    return error_response({404, "ResourceNotFoundException", "This server runs no MQTT broker", {}}, request_id);
  HttpResponse r;
  r.body = options_.broker_stats();
  r.headers = {{"content-type", "application/json"}, {"x-amzn-requestid", request_id}};
  return r;
}

std::size_t max_body_bytes(std::string_view target) {
  return split_target(target).path == kBulkRegisterPath ? kMaxBulkBodyBytes : kMaxBodyBytes;
}

std::string body_too_large(std::size_t cap) {
  return "The request body is larger than " + std::to_string(cap >> 20) + " MiB";
}

HttpResponse Service::handle(const HttpRequest& request) {
  auto request_id = next_request_id();
  if (auto cap = max_body_bytes(request.target); request.body.size() > cap)
    return error_response({413, "InvalidRequestException", body_too_large(cap), {}}, request_id);
  long long now = options_.clock ? options_.clock()
                                 : std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  auto scope = authenticate(request, credentials_, options_.auth, now);
  if (!scope) return error_response(scope.error(), request_id);

  if (split_target(request.target).path == kStatsPath) return stats_response(request, request_id);

  auto routed = route(request.method, split_target(request.target).path);
  if (!routed.route) {
    if (routed.error == RouteError::BadEncoding)
      return error_response(invalid_request("The request path has malformed percent-encoding"), request_id);
    return error_response({404, "UnknownOperationException",
                           "No operation matches " + request.method + " " +
                               std::string(split_target(request.target).path.substr(0, 256)),
                           {}},
                          request_id);
  }
  Reply reply = fail(ApiError{500, "InternalFailureException", "not handled", {}});
  try {
    Input in(request, routed.route->labels);
    Call call{store_, *scope, in};
    reply = dispatch(routed.route->operation, call);
  } catch (const std::exception& e) {
    // Storage or crypto failures are ours, not the caller's: log, answer 500, keep serving.
    spdlog::error("{} failed: {}", operation_name(routed.route->operation), e.what());
    return error_response({500, "InternalFailureException", "Internal failure", {}}, request_id);
  }
  if (!reply) {
    spdlog::debug("{} {} → {} {}", operation_name(routed.route->operation), scope->account, reply.error().type,
                  reply.error().message);
    return error_response(reply.error(), request_id);
  }
  HttpResponse r;
  r.body = reply->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers = {{"content-type", "application/json"}, {"x-amzn-requestid", request_id}};
  return r;
}

}  // namespace trustlane::api
