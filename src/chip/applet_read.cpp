// READ (INS 02): ReadObject, ReadSize, ReadType, ReadIDList, GetECCurveId, ReadECCurveList.
#include <algorithm>

#include "chip/applet.hpp"
#include "chip/personality.hpp"
#include "chip/policy.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip {

using se05x::CommandApdu;
using se05x::TlvReader;
using se05x::TlvWriter;
namespace p1 = se05x::p1;
namespace p2 = se05x::p2;
namespace tag = se05x::tag;

namespace {
std::optional<std::uint32_t> only_object_id(ByteView data) {
  TlvReader r(data);
  auto id = r.take(tag::k1);
  if (!id || !r.at_end()) return std::nullopt;
  return se05x::tlv_u32(*id);
}
bool is_ec(ObjectKind k) {
  return k == ObjectKind::EcKeyPair || k == ObjectKind::EcPrivate || k == ObjectKind::EcPublic;
}
}  // namespace

Reply Applet::read(const CommandApdu& cmd, const Caller& caller) {
  if (cmd.p1 == p1::kCurve) {
    if (cmd.p2 == p2::kId) return get_curve_id(cmd);
    if (cmd.p2 == p2::kList) return read_curve_list(cmd);
    return fail(Status::WrongP1P2);
  }
  // ReadCryptoObjectList: no digest/cipher/MAC crypto objects are emulated, so the list is
  // empty. NXP's DeleteAll_Iterative (run by its examples' factory reset) calls it.
  if (cmd.p1 == p1::kCryptoObj && cmd.p2 == p2::kList) return TlvWriter().bytes(tag::k1, {}).data();
  if (cmd.p1 != p1::kDefault) return fail(Status::WrongP1P2);
  switch (cmd.p2) {
    case p2::kDefault: return read_object(cmd, caller);
    case p2::kSize: return read_size(cmd);
    case p2::kType: return read_type(cmd);
    case p2::kList: return read_id_list(cmd);
    default: return fail(Status::WrongP1P2);
  }
}

Reply Applet::read_object(const CommandApdu& cmd, const Caller& caller) {
  TlvReader r(cmd.data);
  auto id = r.take(tag::k1);
  auto offset_tlv = r.take(tag::k2);
  auto length_tlv = r.take(tag::k3);
  if (!id || !r.at_end() || !se05x::tlv_u32(*id)) return fail(Status::WrongData);
  if ((offset_tlv && !se05x::tlv_u16(*offset_tlv)) || (length_tlv && !se05x::tlv_u16(*length_tlv)))
    return fail(Status::WrongData);
  const SecureObject* o = objects_.find(*se05x::tlv_u32(*id));
  if (!o) return fail(Status::NotFound);
  if (!policy_allows(o->policy, caller.auth_id, se05x::policy::kRead)) return fail(Status::NotAllowed);

  ByteView content;
  switch (o->kind) {
    case ObjectKind::EcKeyPair:
    case ObjectKind::EcPublic:
      content = o->public_point;  // a key pair yields only its public half
      break;
    case ObjectKind::EcPrivate:
    case ObjectKind::UserId:
      return fail(Status::NotAllowed);  // secrets are never readable
    case ObjectKind::Binary:
    case ObjectKind::Counter:
      content = o->data;
      break;
  }
  std::size_t offset = offset_tlv ? *se05x::tlv_u16(*offset_tlv) : 0;
  std::size_t length = length_tlv ? *se05x::tlv_u16(*length_tlv) : 0;
  if (offset > content.size()) return fail(Status::WrongData);
  if (length == 0) length = content.size() - offset;
  if (offset + length > content.size()) return fail(Status::WrongData);
  return TlvWriter().bytes(tag::k1, content.subspan(offset, length)).data();
}

Reply Applet::read_size(const CommandApdu& cmd) {
  auto id = only_object_id(cmd.data);
  if (!id) return fail(Status::WrongData);
  const SecureObject* o = objects_.find(*id);
  if (!o) return fail(Status::NotFound);
  std::size_t size = 0;
  switch (o->kind) {
    case ObjectKind::EcKeyPair:
    case ObjectKind::EcPrivate:
    case ObjectKind::EcPublic:
      size = o->curve == se05x::curve::kNistP384 ? 48 : 32;  // key size in bytes
      break;
    case ObjectKind::Binary:
    case ObjectKind::UserId:
    case ObjectKind::Counter:
      size = o->data.size();
      break;
  }
  return TlvWriter().u16(tag::k1, static_cast<std::uint16_t>(size)).data();
}

Reply Applet::read_type(const CommandApdu& cmd) {
  auto id = only_object_id(cmd.data);
  if (!id) return fail(Status::WrongData);
  const SecureObject* o = objects_.find(*id);
  if (!o) return fail(Status::NotFound);
  return TlvWriter()
      .u8(tag::k1, object_type_code(personality_, o->kind, o->curve))
      .u8(tag::k2, o->transient ? se05x::kTransientObject : se05x::kPersistent)
      .data();
}

// Offset counts identifiers (not bytes); filter 0xFF = every type.
Reply Applet::read_id_list(const CommandApdu& cmd) {
  TlvReader r(cmd.data);
  auto offset_tlv = r.take(tag::k1);
  auto filter_tlv = r.take(tag::k2);
  if (!offset_tlv || !filter_tlv || !r.at_end() || !se05x::tlv_u16(*offset_tlv) || !se05x::tlv_u8(*filter_tlv))
    return fail(Status::WrongData);
  std::size_t offset = *se05x::tlv_u16(*offset_tlv);
  std::uint8_t filter = *se05x::tlv_u8(*filter_tlv);

  std::vector<std::uint32_t> matching;
  for (auto id : objects_.ids()) {
    const SecureObject* o = objects_.find(id);
    if (filter == 0xFF || object_type_code(personality_, o->kind, o->curve) == filter) matching.push_back(id);
  }
  // 41 01 more ‖ 42 82 hh ll ids… must fit in one response.
  const std::size_t per_page = (max_response_data() - 3 - 4) / 4;
  Bytes ids;
  std::size_t end = std::min(matching.size(), offset + per_page);
  for (std::size_t i = offset; i < end; ++i) put_u32(ids, matching[i]);
  bool more = end < matching.size();
  return TlvWriter().u8(tag::k1, more ? se05x::kMore : se05x::kNoMore).bytes(tag::k2, ids).data();
}

Reply Applet::get_curve_id(const CommandApdu& cmd) {
  auto id = only_object_id(cmd.data);
  if (!id) return fail(Status::WrongData);
  const SecureObject* o = objects_.find(*id);
  if (!o) return fail(Status::NotFound);
  if (!is_ec(o->kind)) return fail(Status::Conditions);
  return TlvWriter().u8(tag::k1, o->curve).data();
}

Reply Applet::read_curve_list(const CommandApdu& cmd) {
  if (!cmd.data.empty()) return fail(Status::WrongData);
  Bytes list(kCurveSlots);
  for (std::size_t i = 0; i < kCurveSlots; ++i)
    list[i] = objects_.curve_set(static_cast<std::uint8_t>(i + 1)) ? 0x02 : 0x01;  // SET / NOT_SET
  return TlvWriter().bytes(tag::k1, list).data();
}

}  // namespace trustlane::chip
