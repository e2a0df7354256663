// Failures of OpenSSL on inputs we built ourselves are programmer or environment errors:
// they throw CryptoError carrying OpenSSL's error queue. Parsers of untrusted input return
// std::optional instead and never throw.
#pragma once
#include <stdexcept>
#include <string>

namespace trustlane::crypto {

struct CryptoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Drains OpenSSL's thread-local error queue into one line (empty if none).
std::string drain_openssl_errors();
[[noreturn]] void throw_openssl(const std::string& what);

}  // namespace trustlane::crypto
