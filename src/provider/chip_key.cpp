#include "provider/chip_key.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

namespace trustlane::provider {
namespace {

// The public half as a key of OpenSSL's default provider. Pinned there on purpose: an
// unqualified fetch of "EC" may land on this provider's own keymgmt (and recurse).
std::optional<crypto::Key> default_provider_public_key(ByteView point) {
  if (point.size() != 65 || point[0] != 0x04) return std::nullopt;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", "provider=default");
  if (ctx == nullptr) return std::nullopt;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<std::uint8_t*>(point.data()), point.size()),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* key = nullptr;
  const bool built = EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!built) return std::nullopt;
  // fromdata does not check that the point is on the curve; the quick public-key check does.
  // The full check adds a scalar multiplication by the order (a second key's worth of CPU per
  // load, which a fleet pays 10,000 times) that proves nothing more on P-256: its cofactor is
  // 1, so every point on the curve is in the prime-order group.
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key, "provider=default");
  const bool on_curve = check != nullptr && EVP_PKEY_public_check_quick(check) == 1;
  EVP_PKEY_CTX_free(check);
  if (!on_curve) {
    EVP_PKEY_free(key);
    return std::nullopt;
  }
  return crypto::Key::adopt(key);
}

}  // namespace

std::unique_ptr<ChipKey> ChipKey::load(std::shared_ptr<ChipHandle> chip, std::uint32_t object_id) {
  auto key = std::make_unique<ChipKey>();
  key->public_point = chip->public_point(object_id);
  key->public_key = default_provider_public_key(key->public_point);
  if (!key->public_key)
    throw std::runtime_error("object " + object_id_text(object_id) + " on chip " + chip->name() +
                             " holds a point that is not on P-256");
  key->chip = std::move(chip);
  key->object_id = object_id;
  return key;
}

std::unique_ptr<ChipKey> ChipKey::public_only(ByteView public_point) {
  auto parsed = default_provider_public_key(public_point);
  if (!parsed) return nullptr;
  auto key = std::make_unique<ChipKey>();
  key->public_point.assign(public_point.begin(), public_point.end());
  key->public_key = std::move(parsed);
  return key;
}

}  // namespace trustlane::provider
