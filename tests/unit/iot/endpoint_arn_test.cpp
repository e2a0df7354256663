#include <gtest/gtest.h>

#include "iot/arn.hpp"
#include "iot/endpoint.hpp"

namespace trustlane::iot {
namespace {

TEST(Endpoint, AddressesPerType) {
  EXPECT_EQ(endpoint_address("abcdefghij0123", "eu-west-1", "example.test", "iot:Data-ATS"),
            "abcdefghij0123-ats.iot.eu-west-1.example.test");
  EXPECT_EQ(endpoint_address("abcdefghij0123", "eu-west-1", "example.test", ""), "abcdefghij0123.iot.eu-west-1.example.test");
  EXPECT_EQ(endpoint_address("abcdefghij0123", "eu-west-1", "example.test", "iot:Data"),
            "abcdefghij0123.iot.eu-west-1.example.test");
  EXPECT_FALSE(endpoint_address("abcdefghij0123", "eu-west-1", "example.test", "iot:Other"));
}

TEST(Endpoint, ParseHost) {
  auto h = parse_endpoint_host("abcdefghij0123-ats.iot.eu-west-1.example.test.", "example.test");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->prefix, "abcdefghij0123");
  EXPECT_EQ(h->region, "eu-west-1");
  EXPECT_TRUE(parse_endpoint_host("abcdefghij0123.iot.eu-west-1.example.test", "example.test"));
  EXPECT_FALSE(parse_endpoint_host("abcdefghij0123.jobs.iot.eu-west-1.example.test", "example.test"));
  EXPECT_FALSE(parse_endpoint_host("abc-ats.iot.eu-west-1.example.test", "example.test"));
  EXPECT_FALSE(parse_endpoint_host("abcdefghij0123-ats.iot.eu-west-1.other.test", "example.test"));
  EXPECT_FALSE(parse_endpoint_host("example.test", "example.test"));
  EXPECT_FALSE(parse_endpoint_host(".iot.x.example.test", "example.test"));
}

TEST(Arn, BuildAndParse) {
  Scope s{"123456789012", "us-east-1"};
  EXPECT_EQ(certificate_arn(s, "ab"), "arn:aws:iot:us-east-1:123456789012:cert/ab");
  auto p = parse_arn("arn:aws:iot:us-east-1:123456789012:cert/ab");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->scope, s);
  EXPECT_EQ(p->kind, "cert");
  EXPECT_EQ(p->name, "ab");
  EXPECT_FALSE(parse_arn("arn:aws:s3:us-east-1:123456789012:cert/ab"));
  EXPECT_FALSE(parse_arn("arn:aws:iot:us-east-1:123456789012:cert"));
  EXPECT_FALSE(parse_arn("arn:aws:iot::123456789012:cert/x"));
  EXPECT_FALSE(parse_arn("garbage"));
}

}  // namespace
}  // namespace trustlane::iot
