#include "mqtt/topic.hpp"

#include <algorithm>

#include "mqtt/wire.hpp"

namespace trustlane::mqtt {
namespace {

// Calls f(level) for each '/'-separated level; stops early when f returns false.
template <class F>
bool for_each_level(std::string_view s, F f) {
  while (true) {
    std::size_t slash = s.find('/');
    if (!f(s.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    s.remove_prefix(slash + 1);
  }
}

// The <group> of "$share/<group>/…" or the <rule> of "$aws/rules/<rule>/…"; empty otherwise.
std::string_view prefix_name(std::string_view s) {
  for (std::string_view prefix : {std::string_view("$share/"), std::string_view("$aws/rules/")}) {
    if (!s.starts_with(prefix)) continue;
    std::string_view rest = s.substr(prefix.size());
    return rest.substr(0, rest.find('/'));
  }
  return {};
}

std::optional<TopicError> check_common(std::string_view full, const TopicLimits& limits) {
  if (full.empty()) return TopicError::empty;
  if (!valid_mqtt_utf8(full)) return TopicError::invalid_utf8;
  // The stripped name is not counted below, so it gets its own bound.
  if (prefix_name(full).size() > limits.max_prefix_name) return TopicError::too_long;
  std::string_view counted = strip_for_limits(full);
  if (counted.size() > limits.max_bytes) return TopicError::too_long;
  if (static_cast<std::size_t>(std::count(counted.begin(), counted.end(), '/')) > limits.max_slashes)
    return TopicError::too_many_levels;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(TopicError e) {
  switch (e) {
    case TopicError::empty: return "topic is empty";
    case TopicError::too_long: return "topic is longer than 256 bytes (or its $share/$aws/rules name than 128)";
    case TopicError::too_many_levels: return "topic has more than 7 slashes";
    case TopicError::wildcard_in_name: return "topic name contains a wildcard";
    case TopicError::bad_wildcard: return "wildcard must occupy a whole level (# only last)";
    case TopicError::invalid_utf8: return "topic is not valid UTF-8";
    case TopicError::bad_shared: return "shared subscription needs $share/<group without + or #>/<filter>";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, TopicError e) { return os << to_string(e); }

ReasonCode to_reason_code(TopicError, bool is_filter) {
  return is_filter ? ReasonCode::topic_filter_invalid : ReasonCode::topic_name_invalid;
}

std::optional<SharedFilter> parse_shared(std::string_view filter) {
  constexpr std::string_view prefix = "$share/";
  if (!filter.starts_with(prefix)) return std::nullopt;
  std::string_view rest = filter.substr(prefix.size());
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return SharedFilter{rest, {}};
  return SharedFilter{rest.substr(0, slash), rest.substr(slash + 1)};
}

std::string_view strip_for_limits(std::string_view s) {
  for (std::string_view prefix : {std::string_view("$share/"), std::string_view("$aws/rules/")}) {
    if (!s.starts_with(prefix)) continue;
    std::string_view rest = s.substr(prefix.size());
    std::size_t slash = rest.find('/');
    return slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  }
  return s;
}

std::optional<TopicError> validate_topic_name(std::string_view topic, const TopicLimits& limits) {
  if (auto e = check_common(topic, limits)) return e;
  if (topic.find_first_of("+#") != std::string_view::npos) return TopicError::wildcard_in_name;
  return std::nullopt;
}

std::optional<TopicError> validate_topic_filter(std::string_view filter, const TopicLimits& limits) {
  if (auto e = check_common(filter, limits)) return e;
  std::string_view f = filter;
  if (auto shared = parse_shared(filter)) {
    if (shared->group.empty() || shared->filter.empty() ||
        shared->group.find_first_of("+#") != std::string_view::npos)
      return TopicError::bad_shared;
    f = shared->filter;
  }
  bool ok = true;
  bool seen_hash = false;
  for_each_level(f, [&](std::string_view level) {
    if (seen_hash) return ok = false;  // something after '#'
    if (level.find_first_of("+#") != std::string_view::npos && level.size() != 1) return ok = false;
    if (level == "#") seen_hash = true;
    return true;
  });
  if (!ok) return TopicError::bad_wildcard;
  return std::nullopt;
}

bool topic_matches(std::string_view filter, std::string_view topic) {
  if (!topic.empty() && topic[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#'))
    return false;
  while (true) {
    std::size_t fs = filter.find('/');
    std::string_view flevel = filter.substr(0, fs);
    if (flevel == "#") return true;  // we are at a topic level, so '#' has ≥ 1 level to cover
    std::size_t ts = topic.find('/');
    std::string_view tlevel = topic.substr(0, ts);
    if (flevel != "+" && flevel != tlevel) return false;
    if (fs == std::string_view::npos || ts == std::string_view::npos) {
      return fs == std::string_view::npos && ts == std::string_view::npos;
    }
    filter.remove_prefix(fs + 1);
    topic.remove_prefix(ts + 1);
  }
}

}  // namespace trustlane::mqtt
