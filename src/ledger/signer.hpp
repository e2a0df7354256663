// The vendor's manifest signer, kept in the chip store's directory next to the vendor CA:
// manifest-signer.key (mode 0600) and manifest-signer.pem, issued by the vendor CA on first use.
#pragma once
#include <filesystem>

#include "ledger/entry.hpp"

namespace trustlane::ledger {

inline constexpr const char* kSignerKeyFile = "manifest-signer.key";
inline constexpr const char* kSignerCertFile = "manifest-signer.pem";

// Loads the signer from `store_dir`, creating it (signed with vendor-ca.key) when absent.
// Throws std::runtime_error with a one-line reason (missing/corrupt files, unwritable dir).
ManifestSigner load_or_create_signer(const std::filesystem::path& store_dir, const crypto::Certificate& vendor_ca);

// Issues a new signer certificate under a vendor CA (also used by tests for foreign signers).
ManifestSigner issue_signer(const crypto::Key& vendor_key, const crypto::Certificate& vendor_ca);

}  // namespace trustlane::ledger
