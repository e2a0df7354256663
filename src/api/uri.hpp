// URI pieces as AWS uses them (sans-I/O): split a request target, percent-decode strictly,
// and AWS's URI encoding (RFC 3986 unreserved characters kept, everything else %XX uppercase).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trustlane::api {

struct SplitTarget {
  std::string_view path;   // raw, still percent-encoded
  std::string_view query;  // raw, without '?'
};
SplitTarget split_target(std::string_view target);

// nullopt on a '%' not followed by two hex digits. '+' stays '+' (AWS does not use form encoding).
std::optional<std::string> percent_decode(std::string_view text);

// AWS URI encoding; with keep_slash, '/' is left as is (canonical URIs).
std::string aws_uri_encode(std::string_view text, bool keep_slash);

// Decoded (name, value) pairs in order; nullopt if any part has bad percent-encoding.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

// Raw path segments between '/' (the leading '/' is required; nullopt otherwise).
std::optional<std::vector<std::string_view>> path_segments(std::string_view path);

}  // namespace trustlane::api
