// Certificate specs shared by the unit tests that build a small test PKI (TLS servers for the
// device agent and the provider). Fields set one by one: -Wmissing-field-initializers.
#pragma once
#include <string>

#include "crypto/x509.hpp"

namespace trustlane::test {

inline crypto::CertificateSpec ca_spec() {
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", "Test Root"}};
  spec.is_ca = true;
  return spec;
}

inline crypto::CertificateSpec server_spec(const std::string& name) {
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", name}};
  spec.subject_alt_names = {"DNS:" + name};
  spec.server_auth = true;
  return spec;
}

}  // namespace trustlane::test
