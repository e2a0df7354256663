#include "device/outbox.hpp"

#include <algorithm>

namespace trustlane::device {

std::size_t Outbox::track(std::uint16_t packet_id, std::string topic, Bytes payload) {
  std::size_t dropped = 0;
  while (pending_.size() >= capacity_) {
    pending_.pop_front();
    ++dropped;
  }
  pending_.push_back(Message{packet_id, std::move(topic), std::move(payload)});
  return dropped;
}

bool Outbox::acknowledge(std::uint16_t packet_id) {
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Message& m) { return m.packet_id == packet_id; });
  if (it == pending_.end()) return false;
  pending_.erase(it);
  return true;
}

std::deque<Outbox::Message> Outbox::take_pending() {
  std::deque<Message> out;
  out.swap(pending_);
  return out;
}

}  // namespace trustlane::device
