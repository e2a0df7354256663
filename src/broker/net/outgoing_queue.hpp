// The bytes waiting to be written to one client, sans-I/O: whole MQTT frames appended in order
// into blocks of up to 64 KiB, so the writer hands the TLS layer many frames per write (few large
// TLS records instead of one per frame), and a slow reader is bounded:
//   - above `soft_limit` queued bytes a QoS 0 PUBLISH is dropped (its loss is allowed; our
//     memory is not), every other frame still queues;
//   - above `hard_limit` the connection must be closed (a reader that stopped reading).
// A limit of 0 means unlimited. Queued bytes count everything accepted and not yet written,
// including the write in progress.
// Blocks, not one growing buffer: a backlog of megabytes (a slow subscriber under fan-in) was
// copied again at every doubling of the buffer, into fresh pages, and given back after every
// write; the page faults were a third of the broker's time with 4 KB messages (perf).
#pragma once
#include <cstddef>
#include <deque>

#include "util/bytes.hpp"

namespace trustlane::broker::net {

struct QueueLimits {
  std::size_t soft_limit = 1024 * 1024;       // QoS 0 dropped above; 0 = never dropped
  std::size_t hard_limit = 8 * 1024 * 1024;   // closed above; 0 = never closed
};

// The hard limit that goes with a QoS 0 drop threshold: at least `floor` and 8 × soft, so a
// raised soft limit never closes a connection before any QoS 0 could be dropped; 0 (no QoS 0
// drop) also lifts it.
std::size_t hard_limit_for(std::size_t soft_limit, std::size_t floor);

// True for a PUBLISH with QoS 0 (first byte 0x3X with the QoS bits clear).
bool is_qos0_publish(ByteView frame);

class OutgoingQueue {
 public:
  enum class Verdict { queued, dropped, overflow };

  explicit OutgoingQueue(QueueLimits limits = {}) : limits_(limits) {}

  // Appends one whole frame, or says why not (overflow: nothing was queued; close the connection).
  Verdict push(ByteView frame);

  static constexpr std::size_t kBlockBytes = 64 * 1024;  // a larger frame gets a block of its own

  bool empty() const { return blocks_.empty(); }
  bool writing() const { return !writing_.empty(); }
  std::size_t queued_bytes() const { return pending_bytes_ + writing_.size(); }
  std::size_t reserved_bytes() const;  // memory held (not counting the thread's pool)
  static std::size_t pooled_on_this_thread();  // written blocks the thread keeps for reuse

  // Moves the oldest pending block (the frames that fit in kBlockBytes) into the write buffer
  // and returns it (valid until written()). Call only when !writing() and !empty().
  ByteView begin_write();
  // The write of the buffer from begin_write() completed.
  void written();

 private:
  QueueLimits limits_;
  std::deque<Bytes> blocks_;  // frames not yet handed to a write, in order
  std::size_t pending_bytes_ = 0;
  Bytes writing_;  // the write in progress
  Bytes spare_;    // a small written buffer kept for the next frames
};

}  // namespace trustlane::broker::net
