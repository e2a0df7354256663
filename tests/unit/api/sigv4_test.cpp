// SigV4 against AWS's published suite (get-vanilla, get-vanilla-query-order-key-case) and
// vectors computed with botocore's SigV4Auth for IoT-shaped requests (ARN labels, execute-api).
#include "api/sigv4.hpp"

#include <gtest/gtest.h>

#include "crypto/digest.hpp"

namespace trustlane::api::sigv4 {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kDate = "20150830T123600Z";
const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string signature_for(std::string_view method, std::string_view path, std::string_view query,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::vector<std::string>& signed_headers, std::string_view body,
                          std::string_view region, std::string_view service) {
  auto hash = to_hex(crypto::sha256(as_bytes(body)));
  Request r{method, path, query, &headers, hash};
  auto creq = canonical_request(r, signed_headers);
  EXPECT_TRUE(creq.has_value());
  std::string scope = std::string("20150830/") + std::string(region) + "/" + std::string(service) + "/aws4_request";
  return sign(signing_key(kSecret, "20150830", region, service), string_to_sign(kDate, scope, *creq));
}

TEST(SigV4, AwsSuiteGetVanilla) {
  std::vector<std::pair<std::string, std::string>> h{{"host", "example.amazonaws.com"}, {"x-amz-date", kDate}};
  EXPECT_EQ(signature_for("GET", "/", "", h, {"host", "x-amz-date"}, "", "us-east-1", "service"),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, AwsSuiteGetVanillaQueryOrderKeyCase) {
  std::vector<std::pair<std::string, std::string>> h{{"host", "example.amazonaws.com"}, {"x-amz-date", kDate}};
  EXPECT_EQ(signature_for("GET", "/", "Param2=value2&Param1=value1", h, {"host", "x-amz-date"}, "", "us-east-1",
                          "service"),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4, BotocoreEncodedArnLabelIsRequotedInCanonicalUri) {
  std::string path = "/certificates/arn%3Aaws%3Aiot%3Aus-east-1%3A123456789012%3Acert%2Fabc";
  EXPECT_EQ(canonical_uri(path), "/certificates/arn%253Aaws%253Aiot%253Aus-east-1%253A123456789012%253Acert%252Fabc");
  std::vector<std::pair<std::string, std::string>> h{{"host", "127.0.0.1:8080"}, {"x-amz-date", kDate}};
  EXPECT_EQ(signature_for("GET", path, "marker=YQ%3D%3D&pageSize=2", h, {"host", "x-amz-date"}, "", "us-east-1", "iot"),
            "e8c70a65dc956d27083a3c329f7ecf612f70afa6ef5e44f805351bf1931fd623");
}

TEST(SigV4, BotocorePostWithBodyAndExecuteApiService) {
  std::vector<std::pair<std::string, std::string>> h{
      {"content-type", "application/json"}, {"host", "127.0.0.1:8080"}, {"x-amz-date", kDate}};
  EXPECT_EQ(signature_for("POST", "/certificate/register-no-ca", "", h, {"content-type", "host", "x-amz-date"},
                          R"({"certificatePem": "x", "status": "ACTIVE"})", "eu-west-1", "execute-api"),
            "1adfbcef48e0169e91a9280e438d5a1594da4b0e9cb12a4c8cf97511360edb5b");
}

TEST(SigV4, VerifyAcceptsGoodAndRejectsTamperedRequests) {
  std::vector<std::pair<std::string, std::string>> h{{"host", "example.amazonaws.com"}, {"x-amz-date", kDate}};
  auto auth = parse_authorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  ASSERT_TRUE(auth);
  Request good{"GET", "/", "", &h, kEmptyHash};
  EXPECT_TRUE(verify(good, *auth, kDate, kSecret));
  EXPECT_FALSE(verify(good, *auth, kDate, "wrong-secret"));
  Request other_path{"GET", "/x", "", &h, kEmptyHash};
  EXPECT_FALSE(verify(other_path, *auth, kDate, kSecret));
  Request other_method{"POST", "/", "", &h, kEmptyHash};
  EXPECT_FALSE(verify(other_method, *auth, kDate, kSecret));
  std::vector<std::pair<std::string, std::string>> other_host{{"host", "evil.example.com"}, {"x-amz-date", kDate}};
  Request tampered_header{"GET", "/", "", &other_host, kEmptyHash};
  EXPECT_FALSE(verify(tampered_header, *auth, kDate, kSecret));
}

TEST(SigV4, ParseAuthorizationFields) {
  auto a = parse_authorization(
      "AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-central-1/iot/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, Signature=" + std::string(64, 'a'));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->access_key, "123456789012");
  EXPECT_EQ(a->date, "20260101");
  EXPECT_EQ(a->region, "eu-central-1");
  EXPECT_EQ(a->service, "iot");
  EXPECT_EQ(a->signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date"}));
  EXPECT_EQ(a->scope(), "20260101/eu-central-1/iot/aws4_request");
}

TEST(SigV4, ParseAuthorizationRejectsMalformedHeaders) {
  std::string sig = "Signature=" + std::string(64, 'a');
  for (std::string bad : {std::string(""), std::string("Basic abc"), std::string("AWS4-HMAC-SHA256"),
                          "AWS4-HMAC-SHA256 Credential=A/20260101/r/iot/aws4_request, " + sig,
                          "AWS4-HMAC-SHA256 Credential=A/2026/r/iot/aws4_request, SignedHeaders=host, " + sig,
                          "AWS4-HMAC-SHA256 Credential=A/20260101/r/iot/other, SignedHeaders=host, " + sig,
                          std::string("AWS4-HMAC-SHA256 Credential=A/20260101/r/iot/aws4_request, SignedHeaders=host, Signature=zz"),
                          "AWS4-HMAC-SHA256 Credential=A/20260101/r/iot/aws4_request, SignedHeaders=host;;x, " + sig,
                          "AWS4-HMAC-SHA256 Credential=A/20260101/r/iot/aws4_request, SignedHeaders=host, Foo=1, " + sig})
    EXPECT_FALSE(parse_authorization(bad)) << bad;
}

TEST(SigV4, CanonicalQueryDecodesSortsAndReencodes) {
  EXPECT_EQ(*canonical_query("b=2&a=%7e&a=1&c"), "a=1&a=~&b=2&c=");
  EXPECT_EQ(*canonical_query("k=a%20b"), "k=a%20b");
  EXPECT_FALSE(canonical_query("k=%zz"));
}

TEST(SigV4, CanonicalUriRemovesDotSegments) {
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/a/./b/../c/"), "/a/c/");
}

TEST(SigV4, AmzDate) {
  EXPECT_EQ(parse_amz_date("20150830T123600Z"), 1440938160);
  EXPECT_FALSE(parse_amz_date("20150830123600Z"));
  EXPECT_FALSE(parse_amz_date("20151330T123600Z"));
  EXPECT_FALSE(parse_amz_date("2015083xT123600Z"));
}

}  // namespace
}  // namespace trustlane::api::sigv4
