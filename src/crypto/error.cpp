#include "crypto/error.hpp"

#include <openssl/err.h>

namespace trustlane::crypto {

std::string drain_openssl_errors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
    // Providers put the specific reason in the error data ("no object 0x… on chip …").
    if ((flags & ERR_TXT_STRING) && data != nullptr && *data != '\0') {
      out += ": ";
      out += data;
    }
  }
  return out;
}

void throw_openssl(const std::string& what) {
  auto detail = drain_openssl_errors();
  throw CryptoError(detail.empty() ? what : what + ": " + detail);
}

}  // namespace trustlane::crypto
