// Policy parser: accepted shapes and every validation message (table-driven).
#include <gtest/gtest.h>

#include <string>

#include "iot/policy/policy.hpp"

namespace policy = trustlane::iot::policy;

namespace {

TEST(PolicyParse, AcceptsStatementObjectAndStringFields) {
  auto doc = policy::parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iot:*","Resource":"*"}})");
  ASSERT_TRUE(doc.ok()) << doc.error();
  ASSERT_EQ(doc->statements.size(), 1u);
  EXPECT_EQ(doc->statements[0].effect, policy::Effect::allow);
  ASSERT_EQ(doc->statements[0].actions.size(), 1u);
  EXPECT_EQ(doc->statements[0].actions[0].source, "iot:*");
  EXPECT_EQ(doc->statements[0].resources[0].source, "*");
}

TEST(PolicyParse, AcceptsListsSidNotActionNotResourceAndConditions) {
  auto doc = policy::parse(R"({
    "Version": "2012-10-17", "Id": "x",
    "Statement": [
      {"Sid": "a", "Effect": "Deny", "NotAction": ["iot:Connect"], "NotResource": ["arn:aws:iot:*:*:topic/x"]},
      {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"],
       "Resource": ["arn:aws:iot:us-east-1:123456789012:topic/a", "arn:aws:iot:us-east-1:123456789012:topic/b"],
       "Condition": {"StringEquals": {"iot:ClientId": ["c1", "c2"]}, "Bool": {"iot:Connection.Thing.IsAttached": true},
                     "ForAnyValue:StringLikeIfExists": {"iot:Certificate.Subject.Organization.List": "NXP*"}}}
    ]})");
  ASSERT_TRUE(doc.ok()) << doc.error();
  ASSERT_EQ(doc->statements.size(), 2u);
  const auto& s0 = doc->statements[0];
  EXPECT_EQ(s0.sid, "a");
  EXPECT_EQ(s0.effect, policy::Effect::deny);
  EXPECT_TRUE(s0.not_action);
  EXPECT_TRUE(s0.not_resource);
  const auto& s1 = doc->statements[1];
  EXPECT_EQ(s1.actions.size(), 2u);
  EXPECT_EQ(s1.resources.size(), 2u);
  ASSERT_EQ(s1.conditions.size(), 3u);
  bool saw_qualified = false;
  for (const auto& c : s1.conditions) {
    if (c.op == policy::ConditionOperator::string_like) {
      saw_qualified = true;
      EXPECT_EQ(c.qualifier, policy::SetQualifier::for_any_value);
      EXPECT_TRUE(c.if_exists);
    }
    if (c.op == policy::ConditionOperator::boolean) {
      EXPECT_EQ(c.values[0].source, "true");
    }
  }
  EXPECT_TRUE(saw_qualified);
}

TEST(PolicyParse, Accepts2008VersionWithVariablesAsLiteralText) {
  auto doc = policy::parse(R"({"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:r:a:client/${iot:ClientId}"}]})");
  ASSERT_TRUE(doc.ok()) << doc.error();
  for (const auto& piece : doc->statements[0].resources[0].pattern)
    EXPECT_NE(piece.kind, policy::Piece::Kind::variable);
}

TEST(PolicyParse, SizeLimitCountsNonWhitespaceCharacters) {
  std::string head = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:r:a:client/)";
  std::string tail = R"("}]})";
  std::string exact = head + std::string(policy::kMaxPolicyCharacters - head.size() - tail.size(), 'x') + tail;
  ASSERT_EQ(exact.size(), policy::kMaxPolicyCharacters);
  EXPECT_TRUE(policy::parse(exact).ok());
  // Whitespace does not count…
  std::string spaced = exact;
  spaced.insert(1, 5000, ' ');
  spaced.insert(spaced.size() - 1, "\n\t\r ");
  EXPECT_TRUE(policy::parse(spaced).ok());
  // …but one more visible character does.
  std::string over = head + std::string(policy::kMaxPolicyCharacters - head.size() - tail.size() + 1, 'x') + tail;
  auto r = policy::parse(over);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("2049 characters"), std::string::npos) << r.error();
}

struct BadCase {
  const char* json;
  const char* message;
};

class PolicyParseRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(PolicyParseRejects, WithPreciseMessage) {
  auto r = policy::parse(GetParam().json);
  ASSERT_FALSE(r.ok()) << GetParam().json;
  EXPECT_EQ(r.error(), GetParam().message);
}

#define STMT(x) R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"},)" x "]}"
INSTANTIATE_TEST_SUITE_P(
    Table, PolicyParseRejects,
    ::testing::Values(
        BadCase{"", "Policy document is not valid JSON"},
        BadCase{"{\"Version\":", "Policy document is not valid JSON"},
        BadCase{"[1]", "Policy document must be a JSON object"},
        BadCase{R"({"Statement":[]})", "Version is required"},
        BadCase{R"({"Version":"2012-10-18","Statement":[]})", "Version must be \"2012-10-17\" or \"2008-10-17\""},
        BadCase{R"({"Version":2012,"Statement":[]})", "Version must be \"2012-10-17\" or \"2008-10-17\""},
        BadCase{R"({"Version":"2012-10-17"})", "Statement is required"},
        BadCase{R"({"Version":"2012-10-17","Statement":[]})", "Statement must not be an empty list"},
        BadCase{R"({"Version":"2012-10-17","Statement":"x"})", "Statement must be an object or a list of objects"},
        BadCase{R"({"Version":"2012-10-17","Statement":[],"Extra":1})", "Policy document has an unknown element \"Extra\""},
        BadCase{STMT("7"), "Statement[1] must be an object"},
        BadCase{STMT(R"({"Effect":"allow","Action":"iot:Connect","Resource":"*"})"), "Statement[1].Effect must be Allow or Deny"},
        BadCase{STMT(R"({"Action":"iot:Connect","Resource":"*"})"), "Statement[1].Effect is required"},
        BadCase{STMT(R"({"Effect":"Allow","Resource":"*"})"), "Statement[1] must have exactly one of Action or NotAction"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","NotAction":"iot:Publish","Resource":"*"})"),
                "Statement[1] must have exactly one of Action or NotAction"},
        BadCase{STMT(R"({"Effect":"Allow","Action":[],"Resource":"*"})"), "Statement[1].Action must not be an empty list"},
        BadCase{STMT(R"({"Effect":"Allow","Action":5,"Resource":"*"})"), "Statement[1].Action must be a string or a list of strings"},
        BadCase{STMT(R"({"Effect":"Allow","Action":["iot:Connect",1],"Resource":"*"})"), "Statement[1].Action[1] must be a string"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"Connect","Resource":"*"})"), "Statement[1].Action contains an invalid action \"Connect\""},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:","Resource":"*"})"), "Statement[1].Action contains an invalid action \"iot:\""},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect"})"), "Statement[1] must have exactly one of Resource or NotResource"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":""})"), "Statement[1].Resource must not contain an empty string"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"topic/a"})"),
                "Statement[1].Resource contains an invalid resource \"topic/a\" (expected an ARN or *)"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Principal":"*"})"),
                "Statement[1].Principal is not allowed in AWS IoT policies"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Foo":1})"), "Statement[1] has an unknown element \"Foo\""},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":[]})"), "Statement[1].Condition must be an object"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"DateEquals":{"aws:CurrentTime":"x"}}})"),
                "Statement[1].Condition: condition operator \"DateEquals\" is not supported"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}})"),
                "Statement[1].Condition: condition operator \"NullIfExists\" is invalid (Null has no IfExists form)"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"StringEquals":{}}})"),
                "Statement[1].Condition.StringEquals must be a non-empty object of key: values"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"StringEquals":{"k":[]}}})"),
                "Statement[1].Condition.StringEquals.k must not be an empty list"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"StringEquals":{"k":{"a":1}}}})"),
                "Statement[1].Condition.StringEquals.k values must be strings, numbers or booleans"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"NumericLessThan":{"k":"ten"}}})"),
                "Statement[1].Condition.NumericLessThan.k: \"ten\" is not a number"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"Bool":{"k":"yes"}}})"),
                "Statement[1].Condition.Bool.k: \"yes\" must be true or false"},
        BadCase{STMT(R"({"Effect":"Allow","Action":"iot:Connect","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}})"),
                "Statement[1].Condition.IpAddress.aws:SourceIp: \"10.0.0.0/33\" is not an IP address or CIDR block"}));
#undef STMT

TEST(PolicyParse, StatementObjectErrorsHaveNoIndex) {
  auto r = policy::parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Maybe","Action":"iot:*","Resource":"*"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Statement.Effect must be Allow or Deny");
}

}  // namespace
