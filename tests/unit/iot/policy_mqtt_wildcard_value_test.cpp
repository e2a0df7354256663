// A policy variable whose value holds an MQTT wildcard (`+`, `#`), substituted into a
// topicfilter resource, never works for the requester: an Allow does not grant, a Deny still
// denies (a NotResource exception built from it does not hold). Elsewhere (topic, client
// resources) values stay plain literal text. Table-driven.
#include <gtest/gtest.h>

#include <string>

#include "iot/policy/policy.hpp"

namespace policy = trustlane::iot::policy;

namespace {

constexpr const char* kArn = "arn:aws:iot:us-east-1:123456789012:";

std::string doc(const std::string& statements) { return R"({"Version":"2012-10-17","Statement":[)" + statements + "]}"; }

const std::string kAllowOwnFilters =
    R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:us-east-1:123456789012:topicfilter/${iot:ClientId}/*"})";
const std::string kAllowAllFilters =
    R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:us-east-1:123456789012:topicfilter/*"})";
const std::string kDenyOwnSecret =
    R"({"Effect":"Deny","Action":"iot:Subscribe","Resource":"arn:aws:iot:us-east-1:123456789012:topicfilter/${iot:ClientId}/secret"})";
const std::string kDenyOutsideOwn =
    R"({"Effect":"Deny","Action":"iot:Subscribe","NotResource":"arn:aws:iot:us-east-1:123456789012:topicfilter/${iot:ClientId}/*"})";
const std::string kAllowOutsideOwn =
    R"({"Effect":"Allow","Action":"iot:Subscribe","NotResource":"arn:aws:iot:us-east-1:123456789012:topicfilter/${iot:ClientId}/*"})";
const std::string kAllowCnFilters =
    R"({"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:us-east-1:123456789012:topicfilter/${iot:Certificate.Subject.CommonName}/*"})";
const std::string kAllowOwnTopics =
    R"({"Effect":"Allow","Action":["iot:Publish","iot:Receive"],"Resource":"arn:aws:iot:us-east-1:123456789012:topic/${iot:ClientId}/*"})";
const std::string kAllowOwnClient =
    R"({"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:us-east-1:123456789012:client/${iot:ClientId}"})";

struct Case {
  std::string name;
  std::string statements;
  std::string client_id;
  std::string common_name;
  std::string action;
  std::string resource;  // after kArn
  bool allowed;
};

class MqttWildcardValue : public ::testing::TestWithParam<Case> {};

TEST_P(MqttWildcardValue, NeverWidens) {
  const Case& c = GetParam();
  auto parsed = policy::parse(doc(c.statements));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  policy::ConnectionFacts facts;
  facts.client_id = c.client_id;
  facts.subject = {{"CN", c.common_name}};
  policy::Request r{c.action, kArn + c.resource, policy::connection_variables(facts)};
  EXPECT_EQ(policy::evaluate({&parsed.value()}, r).allowed(), c.allowed);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MqttWildcardValue,
    ::testing::Values(
        // Allow with ${iot:ClientId}: a normal ID gets its subtree; a wildcard ID gets nothing.
        Case{"plain_id_own", kAllowOwnFilters, "dev1", "cn", "iot:Subscribe", "topicfilter/dev1/x", true},
        Case{"plain_id_other", kAllowOwnFilters, "dev1", "cn", "iot:Subscribe", "topicfilter/dev2/x", false},
        Case{"plus_id_plus_filter", kAllowOwnFilters, "+", "cn", "iot:Subscribe", "topicfilter/+/x", false},
        Case{"plus_id_other_device", kAllowOwnFilters, "+", "cn", "iot:Subscribe", "topicfilter/dev2/x", false},
        Case{"hash_id_hash_filter", kAllowOwnFilters, "#", "cn", "iot:Subscribe", "topicfilter/#", false},
        Case{"hash_id_own_literal", kAllowOwnFilters, "#", "cn", "iot:Subscribe", "topicfilter/#/x", false},
        Case{"embedded_plus", kAllowOwnFilters, "dev+1", "cn", "iot:Subscribe", "topicfilter/dev+1/x", false},
        Case{"embedded_hash", kAllowOwnFilters, "a#b", "cn", "iot:Subscribe", "topicfilter/a#b/x", false},
        Case{"star_id_is_literal", kAllowOwnFilters, "*", "cn", "iot:Subscribe", "topicfilter/*/x", true},
        Case{"star_id_not_wildcard", kAllowOwnFilters, "*", "cn", "iot:Subscribe", "topicfilter/dev2/x", false},
        // Any variable, not only the client ID.
        Case{"cn_plus", kAllowCnFilters, "dev1", "+", "iot:Subscribe", "topicfilter/+/x", false},
        Case{"cn_plain", kAllowCnFilters, "dev1", "dev1", "iot:Subscribe", "topicfilter/dev1/x", true},
        // Deny with such a value still denies (here: everything the Deny's action covers).
        Case{"deny_plain_other", kAllowAllFilters + "," + kDenyOwnSecret, "dev1", "cn", "iot:Subscribe", "topicfilter/dev2/secret", true},
        Case{"deny_plain_own", kAllowAllFilters + "," + kDenyOwnSecret, "dev1", "cn", "iot:Subscribe", "topicfilter/dev1/secret", false},
        Case{"deny_plus_own", kAllowAllFilters + "," + kDenyOwnSecret, "+", "cn", "iot:Subscribe", "topicfilter/+/secret", false},
        Case{"deny_plus_anything", kAllowAllFilters + "," + kDenyOwnSecret, "+", "cn", "iot:Subscribe", "topicfilter/a/b", false},
        // Deny NotResource "outside your subtree": a wildcard ID has no subtree to keep.
        Case{"deny_outside_plain_inside", kAllowAllFilters + "," + kDenyOutsideOwn, "dev1", "cn", "iot:Subscribe", "topicfilter/dev1/x", true},
        Case{"deny_outside_plain_outside", kAllowAllFilters + "," + kDenyOutsideOwn, "dev1", "cn", "iot:Subscribe", "topicfilter/dev2/x", false},
        Case{"deny_outside_plus_own", kAllowAllFilters + "," + kDenyOutsideOwn, "+", "cn", "iot:Subscribe", "topicfilter/+/x", false},
        // Allow NotResource built from it does not apply.
        Case{"allow_outside_plain", kAllowOutsideOwn, "dev1", "cn", "iot:Subscribe", "topicfilter/dev2/x", true},
        Case{"allow_outside_plus", kAllowOutsideOwn, "+", "cn", "iot:Subscribe", "topicfilter/dev2/x", false},
        // Topic and client resources: the value is literal text (topic names hold no wildcards).
        Case{"topic_resource_literal", kAllowOwnTopics, "+", "cn", "iot:Publish", "topic/+/x", true},
        Case{"topic_resource_no_widen", kAllowOwnTopics, "+", "cn", "iot:Receive", "topic/dev2/x", false},
        Case{"client_resource_literal", kAllowOwnClient, "+", "cn", "iot:Connect", "client/+", true},
        Case{"client_resource_other", kAllowOwnClient, "+", "cn", "iot:Connect", "client/dev2", false}),
    [](const auto& test_info) { return test_info.param.name; });

struct ArnCase {
  std::string arn;
  bool topic_filter;
};

class TopicFilterArn : public ::testing::TestWithParam<ArnCase> {};

TEST_P(TopicFilterArn, Recognised) { EXPECT_EQ(policy::is_topic_filter_arn(GetParam().arn), GetParam().topic_filter); }

INSTANTIATE_TEST_SUITE_P(Table, TopicFilterArn,
                         ::testing::Values(ArnCase{"arn:aws:iot:us-east-1:123456789012:topicfilter/a/+", true},
                                           ArnCase{"arn:aws:iot:us-east-1:123456789012:topicfilter/", true},
                                           ArnCase{"arn:aws:iot:us-east-1:123456789012:topic/topicfilter/a", false},
                                           ArnCase{"arn:aws:iot:us-east-1:123456789012:client/topicfilter/", false},
                                           ArnCase{"arn:aws:iot:us-east-1:topicfilter/a", false},
                                           ArnCase{"topicfilter/a", false}, ArnCase{"", false}));

}  // namespace
