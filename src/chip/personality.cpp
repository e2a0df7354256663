#include "chip/personality.hpp"

#include "se05x/constants.hpp"

namespace trustlane::chip {

const char* personality_name(Personality p) {
  switch (p) {
    case Personality::Se050C: return "se050c";
    case Personality::Se050E: return "se050e";
  }
  return "?";
}

std::optional<Personality> personality_from_name(std::string_view name) {
  if (name == "se050c") return Personality::Se050C;
  if (name == "se050e") return Personality::Se050E;
  return std::nullopt;
}

const PersonalityTraits& traits(Personality p) {
  // Version blobs measured on real parts; max response sizes from NXP's host library.
  static const PersonalityTraits se050c{{0x03, 0x01, 0x01, 0x6F, 0xFF, 0x01, 0x0B}, 892, false};
  static const PersonalityTraits se050e{{0x07, 0x02, 0x00, 0x3F, 0x9F, 0xFF, 0xFF}, 1024, true};
  switch (p) {
    case Personality::Se050C: return se050c;
    case Personality::Se050E: return se050e;
  }
  return se050c;
}

namespace {
// Applet 7.x: pair/private/public codes per curve (se05x_enums.h, SSS_HAVE_SE05X_VER_GTE_07_02).
std::uint8_t curve_specific_base(std::uint8_t curve) {
  switch (curve) {
    case se05x::curve::kNistP192: return 0x21;
    case se05x::curve::kNistP224: return 0x25;
    case se05x::curve::kNistP256: return 0x29;
    case se05x::curve::kNistP384: return 0x2D;
    case se05x::curve::kNistP521: return 0x31;
    default: return 0x29;
  }
}
}  // namespace

std::uint8_t object_type_code(Personality p, ObjectKind kind, std::uint8_t curve) {
  const bool per_curve = traits(p).curve_specific_types;
  switch (kind) {
    case ObjectKind::EcKeyPair: return per_curve ? curve_specific_base(curve) : 0x01;
    case ObjectKind::EcPrivate: return per_curve ? curve_specific_base(curve) + 1 : 0x02;
    case ObjectKind::EcPublic: return per_curve ? curve_specific_base(curve) + 2 : 0x03;
    case ObjectKind::Binary: return 0x0B;
    case ObjectKind::UserId: return 0x0C;
    case ObjectKind::Counter: return 0x0D;
  }
  return 0x00;
}

}  // namespace trustlane::chip
