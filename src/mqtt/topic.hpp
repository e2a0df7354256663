// Topic names and filters with AWS IoT Core's rules and limits:
// - ≤ 256 bytes and ≤ 7 slashes, counted after stripping "$share/<group>/" (filters) and
//   "$aws/rules/<rule>/" (Basic Ingest); the stripped group or rule name is ≤ 128 bytes (AWS
//   rule names are ≤ 128 characters; a share name gets the same bound so that it cannot carry
//   what the 256-byte limit keeps out);
// - `+` a whole level, `#` only as the whole last level; names carry no wildcards;
// - `a/#` matches "a/" and everything below, but NOT "a" (AWS deviates from MQTT §4.7.1.2);
// - a filter starting with a wildcard does not match topics starting with `$` (§4.7.2).
#pragma once
#include <cstddef>
#include <optional>
#include <ostream>
#include <string_view>

#include "mqtt/reason_code.hpp"

namespace trustlane::mqtt {

struct TopicLimits {
  std::size_t max_bytes = 256;
  std::size_t max_slashes = 7;
  std::size_t max_prefix_name = 128;  // <group> of "$share/<group>/", <rule> of "$aws/rules/<rule>/"
};

enum class TopicError {
  empty,
  too_long,           // > 256 bytes, or a $share group / $aws/rules rule name > 128 bytes
  too_many_levels,
  wildcard_in_name,   // `+`/`#` in a topic name
  bad_wildcard,       // `a+`, `#/a`, `a#`
  invalid_utf8,       // or U+0000
  bad_shared,         // "$share/" with an empty group or one holding `+`/`#`, or no filter
};
std::string_view to_string(TopicError e);
std::ostream& operator<<(std::ostream& os, TopicError e);
ReasonCode to_reason_code(TopicError e, bool is_filter);  // TOPIC_NAME_INVALID / TOPIC_FILTER_INVALID

std::optional<TopicError> validate_topic_name(std::string_view topic, const TopicLimits& limits = {});
std::optional<TopicError> validate_topic_filter(std::string_view filter, const TopicLimits& limits = {});

struct SharedFilter {
  std::string_view group;
  std::string_view filter;
};
// "$share/<group>/<filter>" → {group, filter}; nullopt when not a shared subscription.
std::optional<SharedFilter> parse_shared(std::string_view filter);

// The part the AWS length/slash limits apply to.
std::string_view strip_for_limits(std::string_view topic_or_filter);

// Does a (non-shared, valid) filter match a (valid) topic name? AWS semantics, see above.
bool topic_matches(std::string_view filter, std::string_view topic);

}  // namespace trustlane::mqtt
