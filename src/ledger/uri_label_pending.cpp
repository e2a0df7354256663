// TEMPORARY until api/uri.hpp (feat/cloud) is merged: then http_client.cpp's uri_label, which
// uses api::aws_uri_encode, replaces this file.
#include <cstdio>

#include "ledger/api_client.hpp"

namespace trustlane::ledger {

std::string uri_label(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace trustlane::ledger
