// Fuzzes the sans-I/O request parsers: Authorization header, canonical request, query strings,
// percent-decoding and routing. Input: "<authorization>\n<target>\n<method>".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/router.hpp"
#include "api/sigv4.hpp"
#include "api/uri.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trustlane::api;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view authorization = in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  auto nl2 = rest.find('\n');
  std::string_view target = rest.substr(0, nl2);
  std::string_view method = nl2 == std::string_view::npos ? std::string_view{"GET"} : rest.substr(nl2 + 1);

  auto auth = sigv4::parse_authorization(authorization);
  auto [path, query] = split_target(target);
  std::vector<std::pair<std::string, std::string>> headers{{"host", "h"}, {"x-amz-date", "20260101T000000Z"}};
  sigv4::Request request{method, path, query, &headers, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"};
  if (auth) (void)sigv4::verify(request, *auth, "20260101T000000Z", "secret");
  (void)sigv4::canonical_request(request, {"host", "x-amz-date", "missing"});
  (void)sigv4::parse_amz_date(authorization);
  (void)parse_query(query);
  (void)route(method, path);
  return 0;
}
