// The flat policy-variables table: lookups, multi-valued names, replacement, shared text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "iot/policy/policy.hpp"

namespace trustlane::iot::policy {
namespace {

std::vector<std::string> all(const Variables::Values& values) { return {values.begin(), values.end()}; }

TEST(PolicyVariables, UnknownNameHasNoValues) {
  Variables v{{"iot:ClientId", {"dev1"}}};
  EXPECT_TRUE(v.find("iot:ThingName").empty());
  EXPECT_TRUE(v.find("iot:Client").empty());     // a prefix of a known name is not that name
  EXPECT_TRUE(v.find("iot:ClientIdX").empty());  // nor is a longer one
  EXPECT_EQ(v.find("iot:ClientId").front(), "dev1");
}

TEST(PolicyVariables, ValuesKeepTheirOrderWhateverTheOrderOfNames) {
  Variables v;
  v.add("b", "1");
  v.add("a", "x");
  v.add("b", "2");
  v.add("c", "y");
  v.add("b", "3");
  EXPECT_EQ(all(v.find("b")), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(all(v.find("a")), (std::vector<std::string>{"x"}));
  EXPECT_EQ(all(v.find("c")), (std::vector<std::string>{"y"}));
  EXPECT_EQ(v.size(), 5u);
}

TEST(PolicyVariables, SetReplacesEveryValue) {
  Variables v{{"n", {"a", "b"}}, {"m", {"z"}}};
  v.set("n", "c");
  EXPECT_EQ(all(v.find("n")), (std::vector<std::string>{"c"}));
  EXPECT_EQ(all(v.find("m")), (std::vector<std::string>{"z"}));
  v.set("new", "");  // an empty value is a value
  EXPECT_EQ(v.find("new").size(), 1u);
  EXPECT_EQ(v.find("new").front(), "");
}

TEST(PolicyVariables, RepeatedTextIsStoredOnceAndStillReadBack) {
  Variables v;
  v.add("iot:Certificate.Subject.CommonName", "dev1");
  v.add("iot:Certificate.Subject.CommonName.List", "dev1");
  v.add("iot:Certificate.Subject.CommonName.1", "dev1");
  v.add("iot:Certificate.Subject", "Subject");  // bytes that occur inside another name
  v.shrink_to_fit();
  EXPECT_EQ(v.find("iot:Certificate.Subject.CommonName.List").front(), "dev1");
  EXPECT_EQ(v.find("iot:Certificate.Subject").front(), "Subject");
  EXPECT_EQ(v.find("iot:Certificate.Subject.CommonName.1").front(), "dev1");
}

TEST(PolicyVariables, MultiValuedCertificateFieldsFromConnectionFacts) {
  ConnectionFacts f;
  f.client_id = "dev1";
  f.subject = {{"CN", "a"}, {"OU", "x"}, {"OU", "y"}};
  auto v = connection_variables(f);
  EXPECT_EQ(all(v.find("iot:Certificate.Subject.OrganizationalUnit")), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(all(v.find("iot:Certificate.Subject.OrganizationalUnit.List")), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(all(v.find("iot:Certificate.Subject.OrganizationalUnit.2")), (std::vector<std::string>{"y"}));
  EXPECT_EQ(v.find("iot:Connection.Thing.IsAttached").front(), "false");
  EXPECT_EQ(v.find("iot:ClientId").front(), "dev1");
}

}  // namespace
}  // namespace trustlane::iot::policy
