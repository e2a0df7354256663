// What differs between the SE050C (applet 3.1.1) and SE050E (applet 7.2.0) personalities:
// version blob, maximum response size and the object type codes ReadType answers.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "chip/chip.hpp"
#include "chip/object.hpp"

namespace trustlane::chip {

struct PersonalityTraits {
  std::array<std::uint8_t, 7> version;  // GetVersion / SELECT data
  std::size_t max_response;             // bytes of response data + SW a single APDU may carry
  bool curve_specific_types;            // applet 7.x: EC type codes depend on the curve
};

const PersonalityTraits& traits(Personality p);
std::optional<Personality> personality_from_name(std::string_view name);

// SE05x SecureObjectType code of an object (ReadType, ReadIDList filter).
std::uint8_t object_type_code(Personality p, ObjectKind kind, std::uint8_t curve);

}  // namespace trustlane::chip
