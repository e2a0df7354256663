#include "ledger/verify.hpp"

#include "crypto/digest.hpp"
#include "ledger/jws.hpp"
#include "ledger/jws_element.hpp"
#include "util/bytes.hpp"

namespace trustlane::ledger {

std::string_view to_string(Rejection r) {
  switch (r) {
    case Rejection::Malformed: return "malformed";
    case Rejection::UnsupportedAlg: return "unsupported-alg";
    case Rejection::UntrustedSigner: return "untrusted-signer";
    case Rejection::BadSignature: return "bad-signature";
    case Rejection::ForeignChip: return "foreign-chip";
    case Rejection::KeyMismatch: return "key-mismatch";
    case Rejection::UniqueIdMismatch: return "unique-id-mismatch";
    case Rejection::Duplicate: return "duplicate";
    case Rejection::InvalidJson: return "invalid-json";
  }
  return "unknown";
}

namespace {

const std::string* string_member(const nlohmann::json& j, const char* name) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

Bytes strip_leading_zeros(Bytes b) {
  std::size_t i = 0;
  while (i + 1 < b.size() && b[i] == 0) ++i;
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(i), b.end());
}

// x5c: an array of standard-base64 DER certificates (RFC 7515 §4.1.6), at least one.
// `first_only`: only the leaf is used, so only it is parsed as X.509 (OpenSSL 3.0 spends ~100 µs
// decoding each certificate's key); the others must still be base64 strings. `leaf_der`, when
// given, gets the leaf's bytes as received.
std::optional<std::vector<crypto::Certificate>> parse_x5c(const std::vector<std::string_view>& items,
                                                          bool first_only = false, Bytes* leaf_der = nullptr) {
  if (items.empty() || items.size() > 8) return std::nullopt;
  std::vector<crypto::Certificate> out;
  for (auto item : items) {
    auto der = base64_decode(item);
    if (!der) return std::nullopt;
    if (first_only && !out.empty()) continue;
    auto cert = crypto::Certificate::from_der_lazy_key(*der);
    if (!cert) return std::nullopt;
    out.push_back(std::move(*cert));
    if (leaf_der && out.size() == 1) *leaf_der = std::move(*der);
  }
  return out;
}

// The x5c member's strings, or nothing when it is missing, not an array or holds a non-string
// (a protected header, parsed once per ledger with nlohmann).
std::optional<std::vector<std::string_view>> x5c_strings(const nlohmann::json& j) {
  auto it = j.find("x5c");
  if (it == j.end() || !it->is_array()) return std::nullopt;
  std::vector<std::string_view> out;
  for (const auto& item : *it) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get_ref<const std::string&>());
  }
  return out;
}

// The same for a JWK of an entry's payload, parsed with simdjson.
std::optional<std::vector<std::string_view>> x5c_strings(simdjson::dom::object jwk) {
  simdjson::dom::array array;
  if (jwk["x5c"].get(array)) return std::nullopt;
  std::vector<std::string_view> out;
  for (auto item : array) {
    std::string_view text;
    if (item.get(text)) return std::nullopt;
    out.push_back(text);
  }
  return out;
}

bool same_cert(const crypto::Certificate& a, const crypto::Certificate& b) { return a.der() == b.der(); }

}  // namespace

Verifier::Verifier(Trust trust) : trust_(std::move(trust)) {}

std::size_t Verifier::signer_checks() const {
  std::lock_guard lock(cache_mutex_);
  return signer_checks_;
}

// The cache key is the x5c member exactly as sent: the same bytes always get the same verdict.
// Bounded, so a hostile ledger with a new chain per entry cannot grow it without limit.
std::shared_ptr<const Verifier::SignerVerdict> Verifier::signer_verdict(const nlohmann::json& header) const {
  constexpr std::size_t kMaxCachedSigners = 64;
  auto it = header.is_object() ? header.find("x5c") : header.end();
  std::string key = it != header.end() ? it->dump() : std::string();
  {
    std::lock_guard lock(cache_mutex_);
    if (auto hit = signer_cache_.find(key); hit != signer_cache_.end()) return hit->second;
  }
  auto verdict = std::make_shared<const SignerVerdict>(check_signer(header));
  std::lock_guard lock(cache_mutex_);
  ++signer_checks_;
  if (signer_cache_.size() < kMaxCachedSigners) signer_cache_.emplace(std::move(key), verdict);
  return verdict;
}

// Bounded like the signer cache; a header that is not cached is still judged, just not kept.
std::shared_ptr<const Verifier::HeaderVerdict> Verifier::header_verdict(std::string_view protected_b64) const {
  constexpr std::size_t kMaxCachedHeaders = 64;
  {
    std::lock_guard lock(cache_mutex_);
    if (auto hit = header_cache_.find(protected_b64); hit != header_cache_.end()) return hit->second;
  }
  auto verdict = std::make_shared<HeaderVerdict>();
  auto header = jws_decode_protected_header(protected_b64);
  auto* alg = header ? string_member(header.value(), "alg") : nullptr;
  if (!header)
    verdict->rejection = std::pair{Rejection::Malformed, header.error()};
  else if (!alg || *alg != "ES256")
    verdict->rejection = std::pair{Rejection::UnsupportedAlg, std::string("alg must be ES256")};
  else
    verdict->signer = signer_verdict(header.value());
  std::lock_guard lock(cache_mutex_);
  if (header_cache_.size() < kMaxCachedHeaders) header_cache_.emplace(std::string(protected_b64), verdict);
  return verdict;
}

Verifier::SignerVerdict Verifier::check_signer(const nlohmann::json& header) const {
  SignerVerdict v;
  auto reject = [&](Rejection r, std::string detail) {
    v.rejection = std::pair{r, std::move(detail)};
    return v;
  };
  auto signer_strings = x5c_strings(header);
  auto signer_chain = signer_strings ? parse_x5c(*signer_strings) : std::nullopt;
  if (!signer_chain) return reject(Rejection::Malformed, "protected header x5c missing or not DER certificates");
  const crypto::Certificate& signer = signer_chain->front();
  if (trust_.signer && !same_cert(signer, *trust_.signer))
    return reject(Rejection::UntrustedSigner, "signed by " + signer.subject_text() + ", not the trusted signer");
  if (trust_.vendor_ca && !signer.issued_by(*trust_.vendor_ca))
    return reject(Rejection::UntrustedSigner, "signer " + signer.subject_text() + " not issued by the vendor CA");
  auto signer_key = signer.public_key();
  if (!signer_key) return reject(Rejection::BadSignature, "JWS signature does not verify");
  // The chip certificates chain to the vendor CA: the trusted one, or else the CA that issued
  // the trusted signer (a signer vouches only for its own vendor's parts).
  const crypto::Certificate& vendor = trust_.vendor_ca ? *trust_.vendor_ca : signer_chain->back();
  v.chain_without_issuer = !trust_.vendor_ca && !signer.issued_by(vendor);
  v.key = std::make_shared<const crypto::Key>(std::move(*signer_key));
  v.vendor = std::make_shared<const crypto::Certificate>(vendor);
  return v;
}

Result<VerifiedEntry, RejectedEntry> Verifier::verify(std::string_view entry_json, std::size_t index) const {
  // One parser per thread for each of the two documents of an entry (the entry, then its
  // payload): their buffers are reused, so an entry costs no allocation for its parse.
  thread_local simdjson::dom::parser entry_parser, payload_parser;
  std::string claimed = "#" + std::to_string(index);
  auto reject = [&](Rejection r, std::string detail) { return fail(RejectedEntry{claimed, r, std::move(detail)}); };

  simdjson::dom::element entry;
  if (auto error = entry_parser.parse(entry_json.data(), entry_json.size()).get(entry))
    return reject(Rejection::InvalidJson, simdjson::error_message(error));
  if (std::string_view uid; !entry["header"]["uniqueId"].get(uid)) claimed = uid;

  auto jws = jws_from_element(entry, /*decode_protected_header=*/false);
  if (!jws) return reject(Rejection::Malformed, jws.error());
  simdjson::dom::element payload;
  const bool payload_parsed = !payload_parser.parse(jws->payload).get(payload);
  if (std::string_view uid; payload_parsed && !payload["uniqueId"].get(uid)) claimed = uid;

  // 1. The signer: who the protected header says, checked against what the caller trusts.
  auto header = header_verdict(jws->protected_b64());
  if (header->rejection) return reject(header->rejection->first, header->rejection->second);
  const auto& signer = header->signer;
  if (signer->rejection) return reject(signer->rejection->first, signer->rejection->second);
  if (!jws_verify_es256(*jws, *signer->key)) return reject(Rejection::BadSignature, "JWS signature does not verify");

  // 2. The payload, now known to come from the signer.
  if (!payload_parsed || !payload.is_object()) return reject(Rejection::Malformed, "payload is not a JSON object");
  if (auto name = duplicate_member(payload.get_object().value_unsafe()))
    return reject(Rejection::Malformed, "payload has a duplicate member \"" + std::string(*name) + "\"");
  std::string_view uid_hex;
  if (payload["uniqueId"].get(uid_hex)) return reject(Rejection::Malformed, "payload has no uniqueId");
  auto uid = from_hex(uid_hex);
  if (!uid || uid->empty()) return reject(Rejection::Malformed, "uniqueId is not hex");
  simdjson::dom::array keys;
  simdjson::dom::object jwk;
  if (payload["publicKeySet"]["keys"].get(keys) || keys.size() != 1 || keys.at(0).get(jwk))
    return reject(Rejection::Malformed, "publicKeySet.keys must hold exactly one key");
  if (auto name = duplicate_member(jwk))
    return reject(Rejection::Malformed, "key has a duplicate member \"" + std::string(*name) + "\"");
  std::string_view kty, crv, x, y;
  if (jwk["kty"].get(kty) || kty != "EC" || jwk["crv"].get(crv) || crv != "P-256" || jwk["x"].get(x) ||
      jwk["y"].get(y))
    return reject(Rejection::Malformed, "key is not an EC P-256 JWK");
  Bytes chip_der;
  auto chip_strings = x5c_strings(jwk);
  auto chip_chain = chip_strings ? parse_x5c(*chip_strings, true, &chip_der) : std::nullopt;
  if (!chip_chain) return reject(Rejection::Malformed, "key x5c missing or not DER certificates");
  const crypto::Certificate& cert = chip_chain->front();

  // 3. The chip certificate chains to the vendor CA.
  if (signer->chain_without_issuer)
    return reject(Rejection::UntrustedSigner, "signer's x5c does not end with its issuing CA");
  const crypto::Certificate& vendor = *signer->vendor;
  if (!cert.issued_by(vendor))
    return reject(Rejection::ForeignChip, "chip certificate issued by " + cert.issuer_text() + ", not the vendor CA");

  // 4. The JWK is the certificate's key, and the uniqueId is the certificate's serial (UID ‖ 00 00).
  auto cert_key = cert.public_point();
  auto jx = base64url_decode(x), jy = base64url_decode(y);
  if (!cert_key || cert_key->first != crypto::Curve::P256 || !jx || !jy)
    return reject(Rejection::KeyMismatch, "certificate key is not P-256 or x/y not base64url");
  Bytes point{0x04};
  point.insert(point.end(), jx->begin(), jx->end());
  point.insert(point.end(), jy->begin(), jy->end());
  if (point != cert_key->second) return reject(Rejection::KeyMismatch, "JWK x/y differ from the certificate's key");
  Bytes serial = *uid;
  serial.push_back(0);
  serial.push_back(0);
  if (strip_leading_zeros(cert.serial()) != strip_leading_zeros(serial))
    return reject(Rejection::UniqueIdMismatch, "certificate serial " + to_hex(cert.serial()) + " is not uniqueId || 0000");

  // from_der_lazy_key refused trailing bytes: the DER received is the certificate's encoding.
  return VerifiedEntry{to_hex(*uid), crypto::certificate_pem(chip_der), to_hex(crypto::sha256(chip_der))};
}

bool DuplicateFilter::first_time(const VerifiedEntry& e) {
  bool new_uid = uids_.insert(e.unique_id).second;
  bool new_cert = certs_.insert(e.certificate_id).second;
  return new_uid && new_cert;
}

}  // namespace trustlane::ledger
