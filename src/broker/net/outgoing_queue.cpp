#include "broker/net/outgoing_queue.hpp"

#include <algorithm>

namespace trustlane::broker::net {

namespace {
// A buffer that grew for a burst is given back once the queue has drained, so an idle
// connection does not keep a burst's worth of memory.
constexpr std::size_t kKeepCapacity = 4 * 1024;
}  // namespace

std::size_t hard_limit_for(std::size_t soft_limit, std::size_t floor) {
  if (soft_limit == 0) return 0;
  return std::max(floor, soft_limit * 8);
}

bool is_qos0_publish(ByteView frame) {
  return !frame.empty() && (frame[0] & 0xF0) == 0x30 && (frame[0] & 0x06) == 0;
}

OutgoingQueue::Verdict OutgoingQueue::push(ByteView frame) {
  const std::size_t queued = queued_bytes();
  if (limits_.soft_limit && queued > limits_.soft_limit && is_qos0_publish(frame)) return Verdict::dropped;
  if (limits_.hard_limit && queued + frame.size() > limits_.hard_limit) return Verdict::overflow;
  // The first block grows as a vector does (a few small frames stay small); once it is full,
  // the backlog continues in whole blocks. Either way a written buffer is reused if there is one.
  if (blocks_.empty() || (!blocks_.back().empty() && blocks_.back().size() + frame.size() > kBlockBytes)) {
    Bytes block;
    block.swap(spare_);
    if (!blocks_.empty()) block.reserve(std::max(kBlockBytes, frame.size()));
    blocks_.push_back(std::move(block));
  }
  blocks_.back().insert(blocks_.back().end(), frame.begin(), frame.end());
  pending_bytes_ += frame.size();
  return Verdict::queued;
}

ByteView OutgoingQueue::begin_write() {
  writing_ = std::move(blocks_.front());  // written() left writing_ empty and unallocated
  blocks_.pop_front();
  pending_bytes_ -= writing_.size();
  return writing_;
}

void OutgoingQueue::written() {
  writing_.clear();
  if (spare_.capacity() == 0 && writing_.capacity() <= kBlockBytes) spare_.swap(writing_);
  Bytes().swap(writing_);
  // Drained: an idle connection keeps no burst's worth of memory, only a small buffer.
  if (blocks_.empty() && spare_.capacity() > kKeepCapacity) Bytes().swap(spare_);
}

std::size_t OutgoingQueue::reserved_bytes() const {
  std::size_t held = writing_.capacity() + spare_.capacity();
  for (const auto& b : blocks_) held += b.capacity();
  return held;
}

}  // namespace trustlane::broker::net
