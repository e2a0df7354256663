#include "provider/chip_key.hpp"

#include <stdexcept>

namespace trustlane::provider {

std::unique_ptr<ChipKey> ChipKey::load(std::shared_ptr<ChipHandle> chip, std::uint32_t object_id) {
  auto key = std::make_unique<ChipKey>();
  key->public_point = chip->public_point(object_id);
  key->public_key = crypto::Key::from_public_point(crypto::Curve::P256, key->public_point);
  if (!key->public_key)
    throw std::runtime_error("object " + object_id_text(object_id) + " on chip " + chip->name() +
                             " holds a point that is not on P-256");
  key->chip = std::move(chip);
  key->object_id = object_id;
  return key;
}

std::unique_ptr<ChipKey> ChipKey::public_only(ByteView public_point) {
  auto parsed = crypto::Key::from_public_point(crypto::Curve::P256, public_point);
  if (!parsed) return nullptr;
  auto key = std::make_unique<ChipKey>();
  key->public_point.assign(public_point.begin(), public_point.end());
  key->public_key = std::move(parsed);
  return key;
}

}  // namespace trustlane::provider
