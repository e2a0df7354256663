// Topic names/filters: AWS limits, wildcard placement, AWS '#' semantics, $-topics, $share.
#include <gtest/gtest.h>

#include <string>

#include "mqtt/topic.hpp"

using namespace trustlane::mqtt;

namespace {

struct MatchCase {
  const char* filter;
  const char* topic;
  bool matches;
};

class TopicMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(TopicMatch, Table) {
  EXPECT_EQ(topic_matches(GetParam().filter, GetParam().topic), GetParam().matches)
      << GetParam().filter << " vs " << GetParam().topic;
}

INSTANTIATE_TEST_SUITE_P(
    Aws, TopicMatch,
    ::testing::Values(MatchCase{"a/b", "a/b", true}, MatchCase{"a/b", "a/c", false}, MatchCase{"a/b", "a/b/c", false},
                      MatchCase{"a/b/c", "a/b", false}, MatchCase{"a/+", "a/b", true}, MatchCase{"a/+", "a/", true},
                      MatchCase{"a/+", "a/b/c", false}, MatchCase{"a/+", "a", false}, MatchCase{"+/+", "/x", true},
                      MatchCase{"+", "a", true}, MatchCase{"+", "/a", false},
                      // AWS: sensor/# matches sensor/ and below, never sensor itself.
                      MatchCase{"sensor/#", "sensor", false}, MatchCase{"sensor/#", "sensor/", true},
                      MatchCase{"sensor/#", "sensor/a", true}, MatchCase{"sensor/#", "sensor/a/b/c", true},
                      MatchCase{"sensor/#", "sensors/a", false}, MatchCase{"#", "a/b", true},
                      MatchCase{"#", "/", true}, MatchCase{"a/+/#", "a/b", false}, MatchCase{"a/+/#", "a/b/c", true},
                      // $-topics are not matched by leading wildcards.
                      MatchCase{"#", "$aws/things/x", false}, MatchCase{"+/things/x", "$aws/things/x", false},
                      MatchCase{"$aws/things/+", "$aws/things/x", true}, MatchCase{"$aws/#", "$aws/events/a", true},
                      MatchCase{"A/b", "a/b", false}));

struct ValidityCase {
  std::string text;
  std::optional<TopicError> as_name;
  std::optional<TopicError> as_filter;
};

class TopicValidity : public ::testing::TestWithParam<ValidityCase> {};

TEST_P(TopicValidity, Table) {
  EXPECT_EQ(validate_topic_name(GetParam().text), GetParam().as_name) << GetParam().text;
  EXPECT_EQ(validate_topic_filter(GetParam().text), GetParam().as_filter) << GetParam().text;
}

std::string levels(int slashes) {
  std::string s = "a";
  for (int i = 0; i < slashes; ++i) s += "/a";
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Aws, TopicValidity,
    ::testing::Values(
        ValidityCase{"a/b", std::nullopt, std::nullopt},
        ValidityCase{"", TopicError::empty, TopicError::empty},
        ValidityCase{"a/+", TopicError::wildcard_in_name, std::nullopt},
        ValidityCase{"a/#", TopicError::wildcard_in_name, std::nullopt},
        ValidityCase{"#", TopicError::wildcard_in_name, std::nullopt},
        ValidityCase{"a+", TopicError::wildcard_in_name, TopicError::bad_wildcard},
        ValidityCase{"a/#/b", TopicError::wildcard_in_name, TopicError::bad_wildcard},
        ValidityCase{"a/b#", TopicError::wildcard_in_name, TopicError::bad_wildcard},
        ValidityCase{levels(7), std::nullopt, std::nullopt},
        ValidityCase{levels(8), TopicError::too_many_levels, TopicError::too_many_levels},
        ValidityCase{std::string(256, 'x'), std::nullopt, std::nullopt},
        ValidityCase{std::string(257, 'x'), TopicError::too_long, TopicError::too_long},
        ValidityCase{std::string("a\0b", 3), TopicError::invalid_utf8, TopicError::invalid_utf8},
        // Prefixes that do not count against the limits.
        ValidityCase{"$aws/rules/r/" + levels(7), std::nullopt, std::nullopt},
        ValidityCase{"$aws/rules/r/" + levels(8), TopicError::too_many_levels, TopicError::too_many_levels},
        ValidityCase{"$share/g/" + levels(7), std::nullopt, std::nullopt},
        ValidityCase{"$share/g/a/#", TopicError::wildcard_in_name, std::nullopt},
        ValidityCase{"$share//a", std::nullopt, TopicError::bad_shared},
        ValidityCase{"$share/g", std::nullopt, TopicError::bad_shared},
        ValidityCase{"$share/+/a", TopicError::wildcard_in_name, TopicError::bad_shared},
        ValidityCase{"$share/a#b/a", TopicError::wildcard_in_name, TopicError::bad_shared},
        // The stripped $share group / $aws/rules rule name has its own bound (128 bytes).
        ValidityCase{"$share/" + std::string(128, 'g') + "/" + levels(7), std::nullopt, std::nullopt},
        ValidityCase{"$share/" + std::string(129, 'g') + "/a", TopicError::too_long, TopicError::too_long},
        ValidityCase{"$share/" + std::string(60'000, 'g') + "/a", TopicError::too_long, TopicError::too_long},
        ValidityCase{"$aws/rules/" + std::string(128, 'r') + "/a", std::nullopt, std::nullopt},
        ValidityCase{"$aws/rules/" + std::string(129, 'r') + "/a", TopicError::too_long, TopicError::too_long},
        ValidityCase{"$share/" + std::string(129, 'g'), TopicError::too_long, TopicError::too_long}));

TEST(TopicShared, Parse) {
  auto s = parse_shared("$share/grp/a/+/c");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->group, "grp");
  EXPECT_EQ(s->filter, "a/+/c");
  EXPECT_FALSE(parse_shared("share/grp/a"));
  EXPECT_EQ(to_reason_code(TopicError::too_long, true), ReasonCode::topic_filter_invalid);
  EXPECT_EQ(to_reason_code(TopicError::too_long, false), ReasonCode::topic_name_invalid);
}

}  // namespace
