// X.509 certificates and CSRs: parse (untrusted input → optional), inspect, issue.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/key.hpp"
#include "util/bytes.hpp"

typedef struct x509_st X509;
typedef struct X509_req_st X509_REQ;

namespace trustlane::crypto {

// A distinguished name as ordered (short name, value) pairs, e.g. {{"O","NXP"},{"CN","…"}}.
using DistinguishedName = std::vector<std::pair<std::string, std::string>>;

class Certificate {
 public:
  static std::optional<Certificate> from_der(ByteView der);          // rejects trailing bytes
  static std::optional<Certificate> from_pem(std::string_view pem);  // first certificate in the text
  static std::vector<Certificate> all_from_pem(std::string_view pem);
  static Certificate adopt(X509* x);  // takes ownership

  // For reading fields and checking signatures only (registrations, ledger entries): parses
  // without decoding the public key into an EVP_PKEY, which OpenSSL 3.0 does through a decoder
  // chain built per certificate (~100 µs, 3–8× the rest of the parse). public_key() builds the
  // key from the SubjectPublicKeyInfo when asked. Such a certificate's X509 has no key
  // (X509_get0_pubkey is null): never hand it to libssl or an X509_STORE.
  static std::optional<Certificate> from_der_lazy_key(ByteView der);          // rejects trailing bytes
  static std::optional<Certificate> from_pem_lazy_key(std::string_view pem);  // first certificate

  X509* get() const { return x509_.get(); }
  Bytes der() const;
  std::string pem() const;
  std::string sha256_hex() const;  // lowercase hex SHA-256 of the DER: AWS IoT's certificateId

  DistinguishedName subject() const;
  DistinguishedName issuer() const;
  std::string subject_text() const;   // RFC 2253-like one-liner for messages
  std::string issuer_text() const;
  std::optional<std::string> subject_field(std::string_view short_name) const;
  Bytes serial() const;               // big-endian magnitude
  std::int64_t not_before() const;    // epoch seconds
  std::int64_t not_after() const;
  std::vector<std::string> subject_alt_names() const;  // "DNS:…", "URI:…", "IP:…", "email:…"
  bool is_ca() const;  // basicConstraints CA:TRUE
  std::optional<Key> public_key() const;  // nullopt unless EC P-256/P-384
  // The key as (curve, 04 || X || Y), checked to lie on the curve, without building a Key (for
  // checks that only accept or compare it). nullopt unless EC P-256/P-384, uncompressed.
  std::optional<std::pair<Curve, Bytes>> public_point() const;
  // ECDSA over the DER bytes of the to-be-signed part, as received (ecdsa-with-SHA256/384 only).
  bool signed_by(const Key& issuer_key) const;
  bool issued_by(const Certificate& issuer) const;  // issuer name matches and signature verifies

 private:
  struct Free { void operator()(X509* x) const; };
  explicit Certificate(X509* x) : x509_(x, Free{}) {}
  std::shared_ptr<X509> x509_;
};

struct CertificateSpec {
  DistinguishedName subject;
  Bytes serial;                       // empty → 16 random bytes
  std::int64_t not_before = 0;        // epoch seconds; 0 → now - 60 s
  std::int64_t not_after = 0;         // 0 → not_before + 20 years
  bool is_ca = false;
  int path_length = -1;               // CA only; -1 = unlimited
  std::vector<std::string> subject_alt_names;  // "DNS:host", "URI:…", "IP:127.0.0.1"
  bool client_auth = false;           // extendedKeyUsage clientAuth
  bool server_auth = false;           // extendedKeyUsage serverAuth
};

// The PEM text of a DER certificate, as PEM_write_bio_X509 writes it.
std::string certificate_pem(ByteView der);

// Issues a certificate for subject_key signed with issuer_key (ecdsa-with-SHA256 for P-256,
// SHA-384 for P-384). issuer == nullptr makes it self-signed.
Certificate issue_certificate(const CertificateSpec& spec, const Key& subject_key, const Key& issuer_key,
                              const Certificate* issuer);

class CertificateRequest {
 public:
  static std::optional<CertificateRequest> from_pem(std::string_view pem);
  static std::optional<CertificateRequest> from_der(ByteView der);
  // Builds and signs a CSR with a key we hold (the chip's key goes through the provider).
  static CertificateRequest create(const DistinguishedName& subject, const Key& key);

  X509_REQ* get() const { return req_.get(); }
  std::string pem() const;
  DistinguishedName subject() const;
  std::optional<Key> public_key() const;
  bool signature_valid() const;

 private:
  struct Free { void operator()(X509_REQ* r) const; };
  explicit CertificateRequest(X509_REQ* r) : req_(r, Free{}) {}
  std::shared_ptr<X509_REQ> req_;
};

}  // namespace trustlane::crypto
