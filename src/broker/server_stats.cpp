#include "broker/server_stats.hpp"

#include <fmt/format.h>

namespace trustlane::broker {

void RateMeter::sample(std::uint64_t total, Clock::time_point now) {
  if (sampled_ && now > last_time_) {
    double seconds = std::chrono::duration<double>(now - last_time_).count();
    rate_ = total >= last_total_ ? static_cast<double>(total - last_total_) / seconds : 0;
  }
  if (!sampled_ || now > last_time_) {
    last_total_ = total;
    last_time_ = now;
    sampled_ = true;
  }
}

void Stats::refused(std::string_view reason) {
  std::lock_guard lock(mutex_);
  auto it = refusals_.find(reason);
  if (it == refusals_.end()) it = refusals_.emplace(std::string(reason), 0).first;
  ++it->second;
  ++refusals_total_;
}

std::map<std::string, std::uint64_t> Stats::refusals() const {
  std::lock_guard lock(mutex_);
  return {refusals_.begin(), refusals_.end()};
}

bool Stats::log_due(std::string_view reason, Clock::time_point now, std::uint64_t* suppressed) {
  std::lock_guard lock(mutex_);
  auto it = log_state_.find(reason);
  if (it == log_state_.end()) it = log_state_.emplace(std::string(reason), LogState{}).first;
  auto& s = it->second;
  if (s.last != Clock::time_point{} && now - s.last < std::chrono::seconds(1)) {
    ++s.suppressed;
    return false;
  }
  if (suppressed) *suppressed = s.suppressed;
  s.suppressed = 0;
  s.last = now;
  return true;
}

void Stats::sample(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  messages_in_rate_.sample(messages_in.load(), now);
  messages_out_rate_.sample(messages_out.load(), now);
  bytes_in_rate_.sample(bytes_in.load(), now);
  bytes_out_rate_.sample(bytes_out.load(), now);
  connects_rate_.sample(connects_accepted.load(), now);
  refusals_rate_.sample(refusals_total_, now);
}

nlohmann::json Stats::to_json() const {
  nlohmann::json j{{"connections", connections.load()},        {"connectionsTotal", connects_accepted.load()},
                   {"tlsAccepted", tls_accepted.load()},       {"connectsAccepted", connects_accepted.load()},
                   {"messagesIn", messages_in.load()},          {"messagesOut", messages_out.load()},
                   {"bytesIn", bytes_in.load()},                {"bytesOut", bytes_out.load()},
                   {"dropped", dropped.load()}};
  std::lock_guard lock(mutex_);
  j["rates"] = {{"connectsPerSecond", connects_rate_.per_second()},
                {"messagesInPerSecond", messages_in_rate_.per_second()},
                {"messagesOutPerSecond", messages_out_rate_.per_second()},
                {"bytesInPerSecond", bytes_in_rate_.per_second()},
                {"bytesOutPerSecond", bytes_out_rate_.per_second()},
                {"refusalsPerSecond", refusals_rate_.per_second()}};
  j["refusals"] = nlohmann::json::object();
  for (const auto& [k, v] : refusals_) j["refusals"][k] = v;
  return j;
}

std::string Stats::line() const {
  auto j = to_json();
  std::string refusal_text;
  for (const auto& [k, v] : j["refusals"].items()) refusal_text += fmt::format(" {}={}", k, v.get<std::uint64_t>());
  const auto& r = j["rates"];
  return fmt::format(
      "connections={} accepted={} msgs_in={} ({:.0f}/s) msgs_out={} ({:.0f}/s) bytes_in/s={:.0f} bytes_out/s={:.0f} "
      "dropped={} refusals:{}",
      connections.load(), connects_accepted.load(), j["messagesIn"].get<std::uint64_t>(),
      r["messagesInPerSecond"].get<double>(), j["messagesOut"].get<std::uint64_t>(),
      r["messagesOutPerSecond"].get<double>(), r["bytesInPerSecond"].get<double>(), r["bytesOutPerSecond"].get<double>(),
      dropped.load(), refusal_text.empty() ? " none" : refusal_text);
}

}  // namespace trustlane::broker
