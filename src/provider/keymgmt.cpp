// Key management for chip keys (EC P-256). Public parts only ever leave: export refuses any
// request that includes the private key, and import accepts public keys only (OpenSSL imports
// a certificate's key to compare it with ours).
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <cstring>

#include "provider/chip_key.hpp"
#include "provider/ossl_glue.hpp"

namespace trustlane::provider::detail {
namespace {

constexpr const char* kGroup = "prime256v1";

void* km_new(void*) { return new (std::nothrow) ChipKey(); }
void km_free(void* key) { delete static_cast<ChipKey*>(key); }

// The store hands over a pointer to its ChipKey; we copy it (the store frees its own).
void* km_load(const void* reference, size_t size) {
  if (size != sizeof(ChipKey*)) return nullptr;
  ChipKey* source = nullptr;
  std::memcpy(&source, reference, sizeof source);
  if (source == nullptr) return nullptr;
  return new (std::nothrow) ChipKey(*source);
}

int km_has(const void* keydata, int selection) {
  const auto* key = static_cast<const ChipKey*>(keydata);
  if (key == nullptr) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && key->public_point.empty()) return 0;
  // "Has a private key" means: the chip holds it and will sign with it.
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && !key->in_chip()) return 0;
  return 1;
}

int km_match(const void* a, const void* b, int selection) {
  const auto* x = static_cast<const ChipKey*>(a);
  const auto* y = static_cast<const ChipKey*>(b);
  if (x == nullptr || y == nullptr) return 0;
  if (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) return x->public_point == y->public_point ? 1 : 0;
  return 1;  // same curve: we only have P-256
}

const OSSL_PARAM* km_public_types() {
  static const OSSL_PARAM types[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_END,
  };
  return types;
}
const OSSL_PARAM* km_import_types(int) { return km_public_types(); }
const OSSL_PARAM* km_export_types(int selection) {
  return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) ? nullptr : km_public_types();
}

int km_import(void* keydata, int, const OSSL_PARAM params[]) {
  auto* key = static_cast<ChipKey*>(keydata);
  if (key == nullptr) return 0;
  if (OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY) != nullptr) {
    raise(PROV_R_NOT_SUPPORTED, "se05x keys cannot be imported: private keys are created inside the chip");
    return 0;
  }
  if (const auto* group = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME)) {
    const char* name = nullptr;
    if (!OSSL_PARAM_get_utf8_string_ptr(group, &name) ||
        (std::strcmp(name, kGroup) != 0 && std::strcmp(name, "P-256") != 0 && std::strcmp(name, "secp256r1") != 0))
      return 0;
  }
  const auto* pub = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
  const void* data = nullptr;
  size_t size = 0;
  if (pub == nullptr || !OSSL_PARAM_get_octet_string_ptr(pub, &data, &size)) return 0;
  auto imported = ChipKey::public_only(ByteView(static_cast<const std::uint8_t*>(data), size));
  if (!imported) return 0;
  *key = std::move(*imported);
  return 1;
}

int km_export(void* keydata, int selection, OSSL_CALLBACK* callback, void* cbarg) {
  const auto* key = static_cast<const ChipKey*>(keydata);
  // The private key never exists outside the chip: refuse quietly (OpenSSL then uses our own
  // operations instead of copying the key to another provider).
  if (key == nullptr || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY)) return 0;
  OSSL_PARAM params[3];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(kGroup), 0);
  if (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY)
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                    const_cast<std::uint8_t*>(key->public_point.data()),
                                                    key->public_point.size());
  params[n] = OSSL_PARAM_construct_end();
  return callback(params, cbarg);
}

int km_get_params(void* keydata, OSSL_PARAM params[]) {
  const auto* key = static_cast<const ChipKey*>(keydata);
  if (key == nullptr) return 0;
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) && !OSSL_PARAM_set_int(p, 256)) return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) && !OSSL_PARAM_set_int(p, 128)) return 0;
  // Largest DER ECDSA-Sig-Value for P-256: 2 + 2 × (2 + 33).
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) && !OSSL_PARAM_set_int(p, 72)) return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME)) && !OSSL_PARAM_set_utf8_string(p, kGroup)) return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST)) && !OSSL_PARAM_set_utf8_string(p, "SHA256"))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT)) &&
      !OSSL_PARAM_set_utf8_string(p, "uncompressed"))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_ENCODING)) && !OSSL_PARAM_set_utf8_string(p, "named_curve"))
    return 0;
  for (const char* name : {OSSL_PKEY_PARAM_PUB_KEY, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY}) {
    if ((p = OSSL_PARAM_locate(params, name)) &&
        !OSSL_PARAM_set_octet_string(p, key->public_point.data(), key->public_point.size()))
      return 0;
  }
  return 1;
}

const OSSL_PARAM* km_gettable_params(void*) {
  static const OSSL_PARAM gettable[] = {
      OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
      OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
      OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
      OSSL_PARAM_END,
  };
  return gettable;
}

const char* km_query_operation_name(int operation_id) {
  return operation_id == OSSL_OP_SIGNATURE ? kSignatureName : nullptr;
}

}  // namespace

const OSSL_DISPATCH kKeymgmtFunctions[] = {
    {OSSL_FUNC_KEYMGMT_NEW, fn(&km_new)},
    {OSSL_FUNC_KEYMGMT_FREE, fn(&km_free)},
    {OSSL_FUNC_KEYMGMT_LOAD, fn(&km_load)},
    {OSSL_FUNC_KEYMGMT_HAS, fn(&km_has)},
    {OSSL_FUNC_KEYMGMT_MATCH, fn(&km_match)},
    {OSSL_FUNC_KEYMGMT_IMPORT, fn(&km_import)},
    {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, fn(&km_import_types)},
    {OSSL_FUNC_KEYMGMT_EXPORT, fn(&km_export)},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, fn(&km_export_types)},
    {OSSL_FUNC_KEYMGMT_GET_PARAMS, fn(&km_get_params)},
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, fn(&km_gettable_params)},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, fn(&km_query_operation_name)},
    {0, nullptr},
};

}  // namespace trustlane::provider::detail
