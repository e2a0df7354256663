#include "iot/types.hpp"

namespace trustlane::iot {

std::string_view to_string(CertificateStatus s) {
  switch (s) {
    case CertificateStatus::Active: return "ACTIVE";
    case CertificateStatus::Inactive: return "INACTIVE";
    case CertificateStatus::Revoked: return "REVOKED";
    case CertificateStatus::PendingTransfer: return "PENDING_TRANSFER";
    case CertificateStatus::RegisterInactive: return "REGISTER_INACTIVE";
    case CertificateStatus::PendingActivation: return "PENDING_ACTIVATION";
  }
  return "?";
}

std::string_view to_string(CertificateMode m) {
  switch (m) {
    case CertificateMode::Default: return "DEFAULT";
    case CertificateMode::SniOnly: return "SNI_ONLY";
  }
  return "?";
}

std::string_view to_string(CaStatus s) {
  switch (s) {
    case CaStatus::Active: return "ACTIVE";
    case CaStatus::Inactive: return "INACTIVE";
  }
  return "?";
}

std::optional<CertificateStatus> parse_certificate_status(std::string_view s) {
  for (auto v : {CertificateStatus::Active, CertificateStatus::Inactive, CertificateStatus::Revoked,
                 CertificateStatus::PendingTransfer, CertificateStatus::RegisterInactive,
                 CertificateStatus::PendingActivation})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::optional<CertificateMode> parse_certificate_mode(std::string_view s) {
  for (auto v : {CertificateMode::Default, CertificateMode::SniOnly})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::optional<CaStatus> parse_ca_status(std::string_view s) {
  for (auto v : {CaStatus::Active, CaStatus::Inactive})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

}  // namespace trustlane::iot
