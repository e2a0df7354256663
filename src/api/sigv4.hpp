// AWS Signature Version 4 (sans-I/O): parse the Authorization header, build the canonical
// request and string to sign, derive the signing key, compute and compare signatures.
// Reference: AWS SigV4 documentation and botocore's SigV4Auth (canonical URI re-quotes the raw
// path, so "%2F" becomes "%252F"; the query is decoded and re-encoded, pairs sorted).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/bytes.hpp"

namespace trustlane::api::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

struct Authorization {
  std::string access_key;
  std::string date;     // yyyymmdd
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;                    // lowercase hex
  std::string scope() const;                // date/region/service/aws4_request
};

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iot/aws4_request, SignedHeaders=host;x-amz-date, Signature=…"
std::optional<Authorization> parse_authorization(std::string_view header);

struct Request {
  std::string_view method;
  std::string_view raw_path;   // percent-encoded as received
  std::string_view raw_query;  // without '?'
  const std::vector<std::pair<std::string, std::string>>* headers;  // lowercase names
  std::string_view payload_hash;  // lowercase hex SHA-256 of the body (or x-amz-content-sha256)
};

std::string canonical_uri(std::string_view raw_path);
std::optional<std::string> canonical_query(std::string_view raw_query);  // nullopt: bad encoding
std::optional<std::string> canonical_request(const Request& request, const std::vector<std::string>& signed_headers);
std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);
Bytes signing_key(std::string_view secret, std::string_view date, std::string_view region, std::string_view service);
std::string sign(ByteView key, std::string_view string_to_sign);  // lowercase hex

// The whole check: true when `auth.signature` matches (constant-time compare).
bool verify(const Request& request, const Authorization& auth, std::string_view amz_date, std::string_view secret);

// "20150830T123600Z" → epoch seconds; nullopt if malformed.
std::optional<long long> parse_amz_date(std::string_view amz_date);

}  // namespace trustlane::api::sigv4
