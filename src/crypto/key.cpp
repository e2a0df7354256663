#include "crypto/key.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "crypto/digest.hpp"
#include "crypto/error.hpp"

namespace trustlane::crypto {

namespace {
struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
struct CtxFree { void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); } };
struct BnFree { void operator()(BIGNUM* b) const { BN_clear_free(b); } };
struct GroupFree { void operator()(EC_GROUP* g) const { EC_GROUP_free(g); } };
struct PointFree { void operator()(EC_POINT* p) const { EC_POINT_free(p); } };
struct BldFree { void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };
struct SigFree { void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

int curve_nid(Curve c) { return c == Curve::P256 ? NID_X9_62_prime256v1 : NID_secp384r1; }

std::optional<Curve> curve_of(EVP_PKEY* p) {
  if (EVP_PKEY_get_base_id(p) != EVP_PKEY_EC) return std::nullopt;
  char name[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(p, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1)
    return std::nullopt;
  if (!std::strcmp(name, "prime256v1") || !std::strcmp(name, "P-256")) return Curve::P256;
  if (!std::strcmp(name, "secp384r1") || !std::strcmp(name, "P-384")) return Curve::P384;
  return std::nullopt;
}

bool has_private_part(EVP_PKEY* p) {
  BIGNUM* d = nullptr;
  bool ok = EVP_PKEY_get_bn_param(p, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;
  BN_clear_free(d);
  return ok;
}

std::optional<Key> wrap_checked(EVP_PKEY* p) {
  if (!p) {
    drain_openssl_errors();
    return std::nullopt;
  }
  auto curve = curve_of(p);
  if (!curve) {
    EVP_PKEY_free(p);
    return std::nullopt;
  }
  return Key::adopt(p);
}

EVP_PKEY* from_params(Curve curve, const BIGNUM* priv, ByteView pub, int selection) {
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) return nullptr;
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve_name(curve), 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
  if (priv) OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv);
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  CtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* out = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, selection, params.get()) != 1)
    return nullptr;
  // fromdata does not check the point is on the curve; a public-key check does. The quick check
  // (on the curve, not infinity) is complete on P-256 and P-384, whose cofactor is 1: the full one
  // adds a scalar multiplication by the order that proves nothing more.
  CtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, out, nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) {
    EVP_PKEY_free(out);
    return nullptr;
  }
  return out;
}
}  // namespace

void Key::Free::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

std::size_t field_size(Curve c) { return c == Curve::P256 ? 32 : 48; }
const char* curve_name(Curve c) { return c == Curve::P256 ? "prime256v1" : "secp384r1"; }

Key Key::adopt(EVP_PKEY* pkey) {
  auto curve = curve_of(pkey);
  if (!curve) {
    EVP_PKEY_free(pkey);
    throw CryptoError("not an EC key on P-256 or P-384");
  }
  return Key(pkey, *curve, has_private_part(pkey));
}

Key Key::generate(Curve curve) {
  EVP_PKEY* p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve_name(curve));
  if (!p) throw_openssl("EC key generation");
  return Key(p, curve, true);
}

std::optional<Key> Key::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::nullopt;
  if (EVP_PKEY* p = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)) return wrap_checked(p);
  drain_openssl_errors();
  BIO_reset(bio.get());
  return wrap_checked(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

std::optional<Key> Key::from_private_der(ByteView der) {
  const unsigned char* p = der.data();
  return wrap_checked(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
}

std::optional<Key> Key::from_public_der(ByteView spki) {
  const unsigned char* p = spki.data();
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
  if (k && p != spki.data() + spki.size()) {  // trailing bytes
    EVP_PKEY_free(k);
    return std::nullopt;
  }
  return wrap_checked(k);
}

std::optional<Key> Key::from_public_point(Curve curve, ByteView point) {
  if (point.size() != 1 + 2 * field_size(curve) || point[0] != 0x04) return std::nullopt;
  EVP_PKEY* p = from_params(curve, nullptr, point, EVP_PKEY_PUBLIC_KEY);
  if (!p) {
    drain_openssl_errors();
    return std::nullopt;
  }
  return Key(p, curve, false);
}

bool is_valid_public_point(Curve curve, ByteView point) {
  if (point.size() != 1 + 2 * field_size(curve) || point[0] != 0x04) return false;
  // One group per curve for the process: EC_GROUP is read-only once built, so threads share it.
  static const std::unique_ptr<EC_GROUP, GroupFree> p256(EC_GROUP_new_by_curve_name(curve_nid(Curve::P256)));
  static const std::unique_ptr<EC_GROUP, GroupFree> p384(EC_GROUP_new_by_curve_name(curve_nid(Curve::P384)));
  const EC_GROUP* group = curve == Curve::P256 ? p256.get() : p384.get();
  if (!group) throw_openssl("EC_GROUP_new_by_curve_name");
  std::unique_ptr<EC_POINT, PointFree> q(EC_POINT_new(group));
  if (!q) throw_openssl("EC_POINT_new");
  bool ok = EC_POINT_oct2point(group, q.get(), point.data(), point.size(), nullptr) == 1;  // checks the curve equation
  if (!ok) drain_openssl_errors();
  return ok;
}

std::optional<Key> Key::from_private_scalar(Curve curve, ByteView scalar) {
  if (scalar.empty() || scalar.size() > field_size(curve)) return std::nullopt;
  std::unique_ptr<EC_GROUP, GroupFree> group(EC_GROUP_new_by_curve_name(curve_nid(curve)));
  BnPtr d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
  if (!group || !d || BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
    return std::nullopt;
  // Derive the public point: OpenSSL wants both halves of a key pair.
  std::unique_ptr<EC_POINT, PointFree> q(EC_POINT_new(group.get()));
  if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, nullptr) != 1) return std::nullopt;
  Bytes pub(1 + 2 * field_size(curve));
  if (EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, pub.data(), pub.size(), nullptr) !=
      pub.size())
    return std::nullopt;
  EVP_PKEY* p = from_params(curve, d.get(), pub, EVP_PKEY_KEYPAIR);
  if (!p) {
    drain_openssl_errors();
    return std::nullopt;
  }
  return Key(p, curve, true);
}

Bytes Key::public_point() const {
  Bytes out(1 + 2 * field_size(curve_));
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey_.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(), out.size(),
                                      &len) != 1)
    throw_openssl("public point");
  out.resize(len);
  return out;
}

Bytes Key::public_der() const {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &buf);
  if (len <= 0) throw_openssl("i2d_PUBKEY");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

static std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string Key::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) throw_openssl("PEM_write_bio_PUBKEY");
  return bio_to_string(bio.get());
}

Key Key::public_only() const { return *from_public_point(curve_, public_point()); }

Bytes Key::private_scalar() const {
  if (!has_private_) throw CryptoError("key has no private part");
  BIGNUM* d = nullptr;
  if (EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) throw_openssl("private scalar");
  BnPtr guard(d);
  Bytes out(field_size(curve_));
  if (BN_bn2binpad(d, out.data(), static_cast<int>(out.size())) < 0) throw_openssl("BN_bn2binpad");
  return out;
}

Bytes Key::private_der() const {
  if (!has_private_) throw CryptoError("key has no private part");
  unsigned char* buf = nullptr;
  int len = i2d_PrivateKey(pkey_.get(), &buf);
  if (len <= 0) throw_openssl("i2d_PrivateKey");
  Bytes out(buf, buf + len);
  OPENSSL_clear_free(buf, static_cast<std::size_t>(len));
  return out;
}

std::string Key::private_pem() const {
  if (!has_private_) throw CryptoError("key has no private part");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw_openssl("PEM_write_bio_PrivateKey");
  return bio_to_string(bio.get());
}

Bytes Key::sign_digest(ByteView digest) const {
  if (!has_private_) throw CryptoError("key has no private part");
  CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1)
    throw_openssl("ECDSA sign");
  Bytes out(len);
  if (EVP_PKEY_sign(ctx.get(), out.data(), &len, digest.data(), digest.size()) != 1) throw_openssl("ECDSA sign");
  out.resize(len);
  return out;
}

bool Key::verify_digest(ByteView digest, ByteView der_signature) const {
  CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
            EVP_PKEY_verify(ctx.get(), der_signature.data(), der_signature.size(), digest.data(), digest.size()) == 1;
  drain_openssl_errors();
  return ok;
}

Bytes Key::sign_sha256(ByteView message) const { return sign_digest(sha256(message)); }
bool Key::verify_sha256(ByteView message, ByteView der_signature) const {
  return verify_digest(sha256(message), der_signature);
}

std::optional<Bytes> Key::derive_shared_x(ByteView peer_point) const {
  auto peer = from_public_point(curve_, peer_point);
  if (!peer || !has_private_) return std::nullopt;
  CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer->get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    drain_openssl_errors();
    return std::nullopt;
  }
  Bytes out(len);
  if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1) {
    drain_openssl_errors();
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::optional<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t fsize) {
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    drain_openssl_errors();
    return std::nullopt;
  }
  Bytes out(2 * fsize);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), static_cast<int>(fsize)) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + fsize, static_cast<int>(fsize)) < 0)
    return std::nullopt;
  return out;
}

std::optional<Bytes> ecdsa_raw_to_der(ByteView raw) {
  if (raw.empty() || raw.size() % 2) return std::nullopt;
  auto half = raw.size() / 2;
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* buf = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &buf);
  if (len <= 0) return std::nullopt;
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

}  // namespace trustlane::crypto
