// EC keys (NIST P-256, P-384) on OpenSSL 3 EVP_PKEY: generate, import, export, ECDSA over a
// precomputed digest, ECDH. A Key may hold a private key or only a public one.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "util/bytes.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace trustlane::crypto {

enum class Curve { P256, P384 };
std::size_t field_size(Curve c);     // 32 or 48 bytes
const char* curve_name(Curve c);     // OpenSSL group name: "prime256v1" / "secp384r1"

class Key {
 public:
  static Key generate(Curve curve = Curve::P256);
  // Parsers of untrusted input: nullopt on anything that is not a valid EC key on our curves.
  static std::optional<Key> from_pem(std::string_view pem);            // private (PKCS#8/SEC1) or public
  static std::optional<Key> from_private_der(ByteView der);            // PKCS#8 or SEC1
  static std::optional<Key> from_public_der(ByteView spki);            // SubjectPublicKeyInfo
  static std::optional<Key> from_public_point(Curve curve, ByteView uncompressed_point);
  static std::optional<Key> from_private_scalar(Curve curve, ByteView scalar);
  static Key adopt(EVP_PKEY* pkey);  // takes ownership

  Curve curve() const { return curve_; }
  bool has_private() const { return has_private_; }
  EVP_PKEY* get() const { return pkey_.get(); }

  Bytes public_point() const;     // 04 || X || Y
  Bytes public_der() const;       // SubjectPublicKeyInfo
  std::string public_pem() const;
  Key public_only() const;
  // Private material: for the chip's own object store and for keys the cloud hands out.
  Bytes private_scalar() const;
  Bytes private_der() const;      // PKCS#8
  std::string private_pem() const;

  Bytes sign_digest(ByteView digest) const;                        // DER ECDSA-Sig-Value
  bool verify_digest(ByteView digest, ByteView der_signature) const;  // false on any malformed input
  Bytes sign_sha256(ByteView message) const;
  bool verify_sha256(ByteView message, ByteView der_signature) const;
  std::optional<Bytes> derive_shared_x(ByteView peer_uncompressed_point) const;  // ECDH

 private:
  struct Free { void operator()(EVP_PKEY* p) const; };
  Key(EVP_PKEY* p, Curve c, bool priv) : pkey_(p, Free{}), curve_(c), has_private_(priv) {}
  std::shared_ptr<EVP_PKEY> pkey_;
  Curve curve_;
  bool has_private_;
};

// Whether `uncompressed_point` (04 || X || Y) lies on `curve`: what from_public_point checks,
// without building a key (OpenSSL 3.0 builds a whole EC_GROUP per imported key).
bool is_valid_public_point(Curve curve, ByteView uncompressed_point);

// ECDSA signature helpers: DER <-> raw r||s (JWS ES256 uses raw).
std::optional<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t field_size);
std::optional<Bytes> ecdsa_raw_to_der(ByteView raw);

}  // namespace trustlane::crypto
