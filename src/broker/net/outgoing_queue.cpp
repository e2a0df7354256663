#include "broker/net/outgoing_queue.hpp"

#include <algorithm>

namespace trustlane::broker::net {

namespace {
// A buffer that grew for a burst is given back once it has drained, so an idle connection
// does not keep a burst's worth of memory.
constexpr std::size_t kKeepCapacity = 64 * 1024;
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
  pending_.insert(pending_.end(), frame.begin(), frame.end());
  return Verdict::queued;
}

ByteView OutgoingQueue::begin_write() {
  // Swap, not copy: the pending buffer becomes the write buffer and the old write buffer's
  // allocation is reused for the next frames.
  writing_.swap(pending_);
  return writing_;
}

void OutgoingQueue::written() {
  writing_.clear();
  if (writing_.capacity() > kKeepCapacity) Bytes().swap(writing_);
  if (pending_.empty() && pending_.capacity() > kKeepCapacity) Bytes().swap(pending_);
}

}  // namespace trustlane::broker::net
