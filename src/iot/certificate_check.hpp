// Validation of certificates handed to the registry (untrusted PEM): never throws.
#pragma once
#include <cstdint>
#include <string_view>

#include "crypto/x509.hpp"
#include "iot/error.hpp"

namespace trustlane::iot {

inline constexpr std::size_t kMaxCertificatePem = 65536;

// One PEM certificate, not expired or not yet valid at `now`, with an EC P-256/P-384 key.
// Errors: CertificateValidation with a message saying what is wrong.
Outcome<crypto::Certificate> parse_certificate_pem(std::string_view pem, std::int64_t now);

}  // namespace trustlane::iot
