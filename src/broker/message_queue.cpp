#include "broker/message_queue.hpp"

namespace trustlane::broker {

std::size_t queued_bytes(const Message& m) {
  std::size_t n = sizeof(Message) + m.topic.size() + m.payload.size();
  const auto& p = m.properties;
  for (const auto& [key, value] : p.user_properties) n += key.size() + value.size() + 64;
  if (p.correlation_data) n += p.correlation_data->size();
  if (p.response_topic) n += p.response_topic->size();
  if (p.content_type) n += p.content_type->size();
  return n;
}

}  // namespace trustlane::broker
