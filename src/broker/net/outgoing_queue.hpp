// The bytes waiting to be written to one client, sans-I/O: whole MQTT frames appended in order
// into one contiguous buffer, so the writer hands the TLS layer everything queued in a single
// write (few large TLS records instead of one per frame), and a slow reader is bounded:
//   - above `soft_limit` queued bytes a QoS 0 PUBLISH is dropped (its loss is allowed; our
//     memory is not), every other frame still queues;
//   - above `hard_limit` the connection must be closed (a reader that stopped reading).
// A limit of 0 means unlimited. Queued bytes count everything accepted and not yet written,
// including the write in progress.
#pragma once
#include <cstddef>

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

  bool empty() const { return pending_.empty(); }
  bool writing() const { return !writing_.empty(); }
  std::size_t queued_bytes() const { return pending_.size() + writing_.size(); }
  std::size_t reserved_bytes() const { return pending_.capacity() + writing_.capacity(); }  // memory held

  // Moves everything pending into the write buffer and returns it (valid until written()).
  // Call only when !writing().
  ByteView begin_write();
  // The write of the buffer from begin_write() completed.
  void written();

 private:
  QueueLimits limits_;
  Bytes pending_;  // frames not yet handed to a write
  Bytes writing_;  // the write in progress
};

}  // namespace trustlane::broker::net
