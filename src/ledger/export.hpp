// Writing a chip store's ledger: one signed entry per chip, as a JSON array with one entry per
// line (still one JSON document; readers can stream it).
#pragma once
#include <cstddef>
#include <functional>
#include <ostream>

#include "chip/store.hpp"
#include "ledger/entry.hpp"

namespace trustlane::ledger {

// Reads each chip's unique ID and certificate through its APDU interface (as a host would),
// signs an entry and writes it. Returns the number of entries. Throws std::runtime_error naming
// the chip when one cannot be read.
std::size_t write_ledger(chip::Store& store, const ManifestSigner& signer, std::ostream& out);

// The identity of one chip as read through host::SecureElement.
LedgerChip read_ledger_chip(chip::Chip& chip);

}  // namespace trustlane::ledger
