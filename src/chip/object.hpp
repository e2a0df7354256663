// A secure object as the chip keeps it: kind, policy, payload, and for keys the parsed key.
#pragma once
#include <cstdint>
#include <optional>

#include "crypto/key.hpp"
#include "util/bytes.hpp"

namespace trustlane::chip {

enum class ObjectKind : std::uint8_t {
  EcKeyPair = 1,
  EcPrivate = 2,
  EcPublic = 3,
  Binary = 4,
  UserId = 5,
  Counter = 6,
};

struct SecureObject {
  std::uint32_t id = 0;
  ObjectKind kind = ObjectKind::Binary;
  std::uint8_t curve = 0;          // SE05x curve id for EC keys (03 = NIST P-256)
  Bytes policy;                    // raw policy records as written (empty = default policy)
  Bytes data;                      // binary contents / UserID value / counter value (BE)
                                   // / EC private scalar (never leaves the chip)
  Bytes public_point;              // EC keys: 04 || X || Y (empty for a private-only key)
  std::uint16_t max_attempts = 0;  // UserID
  bool transient = false;          // vanishes on reset, never persisted
  bool factory = false;            // trust-provisioned: survives DeleteAll
  std::optional<crypto::Key> key;  // parsed EC key (cache, rebuilt from data/public_point)
};

// Bytes of the chip's persistent (or transient) memory an object occupies: payload plus a
// fixed header like the real applet's object table entry.
std::size_t memory_cost(const SecureObject& o);

// Builds `key` from data/public_point; false if they are not a valid key of the curve.
bool load_key(SecureObject& o);

}  // namespace trustlane::chip
