// The trustlane-se05x OpenSSL 3 provider: chip keys as EVP_PKEYs whose signatures are computed
// inside the chip. Two ways in:
//  - loadable module build/<preset>/lib/trustlane-se05x.so for the openssl CLI
//    (`-provider-path build/dev/lib -provider trustlane-se05x -provider default`);
//  - in process: LibContext (or install()) registers it as a built-in in an OSSL_LIB_CTX.
// Key URIs: see uri.hpp. Algorithms: keymgmt EC (P-256, public part only leaves), signature
// SE05X-ECDSA (SHA-256), store loader for the se05x / se05x+t1 schemes.
#pragma once
#include <memory>
#include <optional>
#include <string_view>

#include <openssl/core.h>

#include "crypto/x509.hpp"
#include "provider/chip_registry.hpp"
#include "provider/uri.hpp"

typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;

extern "C" int trustlane_se05x_provider_init(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in,
                                             const OSSL_DISPATCH** out, void** provctx);

namespace trustlane::provider {

inline constexpr const char* kProviderName = "trustlane-se05x";

// The providers install() loaded into a library context; unload() (before the context is freed)
// drops the references OSSL_PROVIDER_load took, or they would outlive the context.
struct InstalledProviders {
  OSSL_PROVIDER* default_provider = nullptr;
  OSSL_PROVIDER* se05x = nullptr;
  void unload();
};

// Loads OpenSSL's default provider and registers + loads ours as a built-in of `libctx`, and
// makes the default provider preferred there (`?provider=default`). Throws std::runtime_error
// if OpenSSL refuses.
InstalledProviders install(OSSL_LIB_CTX* libctx);

// A library context with the default provider and ours loaded: give it to SSL_CTX_new_ex and
// load_key. Thread-safe to share.
class LibContext {
 public:
  LibContext();
  ~LibContext();
  LibContext(const LibContext&) = delete;
  LibContext& operator=(const LibContext&) = delete;
  OSSL_LIB_CTX* get() const { return ctx_; }

 private:
  OSSL_LIB_CTX* ctx_;
  InstalledProviders providers_;
};

struct PkeyFree {
  void operator()(EVP_PKEY* p) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct LoadedKey {
  PkeyPtr key;                                   // signs inside the chip
  std::optional<crypto::Certificate> certificate;  // the paired certificate, when the chip has one
};

// Loads a key URI through OSSL_STORE in `libctx` (which must have the provider installed).
// Throws std::runtime_error with the reason (bad URI, unreachable chip, missing object…).
// with_certificate = false: only the key (the paired certificate is neither read nor decoded).
LoadedKey load_key(OSSL_LIB_CTX* libctx, std::string_view uri, bool with_certificate = true);

}  // namespace trustlane::provider
