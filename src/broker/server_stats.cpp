#include "broker/server_stats.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace trustlane::broker {

void Stats::refused(std::string_view reason) {
  std::lock_guard lock(mutex_);
  auto it = refusals_.find(reason);
  if (it == refusals_.end()) it = refusals_.emplace(std::string(reason), 0).first;
  ++it->second;
}

std::map<std::string, std::uint64_t> Stats::refusals() const {
  std::lock_guard lock(mutex_);
  return {refusals_.begin(), refusals_.end()};
}

std::string Stats::json() const {
  nlohmann::json j{{"connections", connections.load()},        {"tlsAccepted", tls_accepted.load()},
                   {"connectsAccepted", connects_accepted.load()}, {"messagesIn", messages_in.load()},
                   {"messagesOut", messages_out.load()},        {"bytesIn", bytes_in.load()},
                   {"bytesOut", bytes_out.load()},              {"dropped", dropped.load()}};
  j["refusals"] = nlohmann::json::object();
  for (const auto& [k, v] : refusals()) j["refusals"][k] = v;
  return j.dump();
}

std::string Stats::line() const {
  std::string refusal_text;
  for (const auto& [k, v] : refusals()) refusal_text += fmt::format(" {}={}", k, v);
  return fmt::format("connections={} accepted={} msgs_in={} msgs_out={} dropped={} refusals:{}", connections.load(),
                     connects_accepted.load(), messages_in.load(), messages_out.load(), dropped.load(),
                     refusal_text.empty() ? " none" : refusal_text);
}

}  // namespace trustlane::broker
