// One vendor-ledger entry: a chip's identity (unique ID, certificate chain, public key as a JWK,
// part, provisioning time) in a Trust&Go-like payload, signed by the vendor's manifest signer.
// Format: docs/compatibility.md, "Vendor ledger".
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "util/bytes.hpp"

namespace trustlane::ledger {

struct LedgerChip {
  Bytes unique_id;                  // 18 bytes (0x7FFF0206)
  crypto::Certificate certificate;  // object 0xF0000101, issued by the vendor CA
  std::string part;                 // "SE050C" / "SE050E"
  std::int64_t provisioned = 0;     // epoch seconds
};

// The key that signs ledger entries, with its certificate issued by the vendor CA.
struct ManifestSigner {
  crypto::Key key;
  crypto::Certificate cert;
};

inline constexpr const char* kKeyId = "F0000100";  // the JWK's kid: the chip object holding the key

nlohmann::json make_entry(const LedgerChip& chip, const crypto::Certificate& vendor_ca, const ManifestSigner& signer);

// "2026-11-25T01:46:50.000Z" (the timestamp style of Trust&Go manifests).
std::string iso8601_utc(std::int64_t epoch_seconds);
// The manifest signer's key id: lowercase hex SHA-256 of its certificate's DER.
std::string signer_key_id(const crypto::Certificate& signer_cert);

}  // namespace trustlane::ledger
