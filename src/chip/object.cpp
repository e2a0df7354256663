#include "chip/object.hpp"

#include "se05x/constants.hpp"

namespace trustlane::chip {

namespace {
constexpr std::size_t kObjectHeader = 32;  // object table entry, ids, attributes
std::optional<crypto::Curve> to_curve(std::uint8_t curve) {
  if (curve == se05x::curve::kNistP256) return crypto::Curve::P256;
  if (curve == se05x::curve::kNistP384) return crypto::Curve::P384;
  return std::nullopt;
}
}  // namespace

std::size_t memory_cost(const SecureObject& o) {
  std::size_t payload = 0;
  switch (o.kind) {
    case ObjectKind::EcKeyPair:
    case ObjectKind::EcPrivate:
    case ObjectKind::EcPublic:
      // The applet reserves room for the full pair whatever part is stored.
      payload = o.curve == se05x::curve::kNistP384 ? 48 + 97 : 32 + 65;
      break;
    case ObjectKind::Binary:
    case ObjectKind::UserId:
    case ObjectKind::Counter:
      payload = o.data.size();
      break;
  }
  return kObjectHeader + o.policy.size() + payload;
}

bool load_key(SecureObject& o) {
  auto curve = to_curve(o.curve);
  if (!curve) return false;
  switch (o.kind) {
    case ObjectKind::EcKeyPair:
    case ObjectKind::EcPrivate: {
      auto k = crypto::Key::from_private_scalar(*curve, o.data);
      if (!k) return false;
      if (!o.public_point.empty() && k->public_point() != o.public_point) return false;
      o.key = std::move(*k);
      return true;
    }
    case ObjectKind::EcPublic: {
      auto k = crypto::Key::from_public_point(*curve, o.public_point);
      if (!k) return false;
      o.key = std::move(*k);
      return true;
    }
    case ObjectKind::Binary:
    case ObjectKind::UserId:
    case ObjectKind::Counter:
      return false;
  }
  return false;
}

}  // namespace trustlane::chip
