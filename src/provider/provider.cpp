#include "provider/provider.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/store.h>

#include <stdexcept>
#include <string>

#include "crypto/error.hpp"
#include "provider/ossl_glue.hpp"

namespace trustlane::provider {
namespace {

// The reasons our provider put on OpenSSL's error queue (the error data text); when there are
// none, everything on the queue. OSSL_STORE adds noise (e.g. the file scheme it tried) that
// would bury the one line that matters.
std::string drain_reasons() {
  std::string ours, all;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    all += (all.empty() ? "" : "; ") + std::string(buf);
    if ((flags & ERR_TXT_STRING) && data != nullptr && *data != '\0')
      ours += (ours.empty() ? "" : "; ") + std::string(data);
  }
  return ours.empty() ? all : ours;
}

}  // namespace

namespace detail {
namespace {

const OSSL_ALGORITHM kKeymgmt[] = {
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", kProperties, kKeymgmtFunctions, "SE05x chip-held EC key"},
    {nullptr, nullptr, nullptr, nullptr},
};
const OSSL_ALGORITHM kSignature[] = {
    {kSignatureName, kProperties, kSignatureFunctions, "ECDSA-SHA256 computed inside an SE05x"},
    {nullptr, nullptr, nullptr, nullptr},
};
const OSSL_ALGORITHM kStore[] = {
    {"se05x", kProperties, kStoreFunctions, "SE05x keys and certificates (se05x://host:port/0xID, se05x:inproc:…)"},
    {"se05x+t1", kProperties, kStoreFunctions, "SE05x over T=1 (se05x+t1://host:port/0xID)"},
    {nullptr, nullptr, nullptr, nullptr},
};

const OSSL_ALGORITHM* query_operation(void*, int operation_id, int* no_cache) {
  *no_cache = 0;
  switch (operation_id) {
    case OSSL_OP_KEYMGMT: return kKeymgmt;
    case OSSL_OP_SIGNATURE: return kSignature;
    case OSSL_OP_STORE: return kStore;
    default: return nullptr;  // OpenSSL's operation ids, not our enum
  }
}

const OSSL_PARAM* gettable_params(void*) {
  static const OSSL_PARAM params[] = {
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, nullptr, 0),
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, nullptr, 0),
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, nullptr, 0),
      OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, nullptr),
      OSSL_PARAM_END,
  };
  return params;
}

int get_params(void*, OSSL_PARAM params[]) {
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) && !OSSL_PARAM_set_utf8_ptr(p, "trustlane SE05x provider"))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) && !OSSL_PARAM_set_utf8_ptr(p, "0.1.0")) return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) && !OSSL_PARAM_set_utf8_ptr(p, "trustlane"))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) && !OSSL_PARAM_set_int(p, 1)) return 0;
  return 1;
}

void teardown(void* provctx) { delete static_cast<ProviderContext*>(provctx); }

const OSSL_DISPATCH kProviderFunctions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, fn(&teardown)},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, fn(&gettable_params)},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, fn(&get_params)},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, fn(&query_operation)},
    {0, nullptr},
};

}  // namespace
}  // namespace detail

void PkeyFree::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

void InstalledProviders::unload() {
  if (se05x != nullptr) OSSL_PROVIDER_unload(se05x);
  if (default_provider != nullptr) OSSL_PROVIDER_unload(default_provider);
  se05x = default_provider = nullptr;
}

InstalledProviders install(OSSL_LIB_CTX* libctx) {
  InstalledProviders out;
  // Default first, and preferred wherever both offer an algorithm: our keymgmt shares the name
  // "EC" (so TLS and X.509 code treat chip keys as EC keys) but can only hold chip keys; plain
  // EC work (ephemeral ECDHE keys, peers' keys) must land on the default provider.
  out.default_provider = OSSL_PROVIDER_load(libctx, "default");
  if (out.default_provider == nullptr) crypto::throw_openssl("loading OpenSSL's default provider");
  if (!OSSL_PROVIDER_add_builtin(libctx, kProviderName, &trustlane_se05x_provider_init)) {
    out.unload();
    crypto::throw_openssl("registering the trustlane-se05x provider");
  }
  out.se05x = OSSL_PROVIDER_load(libctx, kProviderName);
  if (out.se05x == nullptr) {
    out.unload();
    crypto::throw_openssl("loading the trustlane-se05x provider");
  }
  if (!EVP_set_default_properties(libctx, "?provider=default")) {
    out.unload();
    crypto::throw_openssl("preferring the default provider");
  }
  return out;
}

LibContext::LibContext() : ctx_(OSSL_LIB_CTX_new()) {
  if (ctx_ == nullptr) crypto::throw_openssl("creating a library context");
  try {
    providers_ = install(ctx_);
  } catch (...) {
    OSSL_LIB_CTX_free(ctx_);
    throw;
  }
}

LibContext::~LibContext() {
  providers_.unload();
  OSSL_LIB_CTX_free(ctx_);
}

LoadedKey load_key(OSSL_LIB_CTX* libctx, std::string_view uri, bool with_certificate) {
  // Validate first so the message names the URI problem rather than OpenSSL's scheme lookup.
  if (auto parsed = parse_key_uri(uri); !parsed) throw std::runtime_error(parsed.error());
  ERR_clear_error();
  std::string text(uri);
  OSSL_STORE_CTX* store = OSSL_STORE_open_ex(text.c_str(), libctx, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  if (store == nullptr) {
    auto reason = drain_reasons();
    throw std::runtime_error("cannot open " + text + (reason.empty() ? "" : ": " + reason));
  }
  if (!with_certificate) OSSL_STORE_expect(store, OSSL_STORE_INFO_PKEY);
  LoadedKey out;
  while (!OSSL_STORE_eof(store)) {
    OSSL_STORE_INFO* info = OSSL_STORE_load(store);
    if (info == nullptr) break;
    switch (OSSL_STORE_INFO_get_type(info)) {
      case OSSL_STORE_INFO_PKEY: out.key.reset(OSSL_STORE_INFO_get1_PKEY(info)); break;
      case OSSL_STORE_INFO_CERT: out.certificate = crypto::Certificate::adopt(OSSL_STORE_INFO_get1_CERT(info)); break;
      default: break;  // nothing else comes from our loader
    }
    OSSL_STORE_INFO_free(info);
  }
  const bool failed = OSSL_STORE_error(store) == 1;
  OSSL_STORE_close(store);
  if (failed) {
    auto reason = drain_reasons();
    throw std::runtime_error("cannot load " + text + (reason.empty() ? "" : ": " + reason));
  }
  if (!out.key) {
    auto reason = drain_reasons();
    throw std::runtime_error(text + " names no key" + (reason.empty() ? "" : ": " + reason));
  }
  return out;
}

}  // namespace trustlane::provider

extern "C" int trustlane_se05x_provider_init(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH*,
                                             const OSSL_DISPATCH** out, void** provctx) {
  auto* ctx = new (std::nothrow) trustlane::provider::detail::ProviderContext{handle};
  if (ctx == nullptr) return 0;
  *provctx = ctx;
  *out = trustlane::provider::detail::kProviderFunctions;
  return 1;
}
