#include "ledger/export.hpp"

#include <stdexcept>

#include "host/secure_element.hpp"
#include "se05x/constants.hpp"

namespace trustlane::ledger {

namespace {
const char* part_name(chip::Personality p) {
  switch (p) {
    case chip::Personality::Se050C: return "SE050C";
    case chip::Personality::Se050E: return "SE050E";
  }
  return "SE050";
}
}  // namespace

LedgerChip read_ledger_chip(chip::Chip& c) {
  host::SecureElement se(c);
  se.select();
  Bytes uid = se.unique_id();
  auto cert = crypto::Certificate::from_der(se.read_certificate_der(se05x::object::kCloudCert0));
  if (!cert) throw std::runtime_error("chip " + to_hex(uid) + ": object 0xF0000101 is not a certificate");
  // The factory stamps the certificate at provisioning time (validity starts 60 s before).
  std::int64_t provisioned = cert->not_before() + 60;
  return {std::move(uid), std::move(*cert), part_name(c.personality()), provisioned};
}

std::size_t write_ledger(chip::Store& store, const ManifestSigner& signer, std::ostream& out) {
  std::size_t n = store.size();
  out << "[";
  for (std::size_t i = 0; i < n; ++i) {
    auto c = store.at(i);
    auto entry = make_entry(read_ledger_chip(*c), store.vendor_ca(), signer);
    out << (i ? ",\n" : "\n") << entry.dump();
  }
  out << "\n]\n";
  out.flush();
  if (!out) throw std::runtime_error("cannot write the ledger");
  return n;
}

}  // namespace trustlane::ledger
