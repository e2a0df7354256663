// The HTTP messages the API works on, free of any transport (Beast lives in server.cpp only).
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trustlane::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // raw request target: percent-encoded path [+ "?" + query]
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase, in arrival order
  std::string body;

  // The first header with this (lowercase) name, or nullptr.
  const std::string* header(std::string_view lowercase_name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

}  // namespace trustlane::api
