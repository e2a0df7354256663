#include "chip/factory.hpp"

#include <cctype>

#include "chip/policy.hpp"
#include "crypto/digest.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip {

namespace {
const crypto::DistinguishedName& vendor_name() {
  static const crypto::DistinguishedName name{
      {"O", "trustlane vendor"}, {"OU", "Plug and Trust"}, {"CN", "trustlane vendor Plug and Trust CA"}};
  return name;
}
constexpr std::int64_t kNotAfterForever = 253402300799;  // 9999-12-31T23:59:59Z (RFC 5280 §4.1.2.5)

std::string upper_hex(ByteView b) {
  std::string s = to_hex(b);
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

VendorCa make_vendor_ca() {
  auto key = crypto::Key::generate(crypto::Curve::P256);
  crypto::CertificateSpec spec;
  spec.subject = vendor_name();
  spec.is_ca = true;
  spec.path_length = 0;
  spec.not_after = kNotAfterForever;
  auto cert = crypto::issue_certificate(spec, key, key, nullptr);
  return VendorCa{std::move(key), std::move(cert)};
}

Bytes factory_key_policy() {
  namespace pol = se05x::policy;
  return encode_policy({{pol::kAnyone, pol::kSign | pol::kRead | pol::kDelete, {}}});
}
Bytes factory_cert_policy() {
  namespace pol = se05x::policy;
  return encode_policy({{pol::kAnyone, pol::kRead | pol::kDelete, {}}});
}
Bytes unique_id_policy() { return encode_policy({{se05x::policy::kAnyone, se05x::policy::kRead, {}}}); }

std::string new_batch_san() { return "DNS:batch-" + to_hex(crypto::random_bytes(6)) + ".se050.trustlane.invalid"; }

ProvisionedChip provision_chip(const VendorCa& ca, const std::string& batch_san) {
  ProvisionedChip out;
  // UID: NXP-style prefix (04 00 50 01) then 14 random bytes; its first byte keeps the
  // certificate serial (UID ‖ 00 00) positive.
  out.uid = {0x04, 0x00, 0x50, 0x01};
  auto rnd = crypto::random_bytes(se05x::kUniqueIdSize - 4);
  out.uid.insert(out.uid.end(), rnd.begin(), rnd.end());

  auto key = crypto::Key::generate(crypto::Curve::P256);
  crypto::CertificateSpec spec;
  spec.subject = {{"O", "trustlane vendor"}, {"OU", "Plug and Trust"}, {"CN", upper_hex(out.uid)}};
  spec.serial = out.uid;
  spec.serial.push_back(0x00);
  spec.serial.push_back(0x00);
  spec.not_after = kNotAfterForever;
  spec.subject_alt_names = {batch_san};
  spec.client_auth = true;
  auto cert = crypto::issue_certificate(spec, key, ca.key, &ca.cert);

  SecureObject uid;
  uid.id = se05x::object::kUniqueId;
  uid.kind = ObjectKind::Binary;
  uid.policy = unique_id_policy();
  uid.data = out.uid;
  uid.factory = true;

  SecureObject k;
  k.id = se05x::object::kCloudKey0;
  k.kind = ObjectKind::EcKeyPair;
  k.curve = se05x::curve::kNistP256;
  k.policy = factory_key_policy();
  k.data = key.private_scalar();
  if (k.data.size() < 32) k.data.insert(k.data.begin(), 32 - k.data.size(), 0);
  k.public_point = key.public_point();
  k.factory = true;
  k.key = std::move(key);

  SecureObject c;
  c.id = se05x::object::kCloudCert0;
  c.kind = ObjectKind::Binary;
  c.policy = factory_cert_policy();
  c.data = cert.der();  // stored exactly: ReadSize reports the DER's size
  c.factory = true;

  out.objects.push_back(std::move(uid));
  out.objects.push_back(std::move(k));
  out.objects.push_back(std::move(c));
  return out;
}

}  // namespace trustlane::chip
