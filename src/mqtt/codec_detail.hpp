// Per-packet codecs behind decode()/encode(); one .cpp per packet family.
#pragma once
#include "mqtt/codec.hpp"
#include "mqtt/wire.hpp"

namespace trustlane::mqtt::detail {

using Decoded = Result<Packet, ReasonCode>;

inline Failure<ReasonCode> malformed() { return {ReasonCode::malformed_packet}; }
inline Failure<ReasonCode> protocol_error() { return {ReasonCode::protocol_error}; }

// Each decoder gets the fixed-header flags (low nibble) and a reader over exactly the body.
Decoded decode_connect(std::uint8_t flags, Reader& in);
Decoded decode_connack(std::uint8_t flags, Reader& in, Version v);
Decoded decode_publish(std::uint8_t flags, Reader& in, Version v);
Decoded decode_ack(PacketType type, std::uint8_t flags, Reader& in, Version v);
Decoded decode_subscribe(std::uint8_t flags, Reader& in, Version v);
Decoded decode_suback(std::uint8_t flags, Reader& in, Version v);
Decoded decode_unsubscribe(std::uint8_t flags, Reader& in, Version v);
Decoded decode_unsuback(std::uint8_t flags, Reader& in, Version v);
Decoded decode_ping(PacketType type, std::uint8_t flags, Reader& in);
Decoded decode_disconnect_or_auth(PacketType type, std::uint8_t flags, Reader& in, Version v);

// Each encoder appends the body and returns the fixed-header flags nibble.
std::uint8_t encode_connect(const Connect& p, Bytes& body);
std::uint8_t encode_connack(const Connack& p, Bytes& body, Version v);
std::uint8_t encode_ack(PacketType type, const AckFields& p, Bytes& body, Version v);
std::uint8_t encode_subscribe(const Subscribe& p, Bytes& body, Version v);
std::uint8_t encode_suback(const Suback& p, Bytes& body, Version v);
std::uint8_t encode_unsubscribe(const Unsubscribe& p, Bytes& body, Version v);
std::uint8_t encode_unsuback(const Unsuback& p, Bytes& body, Version v);
std::uint8_t encode_reason_and_properties(PacketType type, std::uint8_t reason, const Properties& props,
                                          Bytes& body, Version v);

}  // namespace trustlane::mqtt::detail
