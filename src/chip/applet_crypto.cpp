// CRYPTO (INS 03): ECDSASign, ECDSAVerify, ECDH. Keys never leave the object store.
#include "chip/applet.hpp"
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
// Input size the ECSignatureAlgo expects (0 = any size up to the curve's field size).
std::optional<std::size_t> digest_size(std::uint8_t algo) {
  switch (algo) {
    case se05x::kEcdsaPlain: return 0;
    case se05x::kEcdsaSha224: return 28;
    case se05x::kEcdsaSha256: return 32;
    case se05x::kEcdsaSha384: return 48;
    case se05x::kEcdsaSha512: return 64;
    default: return std::nullopt;
  }
}

bool digest_fits(std::uint8_t algo, std::size_t n) {
  auto want = digest_size(algo);
  if (!want) return false;
  if (*want == 0) return n >= 1 && n <= 64;
  return n == *want;
}

const SecureObject* ec_object(const ObjectStore& store, ByteView id_value, Status& error) {
  auto id = se05x::tlv_u32(id_value);
  if (!id) { error = Status::WrongData; return nullptr; }
  const SecureObject* o = store.find(*id);
  if (!o) { error = Status::NotFound; return nullptr; }
  if (!o->key) { error = Status::Conditions; return nullptr; }
  return o;
}
}  // namespace

Reply Applet::crypto(const CommandApdu& cmd, const Caller& caller) {
  if (cmd.p1 == p1::kSignature && cmd.p2 == p2::kSign) return ecdsa_sign(cmd, caller);
  if (cmd.p1 == p1::kSignature && cmd.p2 == p2::kVerify) return ecdsa_verify(cmd, caller);
  if (cmd.p1 == p1::kEc && cmd.p2 == p2::kDh) return ecdh(cmd, caller);
  return fail(Status::WrongP1P2);
}

Reply Applet::ecdsa_sign(const CommandApdu& cmd, const Caller& caller) {
  TlvReader r(cmd.data);
  auto id = r.take(tag::k1);
  auto algo = r.take(tag::k2);
  auto input = r.take(tag::k3);
  if (!id || !algo || !input || !r.at_end() || !se05x::tlv_u8(*algo)) return fail(Status::WrongData);
  if (!digest_fits(*se05x::tlv_u8(*algo), input->size())) return fail(Status::WrongData);
  Status error = Status::Ok;
  const SecureObject* o = ec_object(objects_, *id, error);
  if (!o) return fail(error);
  if (!o->key->has_private()) return fail(Status::Conditions);
  if (!policy_allows(o->policy, caller.auth_id, se05x::policy::kSign)) return fail(Status::NotAllowed);
  return TlvWriter().bytes(tag::k1, o->key->sign_digest(*input)).data();
}

Reply Applet::ecdsa_verify(const CommandApdu& cmd, const Caller& caller) {
  TlvReader r(cmd.data);
  auto id = r.take(tag::k1);
  auto algo = r.take(tag::k2);
  auto input = r.take(tag::k3);
  auto signature = r.take(tag::k5);
  if (!id || !algo || !input || !signature || !r.at_end() || !se05x::tlv_u8(*algo))
    return fail(Status::WrongData);
  if (!digest_fits(*se05x::tlv_u8(*algo), input->size())) return fail(Status::WrongData);
  Status error = Status::Ok;
  const SecureObject* o = ec_object(objects_, *id, error);
  if (!o) return fail(error);
  if (!policy_allows(o->policy, caller.auth_id, se05x::policy::kVerify)) return fail(Status::NotAllowed);
  bool valid = o->key->verify_digest(*input, *signature);
  return TlvWriter().u8(tag::k1, valid ? se05x::kResultSuccess : se05x::kResultFailure).data();
}

Reply Applet::ecdh(const CommandApdu& cmd, const Caller& caller) {
  TlvReader r(cmd.data);
  auto id = r.take(tag::k1);
  auto peer = r.take(tag::k2);
  if (!id || !peer || !r.at_end()) return fail(Status::WrongData);
  Status error = Status::Ok;
  const SecureObject* o = ec_object(objects_, *id, error);
  if (!o) return fail(error);
  if (!o->key->has_private()) return fail(Status::Conditions);
  if (!policy_allows(o->policy, caller.auth_id, se05x::policy::kKeyAgreement)) return fail(Status::NotAllowed);
  auto shared = o->key->derive_shared_x(*peer);
  if (!shared) return fail(Status::WrongData);
  return TlvWriter().bytes(tag::k1, *shared).data();
}

}  // namespace trustlane::chip
