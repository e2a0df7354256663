// Queues of messages that wait on one client (an offline persistent session; deliveries behind
// the QoS 1 window), bounded by count AND by bytes: a thousand 128 KB messages would be 128 MB
// for one slow or absent subscriber, so the byte budget is what keeps memory bounded.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

#include "broker/message.hpp"

namespace trustlane::broker {

struct QueueBudget {
  std::size_t messages = 1000;
  std::size_t bytes = 16u << 20;
};

// A delivery waiting for room in the client's QoS 1 window.
struct PendingDelivery {
  Message message;
  std::uint32_t subscription_id = 0;
  bool retain_flag = false;
};

// What a queued message costs: its topic, payload and properties' bulk, plus the bookkeeping.
std::size_t queued_bytes(const Message& m);
inline const Message& message_of(const Message& m) { return m; }
inline const Message& message_of(const PendingDelivery& p) { return p.message; }

template <class T>
class MessageQueue {
 public:
  // Whether one more message of this kind stays within `budget`.
  bool fits(const Message& m, const QueueBudget& budget) const {
    return items_.size() < budget.messages && bytes_ + queued_bytes(m) <= budget.bytes;
  }
  bool over(const QueueBudget& budget) const { return items_.size() > budget.messages || bytes_ > budget.bytes; }

  void push_back(T item) {
    bytes_ += queued_bytes(message_of(item));
    items_.push_back(std::move(item));
  }
  void push_front(T item) {
    bytes_ += queued_bytes(message_of(item));
    items_.push_front(std::move(item));
  }
  T pop_front() {
    T item = std::move(items_.front());
    items_.pop_front();
    bytes_ -= queued_bytes(message_of(item));
    return item;
  }
  T pop_back() {
    T item = std::move(items_.back());
    items_.pop_back();
    bytes_ -= queued_bytes(message_of(item));
    return item;
  }
  const T& back() const { return items_.back(); }
  std::deque<T> take_all() {
    bytes_ = 0;
    return std::exchange(items_, {});
  }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  std::deque<T> items_;
  std::size_t bytes_ = 0;
};

}  // namespace trustlane::broker
