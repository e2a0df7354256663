/* Entry point of the loadable module trustlane-se05x.so (openssl CLI: -provider trustlane-se05x).
 * Kept in C and outside the static library so in-process users never see a second
 * OSSL_provider_init symbol; the work is done by the library's trustlane_se05x_provider_init. */
#include <openssl/core.h>

int trustlane_se05x_provider_init(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in,
                                  const OSSL_DISPATCH** out, void** provctx);

int OSSL_provider_init(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, const OSSL_DISPATCH** out,
                       void** provctx) {
  return trustlane_se05x_provider_init(handle, in, out, provctx);
}
