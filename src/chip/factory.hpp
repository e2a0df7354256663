// The vendor's factory: its CA and the identity every chip leaves the factory with
// (unique ID 0x7FFF0206, die-individual P-256 key 0xF0000100, certificate 0xF0000101).
#pragma once
#include <string>
#include <vector>

#include "chip/chip.hpp"
#include "chip/object.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"

namespace trustlane::chip {

struct VendorCa {
  crypto::Key key;
  crypto::Certificate cert;
};

VendorCa make_vendor_ca();

struct ProvisionedChip {
  Bytes uid;                          // 18 bytes
  std::vector<SecureObject> objects;  // factory objects, keys loaded
};

// A SAN shared by every chip minted in one batch, as observed on real parts.
std::string new_batch_san();
ProvisionedChip provision_chip(const VendorCa& ca, const std::string& batch_san);

// Policies of the factory objects (anyone may use them as described; nobody reads a private key).
Bytes factory_key_policy();   // SIGN | READ (public half only) | DELETE
Bytes factory_cert_policy();  // READ | DELETE
Bytes unique_id_policy();     // READ

}  // namespace trustlane::chip
