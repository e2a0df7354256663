// Reading and verifying a whole ledger file with bounded memory: the JSON array is split into
// its entries' text as it is read, entries are parsed and verified in chunks on several threads
// while the next chunk is read, and only the compact verified identities are kept. Duplicates
// (same chip or certificate as an earlier entry) are rejected here, so the import sees each chip once.
#pragma once
#include <istream>
#include <vector>

#include "ledger/verify.hpp"

namespace trustlane::ledger {

struct VerifiedLedger {
  std::vector<VerifiedEntry> accepted;  // ledger order
  std::vector<RejectedEntry> rejected;  // ledger order
  std::size_t total = 0;
};

// Throws std::runtime_error when the file is not a JSON array (nothing is verified then, so a
// truncated or corrupt file never leads to a partial import).
VerifiedLedger verify_ledger(std::istream& in, const Verifier& verifier, unsigned threads = 2);

}  // namespace trustlane::ledger
