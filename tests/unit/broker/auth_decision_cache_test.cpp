#include <gtest/gtest.h>

#include "broker/auth_decision_cache.hpp"

namespace trustlane::broker {
namespace {

const iot::Scope kScope{"123456789012", "us-east-1"};

iot::policy::Document policy(const std::string& json) {
  auto doc = iot::policy::parse(json);
  EXPECT_TRUE(doc) << (doc ? "" : doc.error());
  return doc.value();
}

// Allows publishing and receiving under ${iot:ClientId}/ only.
iot::policy::Document own_topics() {
  return policy(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":["iot:Publish","iot:Receive"],
       "Resource":"arn:aws:iot:us-east-1:123456789012:topic/${iot:ClientId}/*"}]})");
}

iot::policy::Request request(Action action, const std::string& topic) {
  return {std::string(action_name(action)), resource_arn(kScope, action, topic), {{"iot:ClientId", {"dev1"}}}};
}

TEST(AuthDecisionCache, AnswersLikeThePoliciesAndRemembers) {
  auto permissions = std::make_shared<Permissions>(kScope);
  permissions->set_documents({own_topics()});
  DecisionCache cache(permissions);
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(cache.evaluate(request(Action::publish, "dev1/a")).allowed());
    EXPECT_FALSE(cache.evaluate(request(Action::publish, "dev2/a")).allowed());
    EXPECT_TRUE(cache.evaluate(request(Action::receive, "dev1/a")).allowed());
    EXPECT_FALSE(cache.evaluate(request(Action::subscribe, "dev1/a")).allowed());  // not granted
  }
  EXPECT_EQ(cache.size(), 4u);
  EXPECT_EQ(cache.hits(), 8u);  // the second and third rounds
}

TEST(AuthDecisionCache, ActionsAreCachedApart) {
  auto permissions = std::make_shared<Permissions>(kScope);
  permissions->set_documents({policy(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"iot:Publish","Resource":"*"}]})")});
  DecisionCache cache(permissions);
  // The same resource ARN under two actions: a Publish grant says nothing about Receive.
  EXPECT_TRUE(cache.evaluate(request(Action::publish, "t")).allowed());
  EXPECT_FALSE(cache.evaluate(request(Action::receive, "t")).allowed());
  EXPECT_FALSE(cache.evaluate(request(Action::retain_publish, "t")).allowed());
}

TEST(AuthDecisionCache, APolicyChangeAppliesToTheNextCheck) {
  auto permissions = std::make_shared<Permissions>(kScope);
  permissions->set_documents({own_topics()});
  DecisionCache cache(permissions);
  ASSERT_TRUE(cache.evaluate(request(Action::receive, "dev1/a")).allowed());
  ASSERT_TRUE(cache.evaluate(request(Action::receive, "dev1/a")).allowed());
  // Detached (e.g. detach-policy): the same check is now denied, not answered from the cache.
  permissions->set_documents({});
  EXPECT_FALSE(cache.evaluate(request(Action::receive, "dev1/a")).allowed());
  // And a Deny added later wins at once too.
  permissions->set_documents({own_topics(), policy(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Deny","Action":"iot:Receive","Resource":"*"}]})")});
  EXPECT_FALSE(cache.evaluate(request(Action::receive, "dev1/a")).allowed());
  EXPECT_TRUE(cache.evaluate(request(Action::publish, "dev1/a")).allowed());
}

TEST(AuthDecisionCache, StaysBoundedWithManyTopics) {
  auto permissions = std::make_shared<Permissions>(kScope);
  permissions->set_documents({own_topics()});
  DecisionCache cache(permissions, 16);
  for (int i = 0; i < 1000; ++i) {
    auto topic = (i % 2 ? "dev1/" : "dev2/") + std::to_string(i);
    EXPECT_EQ(cache.evaluate(request(Action::publish, topic)).allowed(), i % 2 == 1) << topic;
    EXPECT_LE(cache.size(), 16u);
  }
}

TEST(AuthDecisionCache, OtherActionsAreEvaluatedEveryTime) {
  auto permissions = std::make_shared<Permissions>(kScope);
  permissions->set_documents({policy(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"iot:*","Resource":"*"}]})")});
  DecisionCache cache(permissions);
  iot::policy::Request r{"iot:GetThingShadow", "arn:aws:iot:us-east-1:123456789012:thing/x", {}};
  EXPECT_TRUE(cache.evaluate(r).allowed());
  EXPECT_TRUE(cache.evaluate(r).allowed());
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.hits(), 0u);
}

}  // namespace
}  // namespace trustlane::broker
