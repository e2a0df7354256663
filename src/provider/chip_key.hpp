// ChipKey: what the provider's keymgmt holds for one key — a reference to the chip and object,
// and the public half read from it. There is no field for a private key: signing asks the chip.
// A public-only ChipKey (chip == nullptr) comes from import, e.g. when OpenSSL compares a
// certificate's public key with a chip key.
#pragma once
#include <cstdint>
#include <memory>

#include "crypto/key.hpp"
#include "provider/chip_handle.hpp"

namespace trustlane::provider {

struct ChipKey {
  std::shared_ptr<ChipHandle> chip;   // nullptr: public key only
  std::uint32_t object_id = 0;
  Bytes public_point;                 // 04‖X‖Y, P-256
  std::optional<crypto::Key> public_key;  // for verification and comparisons

  bool in_chip() const { return chip != nullptr; }
  // Reads the public half from the chip; throws std::runtime_error with a one-line reason.
  static std::unique_ptr<ChipKey> load(std::shared_ptr<ChipHandle> chip, std::uint32_t object_id);
  static std::unique_ptr<ChipKey> public_only(ByteView public_point);  // nullptr if not a P-256 point
};

}  // namespace trustlane::provider
