#include "iot/pagination.hpp"

#include "util/bytes.hpp"

namespace trustlane::iot {

std::string encode_marker(std::string_view key) { return base64_encode(as_bytes(key)); }

std::optional<std::string> decode_marker(std::string_view marker) {
  if (marker.empty() || marker.size() > 1024) return std::nullopt;
  auto raw = base64_decode(marker);
  if (!raw || raw->empty()) return std::nullopt;
  return to_string(*raw);
}

}  // namespace trustlane::iot
