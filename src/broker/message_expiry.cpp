#include "broker/message_expiry.hpp"

#include <algorithm>

namespace trustlane::broker {

std::optional<std::int64_t> expiry_time(const mqtt::Properties& properties, std::int64_t now) {
  if (!properties.message_expiry_interval) return std::nullopt;
  return now + static_cast<std::int64_t>(*properties.message_expiry_interval);
}

bool has_expired(const std::optional<std::int64_t>& expires_at, std::int64_t now) {
  return expires_at && now >= *expires_at;
}

void set_remaining_interval(mqtt::Properties& forwarded, const std::optional<std::int64_t>& expires_at,
                            std::int64_t now) {
  if (!expires_at) return;
  forwarded.message_expiry_interval = static_cast<std::uint32_t>(std::clamp<std::int64_t>(*expires_at - now, 0, 0xFFFFFFFF));
}

}  // namespace trustlane::broker
