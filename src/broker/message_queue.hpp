// Queues of messages that wait on one client (an offline persistent session; deliveries behind
// the QoS 1 window), bounded by count AND by bytes: a thousand 128 KB messages would be 128 MB
// for one slow or absent subscriber, so the byte budget is what keeps memory bounded.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

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
    return size() < budget.messages && bytes_ + queued_bytes(m) <= budget.bytes;
  }
  bool over(const QueueBudget& budget) const { return size() > budget.messages || bytes_ > budget.bytes; }

  void push_back(T item) {
    bytes_ += queued_bytes(message_of(item));
    items().push_back(std::move(item));
  }
  void push_front(T item) {
    bytes_ += queued_bytes(message_of(item));
    items().push_front(std::move(item));
  }
  T pop_front() {
    T item = std::move(items_->front());
    items_->pop_front();
    bytes_ -= queued_bytes(message_of(item));
    return item;
  }
  T pop_back() {
    T item = std::move(items_->back());
    items_->pop_back();
    bytes_ -= queued_bytes(message_of(item));
    return item;
  }
  const T& back() const { return items_->back(); }
  std::vector<T> take_all() {  // in queue order; the queue is empty (and unallocated) afterwards
    std::vector<T> out;
    if (items_) out.assign(std::make_move_iterator(items_->begin()), std::make_move_iterator(items_->end()));
    items_.reset();
    bytes_ = 0;
    return out;
  }
  bool empty() const { return !items_ || items_->empty(); }
  std::size_t size() const { return items_ ? items_->size() : 0; }
  std::size_t bytes() const { return bytes_; }

 private:
  std::deque<T>& items() {
    if (!items_) items_ = std::make_unique<std::deque<T>>();
    return *items_;
  }

  // Allocated on first use: an empty libstdc++ deque already holds ~600 bytes, and most clients
  // (every idle one) never queue anything. Two queues per connected client.
  std::unique_ptr<std::deque<T>> items_;
  std::size_t bytes_ = 0;
};

}  // namespace trustlane::broker
