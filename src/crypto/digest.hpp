// Digests, MACs and randomness (OpenSSL EVP).
#pragma once
#include "util/bytes.hpp"

namespace trustlane::crypto {

Bytes sha256(ByteView data);
Bytes sha384(ByteView data);
Bytes hmac_sha256(ByteView key, ByteView data);
Bytes random_bytes(std::size_t n);  // from OpenSSL's DRBG; throws CryptoError if it fails

}  // namespace trustlane::crypto
