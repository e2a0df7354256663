// Applet dispatch, SELECT, sessions and the management (INS 04) commands.
#include "chip/applet.hpp"

#include <algorithm>

#include "chip/personality.hpp"
#include "chip/policy.hpp"
#include "crypto/digest.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip {

using se05x::CommandApdu;
using se05x::TlvReader;
using se05x::TlvWriter;
namespace ins = se05x::ins;
namespace p1 = se05x::p1;
namespace p2 = se05x::p2;
namespace tag = se05x::tag;

namespace {
constexpr std::size_t kMaxSessions = 2;  // SE050: two concurrent sessions
constexpr std::size_t kSessionIdSize = 8;
}  // namespace

Applet::Applet(ObjectStore& objects, Personality personality) : objects_(objects), personality_(personality) {}

void Applet::reset() { sessions_.clear(); }

std::size_t Applet::max_response_data() const { return traits(personality_).max_response - 2; }

Bytes Applet::respond(const Reply& reply) const {
  if (!reply) return se05x::status_only(status_word(reply.error()));
  if (reply.value().size() > max_response_data()) return se05x::status_only(status_word(Status::WrongLength));
  return se05x::encode_response(reply.value(), se05x::sw::kOk);
}

Bytes Applet::process(ByteView apdu) {
  auto cmd = se05x::parse_command(apdu);
  if (!cmd) return se05x::status_only(cmd.error());
  try {
    return respond(dispatch(*cmd, Caller{}));
  } catch (const std::exception&) {
    // OpenSSL or allocation failure: the chip answers, it never throws at its host.
    return respond(fail(Status::Internal));
  }
}

Reply Applet::dispatch(const CommandApdu& cmd, const Caller& caller) {
  if (cmd.cla == se05x::kClaIso) {
    if (cmd.ins == ins::kSelect) return select(cmd);
    return fail(Status::UnknownIns);
  }
  if (cmd.cla == 0x84) return fail(Status::SecurityStatus);  // secure messaging (SCP03) not offered
  if (cmd.cla != se05x::kClaSe05x) return fail(Status::UnknownCla);
  if (cmd.ins & ins::kAttest) return fail(Status::UnknownIns);  // attestation is not emulated
  switch (cmd.ins & ins::kMask) {
    case ins::kWrite: return write(cmd, caller);
    case ins::kRead: return read(cmd, caller);
    case ins::kCrypto: return crypto(cmd, caller);
    case ins::kMgmt: return mgmt(cmd, caller);
    case ins::kProcess:
      if (caller.session_id) return fail(Status::Conditions);  // no nesting
      return process_session(cmd);
    default: return fail(Status::UnknownIns);
  }
}

Reply Applet::select(const CommandApdu& cmd) {
  if (cmd.p1 != 0x04 || cmd.p2 != 0x00) return fail(Status::WrongP1P2);
  // Some hosts send an empty SELECT first and ignore the answer.
  if (cmd.data.empty()) return Bytes{};
  if (!std::equal(cmd.data.begin(), cmd.data.end(), se05x::kAppletAid.begin(), se05x::kAppletAid.end()))
    return fail(Status::NotFound);
  sessions_.clear();
  const auto& v = traits(personality_).version;
  return Bytes(v.begin(), v.end());
}

// INS 05: `10 08 <session id>` `41 <len> <inner C-APDU>` → the inner R-APDU, run as the
// session's authenticated user.
Reply Applet::process_session(const CommandApdu& cmd) {
  if (cmd.p1 != 0 || cmd.p2 != 0) return fail(Status::WrongP1P2);
  TlvReader r(cmd.data);
  auto sid = r.take(tag::kSessionId);
  auto inner = r.take(tag::k1);
  if (!sid || !inner || !r.at_end()) return fail(Status::WrongData);
  Bytes session_id(sid->begin(), sid->end());
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return fail(Status::SecurityStatus);
  auto inner_cmd = se05x::parse_command(*inner);
  if (!inner_cmd) return fail(Status::WrongData);
  Caller caller{&it->first, it->second.verified ? it->second.auth_id : 0};
  auto reply = dispatch(*inner_cmd, caller);
  // The inner status word travels as the outer one: the host unwraps nothing.
  return reply;
}

Reply Applet::mgmt(const CommandApdu& cmd, const Caller& caller) {
  if (cmd.p1 == p1::kCurve && cmd.p2 == p2::kDeleteObject) return delete_curve(cmd);
  if (cmd.p1 != p1::kDefault) return fail(Status::WrongP1P2);
  switch (cmd.p2) {
    case p2::kVersion: return get_version(cmd);
    case p2::kRandom: return get_random(cmd);
    case p2::kMemory: return get_free_memory(cmd);
    case p2::kExist: return check_exists(cmd);
    case p2::kDeleteObject: return delete_object(cmd, caller);
    case p2::kDeleteAll: return delete_all(cmd);
    case p2::kSessionCreate: return create_session(cmd);
    case p2::kSessionClose: return close_session(cmd, caller);
    case p2::kSessionUserId: return verify_user_id(cmd, caller);
    default: return fail(Status::WrongP1P2);
  }
}

Reply Applet::get_version(const CommandApdu& cmd) {
  if (!cmd.data.empty()) return fail(Status::WrongData);
  const auto& v = traits(personality_).version;
  return TlvWriter().bytes(tag::k1, v).data();
}

Reply Applet::get_random(const CommandApdu& cmd) {
  TlvReader r(cmd.data);
  auto size = r.take(tag::k1);
  if (!size || !r.at_end() || !se05x::tlv_u16(*size)) return fail(Status::WrongData);
  std::size_t n = *se05x::tlv_u16(*size);
  if (n == 0) return fail(Status::Conditions);
  if (n + 4 > max_response_data()) return fail(Status::WrongLength);
  return TlvWriter().bytes(tag::k1, crypto::random_bytes(n)).data();
}

Reply Applet::get_free_memory(const CommandApdu& cmd) {
  TlvReader r(cmd.data);
  auto type = r.take(tag::k1);
  if (!type || !r.at_end() || !se05x::tlv_u8(*type)) return fail(Status::WrongData);
  std::size_t free = 0;
  switch (*se05x::tlv_u8(*type)) {
    case se05x::kMemPersistent: free = objects_.free_persistent(); break;
    case se05x::kMemTransientReset:
    case se05x::kMemTransientDeselect: free = objects_.free_transient(); break;
    default: return fail(Status::WrongData);
  }
  // Like the real applet 3.x/7.x, the answer is two bytes and saturates at 0x7FFF.
  return TlvWriter().u16(tag::k1, static_cast<std::uint16_t>(std::min<std::size_t>(free, 0x7FFF))).data();
}

Reply Applet::check_exists(const CommandApdu& cmd) {
  TlvReader r(cmd.data);
  auto id = r.take(tag::k1);
  if (!id || !r.at_end() || !se05x::tlv_u32(*id)) return fail(Status::WrongData);
  bool exists = objects_.find(*se05x::tlv_u32(*id)) != nullptr;
  return TlvWriter().u8(tag::k1, exists ? se05x::kResultSuccess : se05x::kResultFailure).data();
}

Reply Applet::delete_object(const CommandApdu& cmd, const Caller& caller) {
  TlvReader r(cmd.data);
  auto id = r.take(tag::k1);
  if (!id || !r.at_end() || !se05x::tlv_u32(*id)) return fail(Status::WrongData);
  const SecureObject* o = objects_.find(*se05x::tlv_u32(*id));
  if (!o) return fail(Status::NotFound);
  if (!policy_allows(o->policy, caller.auth_id, se05x::policy::kDelete)) return fail(Status::NotAllowed);
  auto s = objects_.remove(o->id);
  if (s != Status::Ok) return fail(s);
  return Bytes{};
}

Reply Applet::delete_all(const CommandApdu& cmd) {
  if (!cmd.data.empty()) return fail(Status::WrongData);
  // Trust-provisioned (factory) objects survive, as on the real part.
  auto s = objects_.remove_all_but_factory();
  if (s != Status::Ok) return fail(s);
  return Bytes{};
}

Reply Applet::delete_curve(const CommandApdu& cmd) {
  TlvReader r(cmd.data);
  auto curve = r.take(tag::k1);
  if (!curve || !r.at_end() || !se05x::tlv_u8(*curve)) return fail(Status::WrongData);
  if (!objects_.curve_set(*se05x::tlv_u8(*curve))) return fail(Status::NotFound);
  auto s = objects_.set_curve(*se05x::tlv_u8(*curve), false);
  if (s != Status::Ok) return fail(s);
  return Bytes{};
}

Reply Applet::create_session(const CommandApdu& cmd) {
  TlvReader r(cmd.data);
  auto id = r.take(tag::k1);
  if (!id || !r.at_end() || !se05x::tlv_u32(*id)) return fail(Status::WrongData);
  std::uint32_t auth_id = *se05x::tlv_u32(*id);
  const SecureObject* o = objects_.find(auth_id);
  if (!o) return fail(Status::NotFound);
  if (o->kind != ObjectKind::UserId) return fail(Status::Conditions);  // only UserID auth is emulated
  if (sessions_.size() >= kMaxSessions) return fail(Status::Conditions);
  Bytes session_id = crypto::random_bytes(kSessionIdSize);
  sessions_[session_id] = Session{auth_id, false};
  return TlvWriter().bytes(tag::k1, session_id).data();
}

Reply Applet::close_session(const CommandApdu& cmd, const Caller& caller) {
  if (!cmd.data.empty()) return fail(Status::WrongData);
  if (caller.session_id) sessions_.erase(*caller.session_id);
  return Bytes{};
}

Reply Applet::verify_user_id(const CommandApdu& cmd, const Caller& caller) {
  TlvReader r(cmd.data);
  auto value = r.take(tag::k1);
  if (!value || !r.at_end()) return fail(Status::WrongData);
  if (!caller.session_id) return fail(Status::Conditions);
  auto& session = sessions_.at(*caller.session_id);
  const SecureObject* o = objects_.find(session.auth_id);
  if (!o || o->kind != ObjectKind::UserId) return fail(Status::NotFound);
  if (!equal_constant_time(o->data, *value)) return fail(Status::SecurityStatus);
  session.verified = true;
  return Bytes{};
}

}  // namespace trustlane::chip
