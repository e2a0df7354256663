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
  Permissions p(s);
  p.set_documents({doc.value()});
  iot::policy::Variables dev1{{"iot:ClientId", {"dev1"}}};
  EXPECT_TRUE(p.check(Action::subscribe, "dev1/x", dev1).allowed());
  EXPECT_FALSE(p.check(Action::subscribe, "dev2/x", dev1).allowed());
  for (std::string id : {"+", "#", "dev+1", "a#"}) {
    iot::policy::Variables wild{{"iot:ClientId", {id}}};
    EXPECT_FALSE(p.check(Action::subscribe, "dev2/x", wild).allowed()) << id;
    // Not even its "own" subtree: the MQTT filter "+/x" would reach every device's x.
    EXPECT_FALSE(p.check(Action::subscribe, id + "/x", wild).allowed()) << id;
  }
}

TEST(AuthPermissions, DefaultDenyWithoutPolicies) {
  Permissions p(iot::Scope{"123456789012", "us-east-1"});
  EXPECT_FALSE(p.check(Action::connect, "x", {{"iot:ClientId", {"x"}}}).allowed());
}

}  // namespace
}  // namespace trustlane::broker
