// The load generator's messages. Every payload starts with a stamp (send time, publisher index,
// sequence number) from which a receiver measures latency and removes duplicates. A publisher
// encodes its PUBLISH once (`PublishTemplate`); each message is a copy of those bytes with the
// packet id and stamp written in: encoding 4 KB messages one by one cost the generator four
// allocations and four copies per message, CPU it took from the broker it measures.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "mqtt/packets.hpp"
#include "util/bytes.hpp"

namespace trustlane::loadgen {

struct Stamp {
  std::uint64_t sent_ns = 0;  // steady clock, nanoseconds
  std::uint32_t publisher = 0;
  std::uint64_t sequence = 0;
  bool operator==(const Stamp&) const = default;
};
inline constexpr std::size_t kStampSize = 20;

// nullopt when the payload is too short to carry a stamp (a message not sent by this generator).
std::optional<Stamp> read_stamp(ByteView payload);

class PublishTemplate {
 public:
  // `payload_size` is raised to kStampSize; the rest of the payload is filler.
  PublishTemplate(const std::string& topic, mqtt::QoS qos, std::size_t payload_size, mqtt::Version version);

  // Appends one whole PUBLISH frame to `out`; `packet_id` is ignored for QoS 0.
  void append_to(Bytes& out, std::uint16_t packet_id, const Stamp& stamp) const;

 private:
  Bytes frame_;
  std::size_t packet_id_at_ = 0;  // 0: QoS 0, no packet id
  std::size_t payload_at_ = 0;
};

}  // namespace trustlane::loadgen
