// Small file helpers for the ledger's own files.
#pragma once
#include <filesystem>
#include <string>

namespace trustlane::ledger {

std::string read_text_file(const std::filesystem::path& path);  // throws std::runtime_error
// Writes via "<path>.tmp" + fsync + rename, created with `mode`: a crash leaves the old file or
// the whole new one, never half of a key.
void write_file_atomically(const std::filesystem::path& path, const std::string& data, unsigned mode);

}  // namespace trustlane::ledger
