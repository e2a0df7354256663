// WRITE (INS 01): WriteECKey (import / generate inside), WriteBinary, WriteUserID,
// WriteCounter, CreateECCurve / SetECCurveParam.
#include "chip/applet.hpp"
#include "chip/policy.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip {

using se05x::CommandApdu;
using se05x::TlvReader;
namespace ins = se05x::ins;
namespace p1 = se05x::p1;
namespace p2 = se05x::p2;
namespace tag = se05x::tag;

namespace {
constexpr std::size_t kMaxBinarySize = 0x7FFF;
constexpr std::uint32_t kReservedMask = 0xFFFF0000;
constexpr std::uint32_t kReservedRange = 0x7FFF0000;  // applet-reserved identifiers

std::optional<crypto::Curve> supported_curve(std::uint8_t curve) {
  if (curve == se05x::curve::kNistP256) return crypto::Curve::P256;
  if (curve == se05x::curve::kNistP384) return crypto::Curve::P384;
  return std::nullopt;
}

Bytes padded_scalar(const crypto::Key& key) {
  Bytes s = key.private_scalar();
  std::size_t n = crypto::field_size(key.curve());
  if (s.size() < n) s.insert(s.begin(), n - s.size(), 0);
  return s;
}

// Common head of the write commands: [11 policy] [12 max attempts] [15 policy check] 41 id.
// Applet 7.x hosts send Update*_Ver with a "policy check" (15) instead of a policy; it is
// accepted and not compared (the stored policy still governs the update).
struct WriteHead {
  std::optional<ByteView> policy;
  std::optional<std::uint16_t> max_attempts;
  std::uint32_t id = 0;
};
std::optional<WriteHead> read_head(TlvReader& r, bool allow_max_attempts) {
  WriteHead h;
  h.policy = r.take(tag::kPolicy);
  if (h.policy && !parse_policy(*h.policy)) return std::nullopt;
  if (allow_max_attempts) {
    if (auto m = r.take(tag::kMaxAttempts)) {
      if (!se05x::tlv_u16(*m)) return std::nullopt;
      h.max_attempts = se05x::tlv_u16(*m);
    }
  }
  if (auto check = r.take(tag::kPolicyCheck); check && !parse_policy(*check)) return std::nullopt;
  auto id = r.take(tag::k1);
  if (!id || !se05x::tlv_u32(*id)) return std::nullopt;
  h.id = *se05x::tlv_u32(*id);
  return h;
}

// Applet 7.x *_Ver commands end with 4B version (4 bytes); older hosts omit it.
bool version_tail_ok(TlvReader& r) {
  if (auto v = r.take(tag::k11); v && !se05x::tlv_u32(*v)) return false;
  return r.at_end();
}
}  // namespace

Reply Applet::write(const CommandApdu& cmd, const Caller& caller) {
  if (cmd.p2 != p2::kDefault && (cmd.p1 & p1::kTypeMask) != p1::kCurve) return fail(Status::WrongP1P2);
  switch (cmd.p1 & p1::kTypeMask) {
    case p1::kEc: return write_ec_key(cmd, caller);
    case p1::kBinary: return write_binary(cmd, caller);
    case p1::kUserId: return write_user_id(cmd, caller);
    case p1::kCounter: return write_counter(cmd, caller);
    case p1::kCurve: return write_curve(cmd);
    default: return fail(Status::WrongP1P2);
  }
}

Reply Applet::write_ec_key(const CommandApdu& cmd, const Caller& caller) {
  const std::uint8_t part = cmd.p1 & p1::kKeyPartMask;
  ObjectKind kind;
  if (part == p1::kKeyPair) kind = ObjectKind::EcKeyPair;
  else if (part == p1::kPrivate) kind = ObjectKind::EcPrivate;
  else if (part == p1::kPublic) kind = ObjectKind::EcPublic;
  else return fail(Status::WrongP1P2);

  TlvReader r(cmd.data);
  auto head = read_head(r, true);
  if (!head) return fail(Status::WrongData);
  auto curve_tlv = r.take(tag::k2);
  auto priv = r.take(tag::k3);
  auto pub = r.take(tag::k4);
  if (!version_tail_ok(r)) return fail(Status::WrongData);
  if (curve_tlv && !se05x::tlv_u8(*curve_tlv)) return fail(Status::WrongData);
  if ((head->id & kReservedMask) == kReservedRange) return fail(Status::NotAllowed);

  const SecureObject* existing = objects_.find(head->id);
  SecureObject o;
  if (existing) {
    if (existing->kind != kind) return fail(Status::Conditions);
    if (curve_tlv && *se05x::tlv_u8(*curve_tlv) != existing->curve) return fail(Status::WrongData);
    bool generating = !priv && !pub;
    std::uint32_t needed = generating ? se05x::policy::kGenerate : se05x::policy::kWrite;
    if (!policy_allows(existing->policy, caller.auth_id, needed)) return fail(Status::NotAllowed);
    o = *existing;
  } else {
    if (!curve_tlv) return fail(Status::WrongData);
    o.id = head->id;
    o.kind = kind;
    o.curve = *se05x::tlv_u8(*curve_tlv);
    if (head->policy) o.policy.assign(head->policy->begin(), head->policy->end());
    o.transient = (cmd.ins & ins::kTransient) != 0;
  }
  auto curve = supported_curve(o.curve);
  if (!curve) return fail(Status::WrongData);

  std::optional<crypto::Key> key;
  switch (kind) {
    case ObjectKind::EcKeyPair:
    case ObjectKind::EcPrivate:
      if (pub && !priv) return fail(Status::WrongData);
      if (priv) {
        key = crypto::Key::from_private_scalar(*curve, *priv);
        if (!key) return fail(Status::WrongData);
        if (pub && key->public_point() != Bytes(pub->begin(), pub->end())) return fail(Status::WrongData);
      } else {
        key = crypto::Key::generate(*curve);  // generated inside: the private key never leaves
      }
      o.data = padded_scalar(*key);
      o.public_point = kind == ObjectKind::EcKeyPair ? key->public_point() : Bytes{};
      break;
    case ObjectKind::EcPublic:
      if (priv || !pub) return fail(Status::WrongData);
      key = crypto::Key::from_public_point(*curve, *pub);
      if (!key) return fail(Status::WrongData);
      o.data.clear();
      o.public_point.assign(pub->begin(), pub->end());
      break;
    case ObjectKind::Binary:
    case ObjectKind::UserId:
    case ObjectKind::Counter:
      return fail(Status::Internal);
  }
  o.key = std::move(key);
  auto s = objects_.put(std::move(o));
  if (s != Status::Ok) return fail(s);
  return Bytes{};
}

Reply Applet::write_binary(const CommandApdu& cmd, const Caller& caller) {
  if (cmd.p1 != p1::kBinary) return fail(Status::WrongP1P2);
  TlvReader r(cmd.data);
  auto head = read_head(r, false);
  if (!head) return fail(Status::WrongData);
  auto offset_tlv = r.take(tag::k2);
  auto length_tlv = r.take(tag::k3);
  auto data = r.take(tag::k4);
  if (!version_tail_ok(r)) return fail(Status::WrongData);
  if ((offset_tlv && !se05x::tlv_u16(*offset_tlv)) || (length_tlv && !se05x::tlv_u16(*length_tlv)))
    return fail(Status::WrongData);
  if ((head->id & kReservedMask) == kReservedRange) return fail(Status::NotAllowed);
  std::size_t offset = offset_tlv ? *se05x::tlv_u16(*offset_tlv) : 0;
  ByteView chunk = data ? *data : ByteView{};

  const SecureObject* existing = objects_.find(head->id);
  SecureObject o;
  if (existing) {
    if (existing->kind != ObjectKind::Binary) return fail(Status::Conditions);
    if (length_tlv && *se05x::tlv_u16(*length_tlv) != existing->data.size()) return fail(Status::WrongData);
    if (!policy_allows(existing->policy, caller.auth_id, se05x::policy::kWrite)) return fail(Status::NotAllowed);
    o = *existing;
  } else {
    // Creation needs the total length; the file starts zero-filled.
    if (!length_tlv) return fail(Status::WrongData);
    std::size_t total = *se05x::tlv_u16(*length_tlv);
    if (total == 0 || total > kMaxBinarySize) return fail(Status::WrongData);
    o.id = head->id;
    o.kind = ObjectKind::Binary;
    if (head->policy) o.policy.assign(head->policy->begin(), head->policy->end());
    o.transient = (cmd.ins & ins::kTransient) != 0;
    o.data.assign(total, 0);
  }
  if (offset + chunk.size() > o.data.size()) return fail(Status::WrongData);
  std::copy(chunk.begin(), chunk.end(), o.data.begin() + static_cast<std::ptrdiff_t>(offset));
  auto s = objects_.put(std::move(o));
  if (s != Status::Ok) return fail(s);
  return Bytes{};
}

Reply Applet::write_user_id(const CommandApdu& cmd, const Caller& caller) {
  (void)caller;
  if (cmd.p1 != p1::kUserId) return fail(Status::WrongP1P2);
  TlvReader r(cmd.data);
  auto head = read_head(r, true);
  if (!head) return fail(Status::WrongData);
  auto value = r.take(tag::k2);
  if (!value || !r.at_end()) return fail(Status::WrongData);
  if (value->size() < 4 || value->size() > 16) return fail(Status::WrongData);
  if ((head->id & kReservedMask) == kReservedRange) return fail(Status::NotAllowed);
  if (objects_.find(head->id)) return fail(Status::NotAllowed);  // a UserID is never rewritten
  SecureObject o;
  o.id = head->id;
  o.kind = ObjectKind::UserId;
  if (head->policy) o.policy.assign(head->policy->begin(), head->policy->end());
  o.max_attempts = head->max_attempts.value_or(0);
  o.transient = (cmd.ins & ins::kTransient) != 0;
  o.data.assign(value->begin(), value->end());
  auto s = objects_.put(std::move(o));
  if (s != Status::Ok) return fail(s);
  return Bytes{};
}

// Create: 41 id, 42 size (1..8) [, 43 initial value]. Existing: 43 value (must grow) or
// nothing (increment by one).
Reply Applet::write_counter(const CommandApdu& cmd, const Caller& caller) {
  if (cmd.p1 != p1::kCounter) return fail(Status::WrongP1P2);
  TlvReader r(cmd.data);
  auto head = read_head(r, false);
  if (!head) return fail(Status::WrongData);
  auto size_tlv = r.take(tag::k2);
  auto value_tlv = r.take(tag::k3);
  if (!r.at_end()) return fail(Status::WrongData);
  if ((head->id & kReservedMask) == kReservedRange) return fail(Status::NotAllowed);
  auto to_u64 = [](ByteView b) {
    std::uint64_t v = 0;
    for (auto x : b) v = v << 8 | x;
    return v;
  };
  auto to_bytes = [](std::uint64_t v, std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[n - 1 - i] = static_cast<std::uint8_t>(v >> (8 * i));
    return b;
  };

  const SecureObject* existing = objects_.find(head->id);
  SecureObject o;
  if (existing) {
    if (existing->kind != ObjectKind::Counter) return fail(Status::Conditions);
    if (size_tlv) return fail(Status::WrongData);
    if (!policy_allows(existing->policy, caller.auth_id, se05x::policy::kWrite)) return fail(Status::NotAllowed);
    o = *existing;
    std::size_t n = o.data.size();
    std::uint64_t current = to_u64(o.data);
    std::uint64_t max = n == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
    std::uint64_t next;
    if (value_tlv) {
      if (value_tlv->size() != n) return fail(Status::WrongData);
      next = to_u64(*value_tlv);
      if (next <= current) return fail(Status::WrongData);  // counters only go up
    } else {
      if (current == max) return fail(Status::Conditions);
      next = current + 1;
    }
    o.data = to_bytes(next, n);
  } else {
    if (!size_tlv || !se05x::tlv_u16(*size_tlv)) return fail(Status::WrongData);
    std::size_t n = *se05x::tlv_u16(*size_tlv);
    if (n < 1 || n > 8) return fail(Status::WrongData);
    if (value_tlv && value_tlv->size() != n) return fail(Status::WrongData);
    o.id = head->id;
    o.kind = ObjectKind::Counter;
    if (head->policy) o.policy.assign(head->policy->begin(), head->policy->end());
    o.transient = (cmd.ins & ins::kTransient) != 0;
    o.data = value_tlv ? Bytes(value_tlv->begin(), value_tlv->end()) : Bytes(n, 0);
  }
  auto s = objects_.put(std::move(o));
  if (s != Status::Ok) return fail(s);
  return Bytes{};
}

// CreateECCurve marks the curve as created; SetECCurveParam is accepted for a known curve
// (the parameters of the NIST curves are built in).
Reply Applet::write_curve(const CommandApdu& cmd) {
  if (cmd.p1 != p1::kCurve) return fail(Status::WrongP1P2);
  TlvReader r(cmd.data);
  auto curve_tlv = r.take(tag::k1);
  if (!curve_tlv || !se05x::tlv_u8(*curve_tlv)) return fail(Status::WrongData);
  std::uint8_t curve = *se05x::tlv_u8(*curve_tlv);
  if (curve < 1 || curve > kCurveSlots) return fail(Status::WrongData);
  if (cmd.p2 == p2::kCreate) {
    if (!r.at_end()) return fail(Status::WrongData);
    auto s = objects_.set_curve(curve, true);
    if (s != Status::Ok) return fail(s);
    return Bytes{};
  }
  if (cmd.p2 == p2::kParam) {
    auto param = r.take(tag::k2);
    auto value = r.take(tag::k3);
    if (!param || !se05x::tlv_u8(*param) || !value || !r.at_end()) return fail(Status::WrongData);
    return Bytes{};
  }
  return fail(Status::WrongP1P2);
}

}  // namespace trustlane::chip
