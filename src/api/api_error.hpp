// An AWS-shaped error answer: HTTP status, x-amzn-ErrorType, {"message": …} plus modeled members.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "api/http_message.hpp"
#include "iot/error.hpp"

namespace trustlane::api {

struct ApiError {
  int status = 400;
  std::string type;  // e.g. "InvalidRequestException"
  std::string message;
  nlohmann::json members = nlohmann::json::object();  // extra modeled members (resourceId, …)
};

inline ApiError invalid_request(std::string message) { return {400, "InvalidRequestException", std::move(message), {}}; }

// The one place where registry errors become AWS error shapes (codes from the botocore model).
ApiError to_api_error(const iot::Error& error);

HttpResponse error_response(const ApiError& error, const std::string& request_id);

}  // namespace trustlane::api
