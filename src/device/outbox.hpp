// The device's QoS 1 publishes that the broker has not acknowledged yet, kept across connections
// so a reconnect resends them (at-least-once survives a dropped link). Sans-I/O; bounded: when full,
// the oldest message is given up and the caller told, never unbounded growth while offline.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "util/bytes.hpp"

namespace trustlane::device {

class Outbox {
 public:
  struct Message {
    std::uint16_t packet_id = 0;  // the id it was last sent with
    std::string topic;
    Bytes payload;
  };

  explicit Outbox(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Records a QoS 1 publish just sent; returns how many old messages were given up to make room.
  std::size_t track(std::uint16_t packet_id, std::string topic, Bytes payload);
  // A PUBACK: true if it matched a tracked message (which is then forgotten).
  bool acknowledge(std::uint16_t packet_id);
  // On a new connection: every pending message, oldest first, removed from the outbox; the caller
  // sends each again and tracks it under the id it is sent with.
  std::deque<Message> take_pending();

  std::size_t size() const { return pending_.size(); }
  bool empty() const { return pending_.empty(); }

 private:
  std::size_t capacity_;
  std::deque<Message> pending_;
};

}  // namespace trustlane::device
