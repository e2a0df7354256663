#include <gtest/gtest.h>

#include "broker/auth_permissions.hpp"

namespace trustlane::broker {
namespace {

TEST(AuthPermissions, SerialDecimal) {
  EXPECT_EQ(serial_decimal(Bytes{}), "0");
  EXPECT_EQ(serial_decimal(Bytes{0x00}), "0");
  EXPECT_EQ(serial_decimal(Bytes{0x01, 0x00}), "256");
  EXPECT_EQ(serial_decimal(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), "18446744073709551615");
}

TEST(AuthPermissions, ResourceArns) {
  iot::Scope s{"123456789012", "eu-west-1"};
  EXPECT_EQ(resource_arn(s, Action::connect, "c1"), "arn:aws:iot:eu-west-1:123456789012:client/c1");
  EXPECT_EQ(resource_arn(s, Action::publish, "a/b"), "arn:aws:iot:eu-west-1:123456789012:topic/a/b");
  EXPECT_EQ(resource_arn(s, Action::receive, "a/b"), "arn:aws:iot:eu-west-1:123456789012:topic/a/b");
  EXPECT_EQ(resource_arn(s, Action::subscribe, "a/+"), "arn:aws:iot:eu-west-1:123456789012:topicfilter/a/+");
}

TEST(AuthPermissions, ClientIdVariableNeverWidensAGrant) {
  iot::Scope s{"123456789012", "us-east-1"};
  auto doc = iot::policy::parse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"iot:Subscribe",
       "Resource":"arn:aws:iot:us-east-1:123456789012:topicfilter/${iot:ClientId}/*"}]})");
  ASSERT_TRUE(doc);
  Permissions p(s, {{"iot:ClientId", {"dev1"}}});
  p.set_documents({doc.value()});
  EXPECT_TRUE(p.allowed(Action::subscribe, "dev1/x"));
  EXPECT_FALSE(p.allowed(Action::subscribe, "dev2/x"));
  for (std::string id : {"+", "#", "dev+1", "a#"}) {
    Permissions wild(s, {{"iot:ClientId", {id}}});
    wild.set_documents({doc.value()});
    EXPECT_FALSE(wild.allowed(Action::subscribe, "dev2/x")) << id;
    // Not even its "own" subtree: the MQTT filter "+/x" would reach every device's x.
    EXPECT_FALSE(wild.allowed(Action::subscribe, id + "/x")) << id;
  }
}

TEST(AuthPermissions, DefaultDenyWithoutPolicies) {
  Permissions p(iot::Scope{"123456789012", "us-east-1"}, {});
  EXPECT_FALSE(p.allowed(Action::connect, "x"));
}

}  // namespace
}  // namespace trustlane::broker
