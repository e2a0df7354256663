// A PKCS#10 request signed inside the chip: crypto::CertificateRequest signs with keys we hold,
// this one signs through the trustlane-se05x provider, so the private key stays in the chip.
#pragma once
#include <cstdint>
#include <string>

#include "crypto/x509.hpp"

namespace trustlane::demo {

// `chip_address` as the agent takes it (HOST:PORT = JRCP). Throws std::runtime_error with a
// one-line reason when the chip or OpenSSL refuses.
crypto::CertificateRequest chip_signed_csr(const std::string& chip_address, std::uint32_t key_id,
                                           const crypto::DistinguishedName& subject);

}  // namespace trustlane::demo
