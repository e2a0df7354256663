// The cloud's own root CA (the role Amazon Root CA 1 plays): created at first start in the data
// directory (root-ca.pem, root-ca.key with mode 0600), loaded afterwards. It issues the
// certificates of CreateKeysAndCertificate and, for the broker, server certificates.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "crypto/key.hpp"
#include "crypto/x509.hpp"

namespace trustlane::iot {

class CloudCa {
 public:
  static CloudCa load_or_create(const std::filesystem::path& dir);

  const crypto::Certificate& certificate() const { return cert_; }
  std::filesystem::path certificate_path() const { return dir_ / "root-ca.pem"; }
  // A device (client) certificate for `subject_key`, like AWS's "AWS IoT Certificate".
  crypto::Certificate issue_device_certificate(const crypto::Key& subject_key) const;
  // A TLS server certificate for the given DNS names (the broker's endpoint hosts).
  crypto::Certificate issue_server_certificate(const crypto::Key& subject_key,
                                               const std::vector<std::string>& dns_names) const;

 private:
  CloudCa(std::filesystem::path dir, crypto::Key key, crypto::Certificate cert)
      : dir_(std::move(dir)), key_(std::move(key)), cert_(std::move(cert)) {}
  std::filesystem::path dir_;
  crypto::Key key_;
  crypto::Certificate cert_;
};

}  // namespace trustlane::iot
