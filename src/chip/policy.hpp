// SE05x object policies: records [len][auth object id (4)][access rules (4)][ext…].
// Sans-I/O: parse the bytes a host sent, decide whether an operation is allowed.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "util/bytes.hpp"

namespace trustlane::chip {

struct PolicyRecord {
  std::uint32_t auth_id = 0;   // 0 = anyone
  std::uint32_t rules = 0;     // se05x::policy bits
  Bytes extension;
};

// nullopt if the bytes are not a sequence of well-formed records.
std::optional<std::vector<PolicyRecord>> parse_policy(ByteView policy);
Bytes encode_policy(const std::vector<PolicyRecord>& records);

// Is `operation` (one se05x::policy bit) allowed to a caller authenticated as `auth_id`
// (0 when no session)? An empty policy means the applet's default: everything allowed.
// A record for the caller's auth object wins over the "anyone" record; FORBID_ALL denies, and
// so does REQUIRE_SM (no secure messaging is offered).
bool policy_allows(ByteView policy, std::uint32_t auth_id, std::uint32_t operation);

}  // namespace trustlane::chip
