// Policy evaluation: effects, wildcards, escapes, variables and conditions (table-driven).
#include <gtest/gtest.h>

#include <string>

#include "iot/policy/policy.hpp"

namespace policy = trustlane::iot::policy;

namespace {

constexpr const char* kArn = "arn:aws:iot:us-east-1:123456789012:";

policy::Document must_parse(const std::string& json) {
  auto doc = policy::parse(json);
  EXPECT_TRUE(doc.ok()) << json << "\n→ " << (doc.ok() ? "" : doc.error());
  return doc.ok() ? std::move(doc).value() : policy::Document{};
}

std::string one_statement(const std::string& effect, const std::string& action, const std::string& resource,
                          const std::string& condition = "") {
  std::string s = R"({"Version":"2012-10-17","Statement":[{"Effect":")" + effect + R"(","Action":)" + action +
                  R"(,"Resource":)" + resource;
  if (!condition.empty()) s += R"(,"Condition":)" + condition;
  return s + "}]}";
}

policy::ConnectionFacts device(const std::string& client_id) {
  policy::ConnectionFacts f;
  f.client_id = client_id;
  f.source_ip = "10.1.2.3";
  f.subject = {{"C", "NL"}, {"O", "NXP"}, {"O", "Acme"}, {"CN", "dev-1"}};
  f.issuer = {{"CN", "Fleet CA"}, {"OU", "Ops"}};
  f.subject_alt_names = {"DNS:dev-1.example", "URI:urn:dev:1"};
  f.serial_number = "4660";
  return f;
}

struct Case {
  const char* name;
  std::string policy;
  std::string action;
  std::string resource;  // appended to kArn unless it starts with "arn:"
  policy::ConnectionFacts facts;
  bool allowed;
};

class PolicyEvaluate : public ::testing::TestWithParam<Case> {};

TEST_P(PolicyEvaluate, Decides) {
  const Case& c = GetParam();
  policy::Document doc = must_parse(c.policy);
  policy::Request r{c.action, c.resource.starts_with("arn:") ? c.resource : kArn + c.resource,
                    policy::connection_variables(c.facts)};
  auto d = policy::evaluate({&doc}, r);
  EXPECT_EQ(d.allowed(), c.allowed) << c.name << ": " << d;
}

std::string topic_any = R"("arn:aws:iot:us-east-1:123456789012:topic/*")";
std::string filter_client = R"("arn:aws:iot:us-east-1:123456789012:topicfilter/${iot:ClientId}/*")";

INSTANTIATE_TEST_SUITE_P(
    Table, PolicyEvaluate,
    ::testing::Values(
        // Actions: exact, case-insensitive, wildcards.
        Case{"exact action", one_statement("Allow", R"("iot:Publish")", topic_any), "iot:Publish", "topic/a", device("c"), true},
        Case{"other action", one_statement("Allow", R"("iot:Publish")", topic_any), "iot:Receive", "topic/a", device("c"), false},
        Case{"action case", one_statement("Allow", R"("IOT:publish")", topic_any), "iot:Publish", "topic/a", device("c"), true},
        Case{"action star", one_statement("Allow", R"("iot:*")", topic_any), "iot:Receive", "topic/a", device("c"), true},
        Case{"action prefix star", one_statement("Allow", R"("iot:Pub*")", topic_any), "iot:Publish", "topic/a", device("c"), true},
        Case{"action question", one_statement("Allow", R"("iot:Publis?")", topic_any), "iot:Publish", "topic/a", device("c"), true},
        Case{"bare star", one_statement("Allow", R"("*")", R"("*")"), "iot:Connect", "client/x", device("c"), true},
        Case{"action list", one_statement("Allow", R"(["iot:Connect","iot:Subscribe"])", R"("*")"), "iot:Subscribe", "topicfilter/a", device("c"), true},
        // Resources: * crosses '/', ? is one character, case-sensitive.
        Case{"star crosses slash", one_statement("Allow", R"("iot:Publish")", topic_any), "iot:Publish", "topic/a/b/c", device("c"), true},
        Case{"star other type", one_statement("Allow", R"("iot:Publish")", topic_any), "iot:Publish", "topicfilter/a", device("c"), false},
        Case{"question one char", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/a?c")"), "iot:Publish", "topic/abc", device("c"), true},
        Case{"question not two", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/a?c")"), "iot:Publish", "topic/abbc", device("c"), false},
        Case{"question not zero", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/a?c")"), "iot:Publish", "topic/ac", device("c"), false},
        Case{"resource case", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/A")"), "iot:Publish", "topic/a", device("c"), false},
        Case{"other account", one_statement("Allow", R"("iot:Publish")", topic_any), "iot:Publish", "arn:aws:iot:us-east-1:999999999999:topic/a", device("c"), false},
        // MQTT wildcards in policies are literal characters.
        Case{"plus literal no match", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/a/+/c")"), "iot:Publish", "topic/a/b/c", device("c"), false},
        Case{"plus literal match", one_statement("Allow", R"("iot:Subscribe")", R"("arn:aws:iot:us-east-1:123456789012:topicfilter/a/+/c")"), "iot:Subscribe", "topicfilter/a/+/c", device("c"), true},
        Case{"hash literal", one_statement("Allow", R"("iot:Subscribe")", R"("arn:aws:iot:us-east-1:123456789012:topicfilter/a/#")"), "iot:Subscribe", "topicfilter/a/b", device("c"), false},
        // Escapes.
        Case{"escaped star literal", one_statement("Allow", R"("iot:Publish")", R"j("arn:aws:iot:us-east-1:123456789012:topic/a$(*)")j"), "iot:Publish", "topic/a*", device("c"), true},
        Case{"escaped star not wildcard", one_statement("Allow", R"("iot:Publish")", R"j("arn:aws:iot:us-east-1:123456789012:topic/a$(*)")j"), "iot:Publish", "topic/ab", device("c"), false},
        Case{"escaped question", one_statement("Allow", R"("iot:Publish")", R"j("arn:aws:iot:us-east-1:123456789012:topic/a$(?)")j"), "iot:Publish", "topic/ab", device("c"), false},
        Case{"escaped dollar", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/$($){iot:ClientId}")"), "iot:Publish", "topic/${iot:ClientId}", device("c"), true},
        // Variables.
        Case{"client id var", one_statement("Allow", R"("iot:Connect")", R"("arn:aws:iot:us-east-1:123456789012:client/${iot:ClientId}")"), "iot:Connect", "client/dev-1", device("dev-1"), true},
        Case{"client id var other", one_statement("Allow", R"("iot:Connect")", R"("arn:aws:iot:us-east-1:123456789012:client/${iot:ClientId}")"), "iot:Connect", "client/dev-2", device("dev-1"), false},
        Case{"client id plus no widen", one_statement("Allow", R"("iot:Subscribe")", filter_client), "iot:Subscribe", "topicfilter/other/x", device("+"), false},
        Case{"client id plus own", one_statement("Allow", R"("iot:Subscribe")", filter_client), "iot:Subscribe", "topicfilter/+/x", device("+"), false},
        Case{"client id hash own", one_statement("Allow", R"("iot:Subscribe")", filter_client), "iot:Subscribe", "topicfilter/#/x", device("#"), false},
        Case{"client id hash no widen", one_statement("Allow", R"("iot:Subscribe")", filter_client), "iot:Subscribe", "topicfilter/a/x", device("#"), false},
        Case{"client id star literal", one_statement("Allow", R"("iot:Subscribe")", filter_client), "iot:Subscribe", "topicfilter/victim/x", device("*"), false},
        Case{"client id question literal", one_statement("Allow", R"("iot:Subscribe")", filter_client), "iot:Subscribe", "topicfilter/a/x", device("?"), false},
        Case{"client id escape literal", one_statement("Allow", R"("iot:Subscribe")", filter_client), "iot:Subscribe", "topicfilter/a/x", device("$(*)"), false},
        Case{"unresolved thing var", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Connection.Thing.ThingName}/*")"), "iot:Publish", "topic/${iot:Connection.Thing.ThingName}/x", device("c"), false},
        Case{"unknown var", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Nope}")"), "iot:Publish", "topic/${iot:Nope}", device("c"), false},
        Case{"cn var", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Certificate.Subject.CommonName}")"), "iot:Publish", "topic/dev-1", device("c"), true},
        Case{"issuer ou var", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Certificate.Issuer.OrganizationalUnit}")"), "iot:Publish", "topic/Ops", device("c"), true},
        Case{"multi-valued var does not substitute", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Certificate.Subject.Organization}")"), "iot:Publish", "topic/NXP", device("c"), false},
        Case{"indexed var 1", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Certificate.Subject.Organization.1}")"), "iot:Publish", "topic/NXP", device("c"), true},
        Case{"indexed var 2", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Certificate.Subject.Organization.2}")"), "iot:Publish", "topic/Acme", device("c"), true},
        Case{"san dns var", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Certificate.Subject.AlternativeName.DNSName}")"), "iot:Publish", "topic/dev-1.example", device("c"), true},
        Case{"serial var", one_statement("Allow", R"("iot:Publish")", R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Certificate.SerialNumber}")"), "iot:Publish", "topic/4660", device("c"), true},
        // Conditions.
        Case{"ip in cidr", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})"), "iot:Connect", "client/c", device("c"), true},
        Case{"ip outside cidr", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"IpAddress":{"aws:SourceIp":["192.168.0.0/16","10.1.2.4"]}})"), "iot:Connect", "client/c", device("c"), false},
        Case{"not ip", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"NotIpAddress":{"aws:SourceIp":"192.168.0.0/16"}})"), "iot:Connect", "client/c", device("c"), true},
        Case{"string equals var", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringEquals":{"iot:ClientId":"${iot:Certificate.Subject.CommonName}"}})"), "iot:Connect", "client/dev-1", device("dev-1"), true},
        Case{"string equals var mismatch", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringEquals":{"iot:ClientId":"${iot:Certificate.Subject.CommonName}"}})"), "iot:Connect", "client/x", device("x"), false},
        Case{"string equals star literal", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringEquals":{"iot:ClientId":"d*"}})"), "iot:Connect", "client/dev", device("dev"), false},
        Case{"string like", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringLike":{"iot:ClientId":"d*"}})"), "iot:Connect", "client/dev", device("dev"), true},
        Case{"string not like", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringNotLike":{"iot:ClientId":"d*"}})"), "iot:Connect", "client/dev", device("dev"), false},
        Case{"ignore case", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringEqualsIgnoreCase":{"iot:ClientId":"DEV"}})"), "iot:Connect", "client/dev", device("dev"), true},
        Case{"missing key fails", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringEquals":{"iot:Connection.Thing.ThingName":"dev"}})"), "iot:Connect", "client/dev", device("dev"), false},
        Case{"missing key if exists", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringEqualsIfExists":{"iot:Connection.Thing.ThingName":"dev"}})"), "iot:Connect", "client/dev", device("dev"), true},
        Case{"missing key negated", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringNotEquals":{"iot:Connection.Thing.ThingName":"dev"}})"), "iot:Connect", "client/dev", device("dev"), true},
        Case{"null true", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"Null":{"iot:Connection.Thing.ThingName":"true"}})"), "iot:Connect", "client/dev", device("dev"), true},
        Case{"null false", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"Null":{"iot:Connection.Thing.ThingName":"false"}})"), "iot:Connect", "client/dev", device("dev"), false},
        Case{"bool not attached", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"Bool":{"iot:Connection.Thing.IsAttached":"true"}})"), "iot:Connect", "client/dev", device("dev"), false},
        Case{"for any value", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"ForAnyValue:StringEquals":{"iot:Certificate.Subject.Organization.List":"Acme"}})"), "iot:Connect", "client/dev", device("dev"), true},
        Case{"for all values fails", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"ForAllValues:StringEquals":{"iot:Certificate.Subject.Organization.List":"Acme"}})"), "iot:Connect", "client/dev", device("dev"), false},
        Case{"for all values holds", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"ForAllValues:StringLike":{"iot:Certificate.Subject.Organization.List":["Acme","N*"]}})"), "iot:Connect", "client/dev", device("dev"), true},
        Case{"numeric", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"NumericGreaterThan":{"iot:Certificate.SerialNumber":4000}})"), "iot:Connect", "client/dev", device("dev"), true},
        Case{"numeric lt", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"NumericLessThan":{"iot:Certificate.SerialNumber":"4000"}})"), "iot:Connect", "client/dev", device("dev"), false},
        Case{"all conditions ANDed", one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"StringLike":{"iot:ClientId":"d*"},"IpAddress":{"aws:SourceIp":"192.168.0.0/16"}})"), "iot:Connect", "client/dev", device("dev"), false},
        // NotAction / NotResource.
        Case{"not action", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iot:Connect","Resource":"*"}]})", "iot:Publish", "topic/a", device("c"), true},
        Case{"not action excludes", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iot:Connect","Resource":"*"}]})", "iot:Connect", "client/c", device("c"), false},
        Case{"not resource", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish","NotResource":"arn:aws:iot:*:*:topic/secret/*"}]})", "iot:Publish", "topic/open", device("c"), true},
        Case{"not resource excludes", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish","NotResource":"arn:aws:iot:*:*:topic/secret/*"}]})", "iot:Publish", "topic/secret/x", device("c"), false},
        Case{"not resource unresolved never widens", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish","NotResource":"arn:aws:iot:*:*:topic/${iot:Connection.Thing.ThingName}"}]})", "iot:Publish", "topic/x", device("c"), false},
        // Deny wins inside one document.
        Case{"deny wins", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"},{"Effect":"Deny","Action":"iot:Publish","Resource":"arn:aws:iot:*:*:topic/locked"}]})", "iot:Publish", "topic/locked", device("c"), false},
        Case{"deny elsewhere", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"},{"Effect":"Deny","Action":"iot:Publish","Resource":"arn:aws:iot:*:*:topic/locked"}]})", "iot:Publish", "topic/open", device("c"), true}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      std::string n = param_info.param.name;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(PolicyEvaluateThing, ThingVariablesResolveWhenProvided) {
  auto doc = must_parse(one_statement("Allow", R"("iot:Publish")",
                                      R"("arn:aws:iot:us-east-1:123456789012:topic/${iot:Connection.Thing.ThingName}/${iot:Connection.Thing.Attributes[site]}/${iot:Connection.Thing.ThingTypeName}")",
                                      R"({"Bool":{"iot:Connection.Thing.IsAttached":"true"}})"));
  auto facts = device("lamp-7");
  facts.thing = policy::ThingFacts{"lamp-7", "bulb", {{"site", "ams"}}};
  policy::Request r{"iot:Publish", std::string(kArn) + "topic/lamp-7/ams/bulb", policy::connection_variables(facts)};
  EXPECT_TRUE(policy::evaluate({&doc}, r).allowed());
  r.resource = std::string(kArn) + "topic/lamp-8/ams/bulb";
  EXPECT_FALSE(policy::evaluate({&doc}, r).allowed());
}

TEST(PolicyEvaluateMany, DefaultDenyWithNoPolicies) {
  policy::Request r{"iot:Connect", std::string(kArn) + "client/x", {}};
  auto d = policy::evaluate({}, r);
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.reason, policy::Decision::Reason::default_deny);
  EXPECT_EQ(d.why(), "default deny (no statement allows)");
}

TEST(PolicyEvaluateMany, DenyInAnyPolicyWinsAndIsReported) {
  auto allow = must_parse(one_statement("Allow", R"("iot:*")", R"("*")"));
  auto deny = must_parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"},
      {"Sid":"NoPub","Effect":"Deny","Action":"iot:Publish","Resource":"*"}]})");
  policy::Request r{"iot:Publish", std::string(kArn) + "topic/a", {}};
  auto d = policy::evaluate({&allow, &deny}, r);
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.reason, policy::Decision::Reason::explicit_deny);
  EXPECT_EQ(d.policy_index, 1u);
  EXPECT_EQ(d.statement_index, 1u);
  EXPECT_EQ(d.why(), "explicit deny by policy[1].Statement[1] (Sid NoPub)");
  // The allow is reported when nothing denies.
  r.action = "iot:Connect";
  d = policy::evaluate({&allow, &deny}, r);
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.policy_index, 0u);
  EXPECT_EQ(d.why(), "allowed by policy[0].Statement[0]");
}

TEST(PolicyEvaluateArn, ArnLikeWildcardStaysInItsComponent) {
  auto doc = must_parse(one_statement("Allow", R"("iot:Connect")", R"("*")",
                                      R"({"ArnLike":{"iot:SourceArn":"arn:aws:iot:*:123456789012:thing/*"}})"));
  policy::Request r{"iot:Connect", std::string(kArn) + "client/c", {}};
  r.variables.set("iot:SourceArn", "arn:aws:iot:eu-west-1:123456789012:thing/a:b");
  EXPECT_TRUE(policy::evaluate({&doc}, r).allowed());
  // "*" in the region component may not swallow "eu-west-1:999" to shift the account.
  r.variables.set("iot:SourceArn", "arn:aws:iot:eu-west-1:999:123456789012:thing/a");
  EXPECT_FALSE(policy::evaluate({&doc}, r).allowed());
}

TEST(PolicyPattern, MatcherHandlesPathologicalStarsQuickly) {
  // Built with append, not `std::string(n, c) + "…"`: GCC 12 warns falsely on that (-Warray-bounds).
  std::string stars(200, '*');
  stars.append("a*a*a*a*a*a*b");
  auto p = policy::compile_pattern(stars, false);
  std::string subject(5000, 'a');
  EXPECT_FALSE(policy::wildcard_match(p, subject, false));
  subject.push_back('b');
  EXPECT_TRUE(policy::wildcard_match(p, subject, false));
}

TEST(PolicyPattern, Ipv6Cidr) {
  auto doc = must_parse(one_statement("Allow", R"("iot:Connect")", R"("*")", R"({"IpAddress":{"aws:SourceIp":"2001:db8::/32"}})"));
  policy::Request r{"iot:Connect", std::string(kArn) + "client/c", {{"aws:SourceIp", {"2001:db8:1::5"}}}};
  EXPECT_TRUE(policy::evaluate({&doc}, r).allowed());
  r.variables.set("aws:SourceIp", "2001:db9::5");
  EXPECT_FALSE(policy::evaluate({&doc}, r).allowed());
  r.variables.set("aws:SourceIp", "10.0.0.1");
  EXPECT_FALSE(policy::evaluate({&doc}, r).allowed());
}

}  // namespace
