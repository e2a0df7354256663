// Encode and decode whole MQTT packets. A frame is the fixed header byte, the Remaining Length
// varint and the body — exactly what FrameReader::next() yields.
//
// Broker I/O layer: bytes from the socket → FrameReader::feed/next → decode(frame, version)
// (the version is known from the CONNECT, which decode reads itself) → state machine; packets
// to send → encode(packet, version) → socket.
#pragma once
#include "mqtt/packets.hpp"
#include "mqtt/reason_code.hpp"
#include "util/result.hpp"

namespace trustlane::mqtt {

// Untrusted input: never throws, never reads past the end. Errors are the MQTT 5 reason code
// to report (MALFORMED_PACKET, PROTOCOL_ERROR, UNSUPPORTED_PROTOCOL_VERSION).
// `version` is the connection's negotiated version; CONNECT carries its own and ignores it.
Result<Packet, ReasonCode> decode(ByteView frame, Version version);

// Encodes in canonical form (shortest acknowledgements, properties in id order). Encoding a
// field the version cannot carry (AUTH in 3.1.1) or a value out of range is a programming error.
Bytes encode(const Packet& packet, Version version);

// A PUBLISH from views of its parts, in one allocation and one copy of the payload. The broker
// encodes each message once per receiver: building a Publish (then a Packet, then a body) per
// receiver copied a 4 KB payload four times. encode(Publish) goes through the same code.
struct PublishParts {
  std::string_view topic;
  ByteView payload;
  QoS qos = QoS::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;             // QoS 1 and 2 only
  const Properties* properties = nullptr;  // v5 only; nullptr: none
};
Bytes encode_publish(const PublishParts& publish, Version version);

}  // namespace trustlane::mqtt
