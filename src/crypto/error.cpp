#include "crypto/error.hpp"

#include <openssl/err.h>

namespace trustlane::crypto {

std::string drain_openssl_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

void throw_openssl(const std::string& what) {
  auto detail = drain_openssl_errors();
  throw CryptoError(detail.empty() ? what : what + ": " + detail);
}

}  // namespace trustlane::crypto
