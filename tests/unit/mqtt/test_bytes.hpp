// Helpers for hand-annotated byte arrays.
#pragma once
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "mqtt/codec.hpp"
#include "util/bytes.hpp"

namespace mqtt_test {

using trustlane::Bytes;

// Concatenates byte lists and strings: B({0x10, 0x00}, "MQTT").
struct Chunk {
  Bytes bytes;
  Chunk(std::initializer_list<int> b) { for (int v : b) bytes.push_back(static_cast<std::uint8_t>(v)); }
  Chunk(const char* s) : bytes(s, s + std::char_traits<char>::length(s)) {}
};
inline Bytes B(std::initializer_list<Chunk> chunks) {
  Bytes out;
  for (const auto& c : chunks) out.insert(out.end(), c.bytes.begin(), c.bytes.end());
  return out;
}

// decode(wire) == expected, encode(expected) == wire, and re-encoding the decoded value is stable.
inline void expect_round_trip(const Bytes& wire, const trustlane::mqtt::Packet& expected,
                              trustlane::mqtt::Version version) {
  auto decoded = trustlane::mqtt::decode(wire, version);
  ASSERT_TRUE(decoded.ok()) << "decode failed: " << decoded.error() << " for " << expected;
  EXPECT_EQ(decoded.value(), expected) << "decoded " << decoded.value() << "\nexpected " << expected;
  EXPECT_EQ(trustlane::to_hex(trustlane::mqtt::encode(expected, version)), trustlane::to_hex(wire));
  EXPECT_EQ(trustlane::to_hex(trustlane::mqtt::encode(decoded.value(), version)), trustlane::to_hex(wire));
}

inline trustlane::mqtt::ReasonCode decode_error(const Bytes& wire, trustlane::mqtt::Version version) {
  auto decoded = trustlane::mqtt::decode(wire, version);
  EXPECT_FALSE(decoded.ok()) << "unexpectedly decoded " << (decoded.ok() ? decoded.value() : trustlane::mqtt::Packet{});
  return decoded.ok() ? trustlane::mqtt::ReasonCode::success : decoded.error();
}

}  // namespace mqtt_test
