// Checking vendor-ledger entries before anything reaches the cloud. Sans-I/O: an entry's JSON
// text in, a verified chip identity or a rejection (reason + detail) out; never throws on bad input.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "util/result.hpp"

namespace trustlane::ledger {

// Why an entry was refused; the summary counts entries per reason.
enum class Rejection {
  Malformed,          // not a flattened JWS / payload not the ledger's JSON shape
  UnsupportedAlg,     // protected header alg is not ES256
  UntrustedSigner,    // signer certificate is not the trusted one / not issued by the vendor CA
  BadSignature,       // JWS signature does not verify (tampered entry)
  ForeignChip,        // chip certificate not issued by the vendor CA (another vendor's part)
  KeyMismatch,        // JWK x/y differ from the chip certificate's key
  UniqueIdMismatch,   // uniqueId is not the certificate serial's UID
  Duplicate,          // an earlier entry of the same ledger has this chip
  InvalidJson,        // the entry's text is not JSON (a ledger reader refuses the whole file then)
};
std::string_view to_string(Rejection r);  // "bad-signature", …

// Who is trusted: the manifest signer's certificate and/or the vendor CA (at least one).
struct Trust {
  std::optional<crypto::Certificate> signer;     // --verify-with
  std::optional<crypto::Certificate> vendor_ca;  // --vendor-ca
};

struct VerifiedEntry {
  std::string unique_id;  // lowercase hex
  std::string certificate_pem;
  std::string certificate_id;  // SHA-256 of the DER, hex (AWS IoT's certificateId)
};

struct RejectedEntry {
  std::string unique_id;  // as claimed by the entry (payload or unprotected header), or "#<index>"
  Rejection reason;
  std::string detail;
};

class Verifier {
 public:
  explicit Verifier(Trust trust);
  // Verifies one entry given as JSON text; thread-safe. `index` names unidentifiable entries.
  Result<VerifiedEntry, RejectedEntry> verify(std::string_view entry_json, std::size_t index) const;
  // How many signer chains were actually checked (the rest came from the cache); for tests.
  std::size_t signer_checks() const;

 private:
  // What is known about one signer chain (the protected header's x5c, as sent): a ledger has
  // one signer for all its entries, so its chain is parsed and checked once, not per entry.
  struct SignerVerdict {
    std::optional<std::pair<Rejection, std::string>> rejection;  // refused before its signature is checked
    bool chain_without_issuer = false;  // no vendor CA trusted and the x5c does not end with the signer's CA
    std::shared_ptr<const crypto::Key> key;             // the signer's public key
    std::shared_ptr<const crypto::Certificate> vendor;  // the CA chip certificates must chain to
  };
  std::shared_ptr<const SignerVerdict> signer_verdict(const nlohmann::json& protected_header) const;
  SignerVerdict check_signer(const nlohmann::json& protected_header) const;
  // What one protected header (base64url, as sent) says: a ledger's entries all carry the same
  // one, so it is decoded and judged once instead of per entry.
  struct HeaderVerdict {
    std::optional<std::pair<Rejection, std::string>> rejection;
    std::shared_ptr<const SignerVerdict> signer;  // set unless rejected
  };
  std::shared_ptr<const HeaderVerdict> header_verdict(std::string_view protected_b64) const;

  Trust trust_;
  mutable std::mutex cache_mutex_;
  mutable std::map<std::string, std::shared_ptr<const SignerVerdict>> signer_cache_;
  mutable std::map<std::string, std::shared_ptr<const HeaderVerdict>, std::less<>> header_cache_;
  mutable std::size_t signer_checks_ = 0;
};

// Marks repeated chips within one ledger: the first occurrence wins, later ones are Duplicate.
class DuplicateFilter {
 public:
  bool first_time(const VerifiedEntry& e);  // false when this uniqueId or certificate came before
 private:
  std::set<std::string> uids_, certs_;
};

}  // namespace trustlane::ledger
