#include "iot/cloud_ca.hpp"

#include <stdexcept>

#include "util/files.hpp"

namespace trustlane::iot {

CloudCa CloudCa::load_or_create(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  auto cert_path = dir / "root-ca.pem";
  auto key_path = dir / "root-ca.key";
  if (std::filesystem::exists(cert_path) && std::filesystem::exists(key_path)) {
    auto key = crypto::Key::from_pem(read_text_file(key_path));
    auto cert = crypto::Certificate::from_pem(read_text_file(cert_path));
    if (!key || !key->has_private() || !cert) throw std::runtime_error("corrupt cloud root CA in " + dir.string());
    return CloudCa(dir, *key, *cert);
  }
  auto key = crypto::Key::generate(crypto::Curve::P256);
  crypto::CertificateSpec spec;
  spec.subject = {{"C", "US"}, {"O", "trustlane"}, {"CN", "trustlane Cloud Root CA 1"}};
  spec.is_ca = true;
  auto cert = crypto::issue_certificate(spec, key, key, nullptr);
  // Key first: a certificate without its key would be loaded as corrupt.
  write_file_atomically(key_path, key.private_pem(), 0600);
  write_file_atomically(cert_path, cert.pem(), 0644);
  return CloudCa(dir, key, cert);
}

crypto::Certificate CloudCa::issue_device_certificate(const crypto::Key& subject_key) const {
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", "AWS IoT Certificate"}};
  spec.client_auth = true;
  return crypto::issue_certificate(spec, subject_key, key_, &cert_);
}

crypto::Certificate CloudCa::issue_server_certificate(const crypto::Key& subject_key,
                                                      const std::vector<std::string>& dns_names) const {
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", dns_names.empty() ? std::string("trustlane") : dns_names.front()}};
  for (const auto& n : dns_names) spec.subject_alt_names.push_back("DNS:" + n);
  spec.server_auth = true;
  spec.not_after = 0;
  return crypto::issue_certificate(spec, subject_key, key_, &cert_);
}

}  // namespace trustlane::iot
