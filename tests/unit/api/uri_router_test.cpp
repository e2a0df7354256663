#include <gtest/gtest.h>

#include "api/router.hpp"
#include "api/uri.hpp"

namespace trustlane::api {
namespace {

TEST(Uri, PercentDecodeIsStrict) {
  EXPECT_EQ(percent_decode("arn%3Aaws%3Aiot%2Fx+y"), "arn:aws:iot/x+y");
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("a%g0"));
}

TEST(Uri, AwsEncodingKeepsOnlyUnreserved) {
  EXPECT_EQ(aws_uri_encode("a b/c~d:é", false), "a%20b%2Fc~d%3A%C3%A9");
  EXPECT_EQ(aws_uri_encode("/a b/", true), "/a%20b/");
}

TEST(Uri, QueryParsing) {
  auto q = parse_query("a=1&b=x%20y&&c");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[1].second, "x y");
  EXPECT_EQ((*q)[2], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_FALSE(parse_query("a=%"));
}

TEST(Router, RoutesOnRawPathThenDecodesLabels) {
  auto r = route("POST", "/attached-policies/arn%3Aaws%3Aiot%3Aus-east-1%3A123456789012%3Acert%2Fabc");
  ASSERT_TRUE(r.route);
  EXPECT_EQ(r.route->operation, Operation::ListAttachedPolicies);
  EXPECT_EQ(r.route->labels.at("target"), "arn:aws:iot:us-east-1:123456789012:cert/abc");
}

TEST(Router, MethodSelectsOperationOnTheSamePath) {
  EXPECT_EQ(route("PUT", "/target-policies/p").route->operation, Operation::AttachPolicy);
  EXPECT_EQ(route("POST", "/target-policies/p").route->operation, Operation::DetachPolicy);
  EXPECT_EQ(route("GET", "/policies/p/version/3").route->operation, Operation::GetPolicyVersion);
  EXPECT_EQ(route("PATCH", "/policies/p/version/3").route->operation, Operation::SetDefaultPolicyVersion);
  EXPECT_EQ(route("DELETE", "/policies/p/version/3").route->operation, Operation::DeletePolicyVersion);
  EXPECT_EQ(route("GET", "/things/t/principals").route->operation, Operation::ListThingPrincipals);
  EXPECT_EQ(route("GET", "/principals/things").route->operation, Operation::ListPrincipalThings);
}

TEST(Router, UnknownAndMalformedPaths) {
  EXPECT_FALSE(route("GET", "/nope").route);
  EXPECT_FALSE(route("PATCH", "/certificates").route);
  EXPECT_FALSE(route("GET", "/things/").route);  // empty label
  EXPECT_FALSE(route("GET", "things").route);
  auto bad = route("GET", "/things/a%zz");
  EXPECT_FALSE(bad.route);
  EXPECT_EQ(bad.error, RouteError::BadEncoding);
}

TEST(Router, EveryOperationHasAName) {
  EXPECT_EQ(operation_name(Operation::RegisterCertificateWithoutCA), "RegisterCertificateWithoutCA");
  EXPECT_EQ(operation_name(Operation::ListPrincipalThings), "ListPrincipalThings");
}

}  // namespace
}  // namespace trustlane::api
