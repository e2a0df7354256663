#include "ledger/entry.hpp"

#include <ctime>

#include "crypto/digest.hpp"
#include "ledger/jws.hpp"

namespace trustlane::ledger {

std::string iso8601_utc(std::int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

std::string signer_key_id(const crypto::Certificate& signer_cert) { return signer_cert.sha256_hex(); }

nlohmann::json make_entry(const LedgerChip& chip, const crypto::Certificate& vendor_ca, const ManifestSigner& signer) {
  auto key = chip.certificate.public_key();
  if (!key) throw std::runtime_error("chip " + to_hex(chip.unique_id) + ": certificate key is not EC");
  Bytes point = key->public_point();  // 04 || X || Y
  std::size_t n = crypto::field_size(key->curve());
  ByteView x(point.data() + 1, n), y(point.data() + 1 + n, n);
  auto org = vendor_ca.subject_field("O");
  auto unit = vendor_ca.subject_field("OU");
  std::string uid = to_hex(chip.unique_id);
  nlohmann::json payload = {
      {"version", 1},
      {"model", "SE050"},
      {"partNumber", chip.part},
      {"manufacturer", {{"organizationName", org.value_or("")}, {"organizationalUnitName", unit.value_or("")}}},
      {"provisioningTimestamp", iso8601_utc(chip.provisioned)},
      {"uniqueId", uid},
      {"publicKeySet",
       {{"keys",
         nlohmann::json::array({{{"kid", kKeyId},
                                 {"kty", "EC"},
                                 {"crv", "P-256"},
                                 {"x", base64url_encode(x)},
                                 {"y", base64url_encode(y)},
                                 {"x5c", {base64_encode(chip.certificate.der()), base64_encode(vendor_ca.der())}}}})}}}};
  nlohmann::json header = {{"alg", "ES256"},
                           {"kid", signer_key_id(signer.cert)},
                           {"x5c", {base64_encode(signer.cert.der()), base64_encode(vendor_ca.der())}}};
  return jws_sign_es256(header, {{"uniqueId", uid}}, payload.dump(), signer.key);
}

}  // namespace trustlane::ledger
