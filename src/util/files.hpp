// Whole-file helpers: read a text file, replace a file atomically (keys, CA certificates, ledgers).
#pragma once
#include <filesystem>
#include <string>

namespace trustlane {

std::string read_text_file(const std::filesystem::path& path);  // throws std::runtime_error
// Writes via "<path>.tmp" + fsync + rename, created with `mode`: a crash leaves the old file or
// the whole new one, never half of a key.
void write_file_atomically(const std::filesystem::path& path, const std::string& data, unsigned mode);

}  // namespace trustlane
