#include "chip/policy.hpp"

#include "se05x/constants.hpp"

namespace trustlane::chip {

std::optional<std::vector<PolicyRecord>> parse_policy(ByteView policy) {
  std::vector<PolicyRecord> out;
  std::size_t pos = 0;
  while (pos < policy.size()) {
    std::size_t len = policy[pos];
    if (len < 8 || pos + 1 + len > policy.size()) return std::nullopt;
    auto rec = policy.subspan(pos + 1, len);
    PolicyRecord r;
    r.auth_id = *get_u32(rec, 0);
    r.rules = *get_u32(rec, 4);
    r.extension.assign(rec.begin() + 8, rec.end());
    out.push_back(std::move(r));
    pos += 1 + len;
  }
  return out;
}

Bytes encode_policy(const std::vector<PolicyRecord>& records) {
  Bytes out;
  for (const auto& r : records) {
    out.push_back(static_cast<std::uint8_t>(8 + r.extension.size()));
    put_u32(out, r.auth_id);
    put_u32(out, r.rules);
    out.insert(out.end(), r.extension.begin(), r.extension.end());
  }
  return out;
}

bool policy_allows(ByteView policy, std::uint32_t auth_id, std::uint32_t operation) {
  if (policy.empty()) return true;
  auto records = parse_policy(policy);
  if (!records) return false;  // never stored: policies are validated on write
  const PolicyRecord* anyone = nullptr;
  const PolicyRecord* mine = nullptr;
  for (const auto& r : *records) {
    if (r.auth_id == se05x::policy::kAnyone) anyone = &r;
    else if (auth_id != 0 && r.auth_id == auth_id) mine = &r;
  }
  const PolicyRecord* applies = mine ? mine : anyone;
  if (!applies) return false;
  if (applies->rules & se05x::policy::kForbidAll) return false;
  // The emulator offers no secure messaging (SCP03), so an object that requires it is unusable.
  if (applies->rules & se05x::policy::kRequireSm) return false;
  return (applies->rules & operation) != 0;
}

}  // namespace trustlane::chip
