#include "crypto/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto/error.hpp"

namespace trustlane::crypto {

static Bytes digest(const EVP_MD* md, ByteView data) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) throw_openssl("EVP_Digest");
  out.resize(len);
  return out;
}

Bytes sha256(ByteView data) { return digest(EVP_sha256(), data); }
Bytes sha384(ByteView data) { return digest(EVP_sha384(), data); }

Bytes hmac_sha256(ByteView key, ByteView data) {
  Bytes out(32);
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(), &len))
    throw_openssl("HMAC");
  out.resize(len);
  return out;
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (n && RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw_openssl("RAND_bytes");
  return out;
}

}  // namespace trustlane::crypto
