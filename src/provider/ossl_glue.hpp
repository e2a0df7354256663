// Internals shared by the provider's OpenSSL operations (keymgmt, signature, store): the
// provider's context, its algorithm tables and the one place that turns C++ failures into
// OpenSSL error-queue entries (the provider's boundary: nothing may throw into libcrypto).
#pragma once
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/err.h>
#include <openssl/proverr.h>

#include <exception>
#include <string>

namespace trustlane::provider::detail {

inline constexpr const char* kProperties = "provider=trustlane-se05x";
// The keymgmt answers this for signature operations, so OpenSSL fetches our ECDSA (which asks
// the chip) rather than the default provider's (which would need the private key).
inline constexpr const char* kSignatureName = "SE05X-ECDSA";
inline constexpr const char* kKeyTypeName = "EC";  // store result data type for our keys

struct ProviderContext {
  const OSSL_CORE_HANDLE* handle = nullptr;
};

extern const OSSL_DISPATCH kKeymgmtFunctions[];
extern const OSSL_DISPATCH kSignatureFunctions[];
extern const OSSL_DISPATCH kStoreFunctions[];

// OSSL_DISPATCH stores every function as void(*)(); the core casts back by function id.
template <class F>
void (*fn(F f))() {
  return reinterpret_cast<void (*)()>(f);
}

inline void raise(int reason, const std::string& message) {
  ERR_raise_data(ERR_LIB_PROV, reason, "%s", message.c_str());
}

// Runs `f` and reports any exception as an OpenSSL error; returns `on_error` then.
template <class F, class R>
R guarded(int reason, R on_error, F&& f) noexcept {
  try {
    return f();
  } catch (const std::exception& e) {
    raise(reason, e.what());
  } catch (...) {
    raise(reason, "unexpected failure");
  }
  return on_error;
}

}  // namespace trustlane::provider::detail
