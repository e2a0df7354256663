#include "loadgen/message.hpp"

#include <algorithm>

#include "mqtt/codec.hpp"

namespace trustlane::loadgen {

namespace {

void put(std::uint8_t* at, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) at[i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
}
std::uint64_t get(ByteView b, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | b[at + i];
  return v;
}

}  // namespace

std::optional<Stamp> read_stamp(ByteView payload) {
  if (payload.size() < kStampSize) return std::nullopt;
  return Stamp{get(payload, 0, 8), static_cast<std::uint32_t>(get(payload, 8, 4)), get(payload, 12, 8)};
}

PublishTemplate::PublishTemplate(const std::string& topic, mqtt::QoS qos, std::size_t payload_size,
                                 mqtt::Version version)
    : payload_size_(std::max(payload_size, kStampSize)) {
  mqtt::Publish p;
  p.qos = qos;
  p.topic = topic;
  if (qos != mqtt::QoS::at_most_once) p.packet_id = 1;
  p.payload.assign(payload_size_, 0x2e);
  frame_ = mqtt::encode(p, version);
  // Where the codec put the fields: fixed header (type byte, Remaining Length varint), topic
  // (length-prefixed), packet id; the payload is the frame's tail in every version.
  std::size_t header = 1;
  while (frame_[header] & 0x80) ++header;
  ++header;
  if (qos != mqtt::QoS::at_most_once) packet_id_at_ = header + 2 + topic.size();
  payload_at_ = frame_.size() - payload_size_;
}

void PublishTemplate::append_to(Bytes& out, std::uint16_t packet_id, const Stamp& stamp) const {
  const std::size_t base = out.size();
  out.insert(out.end(), frame_.begin(), frame_.end());
  std::uint8_t* frame = out.data() + base;
  if (packet_id_at_) put(frame + packet_id_at_, packet_id, 2);
  put(frame + payload_at_, stamp.sent_ns, 8);
  put(frame + payload_at_ + 8, stamp.publisher, 4);
  put(frame + payload_at_ + 12, stamp.sequence, 8);
}

}  // namespace trustlane::loadgen
