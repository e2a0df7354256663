#include "broker/publish_rules.hpp"

#include "mqtt/topic.hpp"

namespace trustlane::broker {
namespace {

// The `$` topics a client may publish to; the other `$` topics are the broker's own.
bool publishable_reserved_topic(std::string_view topic) {
  return topic.starts_with("$aws/things/") || topic.starts_with("$aws/rules/");
}

}  // namespace

TopicVerdict check_client_publish(std::string_view topic, bool retain) {
  if (mqtt::validate_topic_name(topic)) return TopicVerdict::invalid;
  if (topic[0] != '$') return TopicVerdict::ok;
  // AWS: no retained publishes to `$` topics.
  return publishable_reserved_topic(topic) && !retain ? TopicVerdict::ok : TopicVerdict::reserved;
}

bool delivered_to_subscribers(std::string_view topic) { return !topic.starts_with("$aws/rules/"); }

}  // namespace trustlane::broker
