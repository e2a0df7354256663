// Fuzzes the whole control plane below the socket: any request (method, target, headers, body)
// must get an AWS-shaped answer, never a crash. Input: "<method> <target>\n<header: value>…\n\n<body>".
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "api/service.hpp"

namespace {

struct World {
  std::filesystem::path dir;
  std::unique_ptr<trustlane::iot::Store> store;
  std::unique_ptr<trustlane::api::Service> service;
  World() {
    dir = std::filesystem::temp_directory_path() / ("trustlane-fuzz-api-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto ca = std::make_shared<const trustlane::iot::CloudCa>(trustlane::iot::CloudCa::load_or_create(dir));
    store = std::make_unique<trustlane::iot::Store>(dir / "registry.db", ca);
    trustlane::api::Credentials creds;
    creds.add("AKIAFUZZ", {"secret", "123456789012"});
    service = std::make_unique<trustlane::api::Service>(*store, creds);
  }
  ~World() {
    service.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  trustlane::api::HttpRequest r;
  auto line_end = in.find('\n');
  auto first = in.substr(0, line_end);
  auto space = first.find(' ');
  r.method = std::string(first.substr(0, space));
  r.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  in = line_end == std::string_view::npos ? std::string_view{} : in.substr(line_end + 1);
  while (!in.empty()) {
    auto end = in.find('\n');
    auto line = in.substr(0, end);
    in = end == std::string_view::npos ? std::string_view{} : in.substr(end + 1);
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  r.body = std::string(in);
  auto response = world.service->handle(r);
  if (response.status < 200 || response.status > 599) __builtin_trap();
  if (response.status >= 400) {
    bool typed = false;
    for (auto& [n, v] : response.headers) typed |= n == "x-amzn-errortype" && !v.empty();
    if (!typed) __builtin_trap();  // every error names its AWS error type
  }
  return 0;
}
