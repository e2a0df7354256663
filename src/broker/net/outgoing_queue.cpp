#include "broker/net/outgoing_queue.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace trustlane::broker::net {

namespace {
// A buffer that grew for a burst is given back once the queue has drained, so an idle
// connection does not keep a burst's worth of memory.
constexpr std::size_t kKeepCapacity = 4 * 1024;

// Full-size blocks written by this thread's queues, kept for its next ones (2 MiB at most per
// I/O thread). A backlog that comes and goes (a publisher held back for its subscriber, a
// bursty reader) then reuses warm memory: freed blocks went back to glibc, which returned the
// arena's top to the kernel, and every new block page-faulted (a fifth of the broker's time
// with 4 KB messages, perf).
constexpr std::size_t kPoolBlocks = 32;
thread_local std::vector<Bytes> pooled_blocks;

Bytes take_block() {
  if (pooled_blocks.empty()) {
    Bytes block;
    block.reserve(OutgoingQueue::kBlockBytes);
    return block;
  }
  Bytes block = std::move(pooled_blocks.back());
  pooled_blocks.pop_back();
  return block;
}

// Blocks of another size (a frame larger than a block, a small first block) are not kept.
void give_block(Bytes& block) {
  if (block.capacity() != OutgoingQueue::kBlockBytes || pooled_blocks.size() >= kPoolBlocks) return;
  block.clear();
  pooled_blocks.push_back(std::move(block));
}
}  // namespace

std::size_t OutgoingQueue::pooled_on_this_thread() { return pooled_blocks.size(); }

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
  if (blocks_.empty() || (!blocks_.back().empty() && blocks_.back().size() + frame.size() > kBlockBytes))
    blocks_.push_back(std::exchange(spare_, Bytes{}));
  // A block starts small, as a vector does (a connection sending a few small frames stays small);
  // past kKeepCapacity it moves into a full-size block from the pool instead of doubling into
  // fresh memory. A frame larger than a block gets a block of its own size.
  Bytes& block = blocks_.back();
  const std::size_t need = block.size() + frame.size();
  if (need > block.capacity() && need > kKeepCapacity && need <= kBlockBytes) {
    Bytes full = take_block();
    full.assign(block.begin(), block.end());
    block.swap(full);
  }
  block.insert(block.end(), frame.begin(), frame.end());
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
  give_block(writing_);  // a full-size block goes back to the pool
  // A small buffer is kept for the next frames; an idle connection holds no more than that.
  if (spare_.capacity() == 0 && writing_.capacity() <= kKeepCapacity) spare_.swap(writing_);
  Bytes().swap(writing_);
}

std::size_t OutgoingQueue::reserved_bytes() const {
  std::size_t held = writing_.capacity() + spare_.capacity();
  for (const auto& b : blocks_) held += b.capacity();
  return held;
}

}  // namespace trustlane::broker::net
