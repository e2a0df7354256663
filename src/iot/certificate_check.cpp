#include "iot/certificate_check.hpp"

#include <string>

namespace trustlane::iot {

Outcome<crypto::Certificate> parse_certificate_pem(std::string_view pem, std::int64_t now) {
  if (pem.size() > kMaxCertificatePem)
    return error(ErrorKind::CertificateValidation, "The certificate PEM is longer than 65536 characters");
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos)
    return error(ErrorKind::CertificateValidation, "The certificate is not a PEM-encoded X.509 certificate");
  auto cert = crypto::Certificate::from_pem_lazy_key(pem);
  if (!cert) return error(ErrorKind::CertificateValidation, "The certificate could not be parsed as X.509");
  if (cert->not_after() < now) return error(ErrorKind::CertificateValidation, "The certificate has expired");
  if (cert->not_before() > now) return error(ErrorKind::CertificateValidation, "The certificate is not yet valid");
  if (!cert->public_point())
    return error(ErrorKind::CertificateValidation,
                 "The certificate's public key is not supported (EC P-256 or P-384 required)");
  return *cert;
}

}  // namespace trustlane::iot
