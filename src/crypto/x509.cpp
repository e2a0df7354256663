#include "crypto/x509.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "crypto/digest.hpp"
#include "crypto/error.hpp"

namespace trustlane::crypto {

namespace {
struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

DistinguishedName name_entries(const X509_NAME* name) {
  DistinguishedName out;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    const char* sn = nid == NID_undef ? "UNDEF" : OBJ_nid2sn(nid);
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (len < 0) continue;
    out.emplace_back(sn, std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len)));
    OPENSSL_free(utf8);
  }
  return out;
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return bio_string(bio.get());
}

std::int64_t asn1_time_to_epoch(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

void build_name(X509_NAME* name, const DistinguishedName& dn) {
  for (const auto& [field, value] : dn)
    if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1)
      throw_openssl("name field " + field);
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) throw_openssl("extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

const EVP_MD* digest_for(const Key& key) { return key.curve() == Curve::P384 ? EVP_sha384() : EVP_sha256(); }
}  // namespace

void Certificate::Free::operator()(X509* x) const { X509_free(x); }
void CertificateRequest::Free::operator()(X509_REQ* r) const { X509_REQ_free(r); }

Certificate Certificate::adopt(X509* x) { return Certificate(x); }

std::optional<Certificate> Certificate::from_der(ByteView der) {
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!x) {
    drain_openssl_errors();
    return std::nullopt;
  }
  if (p != der.data() + der.size()) {
    X509_free(x);
    return std::nullopt;
  }
  return Certificate(x);
}

namespace {
// A library context with no algorithms at all (only the "null" provider): parsing an X509 in it
// skips the public-key decode, and nothing else in X.509 parsing needs a provider.
OSSL_LIB_CTX* keyless_library_context() {
  static OSSL_LIB_CTX* ctx = [] {
    OSSL_LIB_CTX* c = OSSL_LIB_CTX_new();
    if (!c || !OSSL_PROVIDER_load(c, "null")) throw_openssl("keyless library context");
    return c;
  }();
  return ctx;
}

// The DER bytes of TBSCertificate, the first element of the Certificate SEQUENCE.
std::optional<ByteView> tbs_bytes(ByteView der) {
  const unsigned char* p = der.data();
  long len = 0;
  int tag = 0, cls = 0;
  if (ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.size())) & 0x80 || tag != V_ASN1_SEQUENCE)
    return std::nullopt;
  const unsigned char* tbs = p;
  if (ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(der.data() + der.size() - p)) & 0x80 ||
      tag != V_ASN1_SEQUENCE)
    return std::nullopt;
  return ByteView(tbs, static_cast<std::size_t>(p + len - tbs));
}

// The SubjectPublicKeyInfo of an EC key on a curve we support, as (curve, uncompressed point).
std::optional<std::pair<Curve, ByteView>> ec_spki(const X509* x) {
  const ASN1_OBJECT* alg = nullptr;
  const unsigned char* point = nullptr;
  int point_len = 0;
  X509_ALGOR* algor = nullptr;
  if (X509_PUBKEY_get0_param(nullptr, &point, &point_len, &algor, X509_get_X509_PUBKEY(x)) != 1 || !algor)
    return std::nullopt;
  int param_type = 0;
  const void* param = nullptr;
  X509_ALGOR_get0(&alg, &param_type, &param, algor);
  if (OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey || param_type != V_ASN1_OBJECT) return std::nullopt;
  Curve curve;
  switch (OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(param))) {
    case NID_X9_62_prime256v1: curve = Curve::P256; break;
    case NID_secp384r1: curve = Curve::P384; break;
    default: return std::nullopt;
  }
  return std::pair{curve, ByteView(point, static_cast<std::size_t>(point_len))};
}
}  // namespace

std::optional<Certificate> Certificate::from_der_lazy_key(ByteView der) {
  X509* x = X509_new_ex(keyless_library_context(), nullptr);
  if (!x) throw_openssl("X509_new_ex");
  const unsigned char* p = der.data();
  if (!d2i_X509(&x, &p, static_cast<long>(der.size()))) {  // frees x on failure
    drain_openssl_errors();
    return std::nullopt;
  }
  drain_openssl_errors();  // the keyless context's failed key decode and SHA-1 fetch
  Certificate cert(x);
  if (p != der.data() + der.size()) return std::nullopt;
  return cert;
}

std::optional<Certificate> Certificate::from_pem_lazy_key(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  unsigned char* data = nullptr;
  long len = 0;
  char* name = nullptr;
  // Skips other PEM blocks like PEM_read_bio_X509, and accepts "X509 CERTIFICATE" too.
  if (!bio || PEM_bytes_read_bio(&data, &len, &name, PEM_STRING_X509, bio.get(), nullptr, nullptr) != 1) {
    drain_openssl_errors();
    return std::nullopt;
  }
  auto cert = from_der_lazy_key(ByteView(data, static_cast<std::size_t>(len)));
  OPENSSL_free(data);
  OPENSSL_free(name);
  return cert;
}

std::optional<Certificate> Certificate::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509* x = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!x) {
    drain_openssl_errors();
    return std::nullopt;
  }
  return Certificate(x);
}

std::vector<Certificate> Certificate::all_from_pem(std::string_view pem) {
  std::vector<Certificate> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.push_back(Certificate(x));
  drain_openssl_errors();
  return out;
}

Bytes Certificate::der() const {
  unsigned char* buf = nullptr;
  int len = i2d_X509(x509_.get(), &buf);
  if (len <= 0) throw_openssl("i2d_X509");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// PEM_write_bio_X509's text (base64 in 64-column lines between the labels), without its BIO and
// encoder context: the registry and the ledger tools encode one per certificate they store.
std::string Certificate::pem() const { return certificate_pem(der()); }

std::string certificate_pem(ByteView der) {
  std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  out.reserve(out.size() + b64.size() + b64.size() / 64 + 32);
  for (std::size_t i = 0; i < b64.size(); i += 64) out.append(b64, i, 64).push_back('\n');
  out += "-----END CERTIFICATE-----\n";
  return out;
}

std::string Certificate::sha256_hex() const { return to_hex(sha256(der())); }

DistinguishedName Certificate::subject() const { return name_entries(X509_get_subject_name(x509_.get())); }
DistinguishedName Certificate::issuer() const { return name_entries(X509_get_issuer_name(x509_.get())); }
std::string Certificate::subject_text() const { return name_text(X509_get_subject_name(x509_.get())); }
std::string Certificate::issuer_text() const { return name_text(X509_get_issuer_name(x509_.get())); }

std::optional<std::string> Certificate::subject_field(std::string_view short_name) const {
  for (auto& [k, v] : subject())
    if (k == short_name) return v;
  return std::nullopt;
}

Bytes Certificate::serial() const {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_.get()), nullptr);
  if (!bn) throw_openssl("serial");
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_free(bn);
  return out;
}

std::int64_t Certificate::not_before() const { return asn1_time_to_epoch(X509_get0_notBefore(x509_.get())); }
std::int64_t Certificate::not_after() const { return asn1_time_to_epoch(X509_get0_notAfter(x509_.get())); }

std::vector<std::string> Certificate::subject_alt_names() const {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x509_.get(), NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    auto str = [](const ASN1_STRING* s) {
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<std::size_t>(ASN1_STRING_length(s)));
    };
    switch (gn->type) {
      case GEN_DNS: out.push_back("DNS:" + str(gn->d.dNSName)); break;
      case GEN_URI: out.push_back("URI:" + str(gn->d.uniformResourceIdentifier)); break;
      case GEN_EMAIL: out.push_back("email:" + str(gn->d.rfc822Name)); break;
      case GEN_IPADD: {
        auto ip = str(gn->d.iPAddress);
        if (ip.size() == 4)
          out.push_back("IP:" + std::to_string(static_cast<std::uint8_t>(ip[0])) + "." +
                        std::to_string(static_cast<std::uint8_t>(ip[1])) + "." +
                        std::to_string(static_cast<std::uint8_t>(ip[2])) + "." +
                        std::to_string(static_cast<std::uint8_t>(ip[3])));
        break;
      }
      default: break;
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

// basicConstraints CA:TRUE, read from the extension itself: X509_check_ca goes through OpenSSL's
// extension cache, which also fingerprints the certificate and fails in the keyless context.
bool Certificate::is_ca() const {
  int critical = 0;
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(x509_.get(), NID_basic_constraints, &critical, nullptr));
  bool ca = bc && bc->ca;
  BASIC_CONSTRAINTS_free(bc);
  drain_openssl_errors();
  return ca;
}

std::optional<Key> Certificate::public_key() const {
  if (EVP_PKEY* p = X509_get0_pubkey(x509_.get())) {
    if (!EVP_PKEY_up_ref(p)) throw_openssl("EVP_PKEY_up_ref");
    try {
      return Key::adopt(p);
    } catch (const CryptoError&) {
      return std::nullopt;  // not an EC key on our curves
    }
  }
  drain_openssl_errors();
  auto spki = ec_spki(x509_.get());  // a lazily parsed certificate: build the key from its SPKI
  return spki ? Key::from_public_point(spki->first, spki->second) : std::nullopt;
}

std::optional<std::pair<Curve, Bytes>> Certificate::public_point() const {
  auto spki = ec_spki(x509_.get());
  if (!spki || !is_valid_public_point(spki->first, spki->second)) return std::nullopt;
  return std::pair{spki->first, Bytes(spki->second.begin(), spki->second.end())};
}

bool Certificate::signed_by(const Key& issuer_key) const {
  const ASN1_BIT_STRING* signature = nullptr;
  const X509_ALGOR* outer = nullptr;
  X509_get0_signature(&signature, &outer, x509_.get());
  // The algorithm inside the signed part must be the one the signature claims (as X509_verify).
  if (!signature || !outer || X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(x509_.get())) != 0) return false;
  int nid = OBJ_obj2nid(outer->algorithm);
  if (nid != NID_ecdsa_with_SHA256 && nid != NID_ecdsa_with_SHA384) return false;
  Bytes der_bytes = der();
  auto tbs = tbs_bytes(der_bytes);
  if (!tbs) return false;
  Bytes digest = nid == NID_ecdsa_with_SHA256 ? sha256(*tbs) : sha384(*tbs);
  return issuer_key.verify_digest(digest, ByteView(ASN1_STRING_get0_data(signature),
                                                   static_cast<std::size_t>(ASN1_STRING_length(signature))));
}

bool Certificate::issued_by(const Certificate& issuer) const {
  if (X509_NAME_cmp(X509_get_issuer_name(x509_.get()), X509_get_subject_name(issuer.get())) != 0) return false;
  auto key = issuer.public_key();
  return key && signed_by(*key);
}

Certificate issue_certificate(const CertificateSpec& spec, const Key& subject_key, const Key& issuer_key,
                              const Certificate* issuer) {
  X509* raw = X509_new();
  if (!raw) throw_openssl("X509_new");
  Certificate cert = Certificate::adopt(raw);
  X509_set_version(raw, 2);

  Bytes serial = spec.serial.empty() ? random_bytes(16) : spec.serial;
  if (spec.serial.empty()) serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
  ASN1_INTEGER* asn_serial = BN_to_ASN1_INTEGER(bn, nullptr);
  X509_set_serialNumber(raw, asn_serial);
  ASN1_INTEGER_free(asn_serial);
  BN_free(bn);

  std::int64_t nb = spec.not_before ? spec.not_before : static_cast<std::int64_t>(std::time(nullptr)) - 60;
  std::int64_t na = spec.not_after ? spec.not_after : nb + 20LL * 365 * 24 * 3600;
  ASN1_TIME_set(X509_getm_notBefore(raw), static_cast<time_t>(nb));
  ASN1_TIME_set(X509_getm_notAfter(raw), static_cast<time_t>(na));

  build_name(X509_get_subject_name(raw), spec.subject);
  if (issuer)
    X509_set_issuer_name(raw, X509_get_subject_name(issuer->get()));
  else
    X509_set_issuer_name(raw, X509_get_subject_name(raw));
  if (X509_set_pubkey(raw, subject_key.get()) != 1) throw_openssl("X509_set_pubkey");

  X509* issuer_raw = issuer ? issuer->get() : nullptr;
  if (spec.is_ca) {
    add_extension(raw, issuer_raw, NID_basic_constraints,
                  spec.path_length >= 0 ? "critical,CA:TRUE,pathlen:" + std::to_string(spec.path_length)
                                        : std::string("critical,CA:TRUE"));
    add_extension(raw, issuer_raw, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    add_extension(raw, issuer_raw, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(raw, issuer_raw, NID_key_usage, "critical,digitalSignature,keyAgreement");
  }
  std::string eku;
  if (spec.server_auth) eku = "serverAuth";
  if (spec.client_auth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
  if (!eku.empty()) add_extension(raw, issuer_raw, NID_ext_key_usage, eku);
  add_extension(raw, issuer_raw, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(raw, issuer_raw, NID_authority_key_identifier, "keyid:always");
  if (!spec.subject_alt_names.empty()) {
    std::string san;
    for (auto& n : spec.subject_alt_names) san += (san.empty() ? "" : ",") + n;
    add_extension(raw, issuer_raw, NID_subject_alt_name, san);
  }
  if (X509_sign(raw, issuer_key.get(), digest_for(issuer_key)) <= 0) throw_openssl("X509_sign");
  return cert;
}

std::optional<CertificateRequest> CertificateRequest::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509_REQ* r = bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!r) {
    drain_openssl_errors();
    return std::nullopt;
  }
  return CertificateRequest(r);
}

std::optional<CertificateRequest> CertificateRequest::from_der(ByteView der) {
  const unsigned char* p = der.data();
  X509_REQ* r = d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size()));
  if (!r) {
    drain_openssl_errors();
    return std::nullopt;
  }
  return CertificateRequest(r);
}

CertificateRequest CertificateRequest::create(const DistinguishedName& subject, const Key& key) {
  X509_REQ* r = X509_REQ_new();
  if (!r) throw_openssl("X509_REQ_new");
  CertificateRequest req(r);
  build_name(X509_REQ_get_subject_name(r), subject);
  if (X509_REQ_set_pubkey(r, key.get()) != 1 || X509_REQ_sign(r, key.get(), digest_for(key)) <= 0)
    throw_openssl("X509_REQ_sign");
  return req;
}

std::string CertificateRequest::pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req_.get()) != 1) throw_openssl("PEM_write_bio_X509_REQ");
  return bio_string(bio.get());
}

DistinguishedName CertificateRequest::subject() const { return name_entries(X509_REQ_get_subject_name(req_.get())); }

std::optional<Key> CertificateRequest::public_key() const {
  EVP_PKEY* p = X509_REQ_get_pubkey(req_.get());
  if (!p) {
    drain_openssl_errors();
    return std::nullopt;
  }
  try {
    return Key::adopt(p);
  } catch (const CryptoError&) {
    return std::nullopt;
  }
}

bool CertificateRequest::signature_valid() const {
  auto key = public_key();
  bool ok = key && X509_REQ_verify(req_.get(), key->get()) == 1;
  drain_openssl_errors();
  return ok;
}

}  // namespace trustlane::crypto
