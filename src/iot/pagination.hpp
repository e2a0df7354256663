// Opaque page markers: base64 of the last returned sort key (AWS's Marker pattern is base64).
// Keyset pagination keeps pages stable while items are added or removed between calls.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace trustlane::iot {

std::string encode_marker(std::string_view key);
std::optional<std::string> decode_marker(std::string_view marker);  // nullopt: not one of ours

}  // namespace trustlane::iot
