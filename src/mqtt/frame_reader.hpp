// Incremental MQTT frame reader: feed it whatever the socket delivered, take whole frames out.
// The Remaining Length varint is capped at 4 bytes and checked against max_packet_size as soon
// as the fixed header is complete, so an oversize claim is refused before any body is buffered
// and memory never grows with the claimed size. Errors are sticky: after one, close the connection.
#pragma once
#include <cstddef>
#include <optional>

#include "mqtt/reason_code.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace trustlane::mqtt {

class FrameReader {
 public:
  // max_packet_size counts the whole packet (fixed header included), as MQTT 5 does.
  explicit FrameReader(std::size_t max_packet_size);

  void feed(ByteView data);
  // The next whole frame; nullopt when more bytes are needed; MALFORMED_PACKET for a 5-byte
  // length, PACKET_TOO_LARGE over the limit.
  Result<std::optional<Bytes>, ReasonCode> next();
  // The same without a copy: the frame's bytes inside the reader, valid until the next call to
  // any member (a reader that decodes each frame at once needs no allocation per frame).
  Result<std::optional<ByteView>, ReasonCode> next_view();
  std::size_t buffered() const { return buffer_.size() - start_; }
  Bytes take_buffered();  // the bytes not yet returned as frames; the reader is empty after

 private:
  std::size_t max_packet_size_;
  Bytes buffer_;
  std::size_t start_ = 0;  // first unconsumed byte (compacted lazily)
  std::optional<ReasonCode> error_;
};

}  // namespace trustlane::mqtt
