#include "loadgen/message.hpp"

#include <algorithm>

#include "mqtt/codec.hpp"

namespace trustlane::loadgen {

std::optional<Stamp> read_stamp(ByteView payload) {
  auto sent = get_u64(payload, 0);
  auto publisher = get_u32(payload, 8);
  auto sequence = get_u64(payload, 12);
  if (!sent || !publisher || !sequence) return std::nullopt;
  return Stamp{*sent, *publisher, *sequence};
}

PublishTemplate::PublishTemplate(const std::string& topic, mqtt::QoS qos, std::size_t payload_size,
                                 mqtt::Version version) {
  const std::size_t size = std::max(payload_size, kStampSize);
  mqtt::Publish p;
  p.qos = qos;
  p.topic = topic;
  if (qos != mqtt::QoS::at_most_once) p.packet_id = 1;
  p.payload.assign(size, 0x2e);
  frame_ = mqtt::encode(p, version);
  // Where the codec put the fields: fixed header (type byte, Remaining Length varint), topic
  // (length-prefixed), packet id; the payload is the frame's tail in every version.
  std::size_t header = 1;
  while (frame_[header] & 0x80) ++header;
  ++header;
  if (qos != mqtt::QoS::at_most_once) packet_id_at_ = header + 2 + topic.size();
  payload_at_ = frame_.size() - size;
}

void PublishTemplate::append_to(Bytes& out, std::uint16_t packet_id, const Stamp& stamp) const {
  auto copy = [&](std::size_t from, std::size_t to) {
    out.insert(out.end(), frame_.begin() + static_cast<std::ptrdiff_t>(from),
               frame_.begin() + static_cast<std::ptrdiff_t>(to));
  };
  std::size_t at = 0;
  if (packet_id_at_) {
    copy(0, packet_id_at_);
    put_u16(out, packet_id);
    at = packet_id_at_ + 2;
  }
  copy(at, payload_at_);
  put_u64(out, stamp.sent_ns);
  put_u32(out, stamp.publisher);
  put_u64(out, stamp.sequence);
  copy(payload_at_ + kStampSize, frame_.size());
}

}  // namespace trustlane::loadgen
