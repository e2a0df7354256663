// What a client may publish before any policy is consulted (AWS IoT Core): a valid topic name
// (≤ 256 bytes, ≤ 7 slashes, no wildcards), among `$` topics only the documented ones
// (`$aws/things/…` shadows and jobs, `$aws/rules/…` Basic Ingest), and nothing retained under `$`.
// PUBLISH and the Will (checked at CONNECT) share these rules, so a Will can never reach a topic
// a PUBLISH could not.
#pragma once
#include <string_view>

namespace trustlane::broker {

enum class TopicVerdict {
  ok,
  invalid,   // not a valid topic name: TOPIC_NAME_INVALID
  reserved,  // a `$` topic clients may not publish to, or a retained publish under `$`
};
TopicVerdict check_client_publish(std::string_view topic, bool retain);

// Basic Ingest (`$aws/rules/<rule>/…`) goes to the rules engine, never to subscribers.
bool delivered_to_subscribers(std::string_view topic);

}  // namespace trustlane::broker
