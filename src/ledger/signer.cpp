#include "ledger/signer.hpp"

#include <stdexcept>

#include "util/files.hpp"

namespace trustlane::ledger {

namespace fs = std::filesystem;

ManifestSigner issue_signer(const crypto::Key& vendor_key, const crypto::Certificate& vendor_ca) {
  auto key = crypto::Key::generate(crypto::Curve::P256);
  crypto::CertificateSpec spec;
  auto org = vendor_ca.subject_field("O").value_or("vendor");
  spec.subject = {{"O", org}, {"CN", org + " manifest signer"}};
  auto cert = crypto::issue_certificate(spec, key, vendor_key, &vendor_ca);
  return {std::move(key), std::move(cert)};
}

ManifestSigner load_or_create_signer(const fs::path& store_dir, const crypto::Certificate& vendor_ca) {
  auto key_path = store_dir / kSignerKeyFile;
  auto cert_path = store_dir / kSignerCertFile;
  std::error_code ec;
  if (fs::exists(key_path, ec) && fs::exists(cert_path, ec)) {
    auto key = crypto::Key::from_pem(read_text_file(key_path));
    auto cert = crypto::Certificate::from_pem(read_text_file(cert_path));
    if (!key || !key->has_private()) throw std::runtime_error(key_path.string() + ": not a PEM private key");
    if (!cert) throw std::runtime_error(cert_path.string() + ": not a PEM certificate");
    auto cert_key = cert->public_key();
    if (!cert_key || cert_key->public_point() != key->public_point())
      throw std::runtime_error(key_path.string() + ": does not match " + kSignerCertFile);
    if (!cert->issued_by(vendor_ca))
      throw std::runtime_error(cert_path.string() + ": not issued by this store's vendor CA");
    return {std::move(*key), std::move(*cert)};
  }
  auto vendor_key_path = store_dir / "vendor-ca.key";  // chip::Store's layout (store.hpp)
  auto vendor_key = crypto::Key::from_pem(read_text_file(vendor_key_path));
  if (!vendor_key || !vendor_key->has_private())
    throw std::runtime_error(vendor_key_path.string() + ": not a PEM private key");
  auto signer = issue_signer(*vendor_key, vendor_ca);
  // Key first: a certificate without its key would be refused as corrupt on the next run.
  write_file_atomically(key_path, signer.key.private_pem(), 0600);
  write_file_atomically(cert_path, signer.cert.pem(), 0644);
  return signer;
}

}  // namespace trustlane::ledger
