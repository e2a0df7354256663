// The client identities a load uses: certificate + key from files (one pair, or a directory of
// NAME.pem/NAME.key pairs), chips of a store (keys through the trustlane-se05x provider), or
// chips minted in process. Each becomes one TLS client context (P-256, server verified
// against --ca); clients use them round-robin.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;

namespace trustlane::chip {
class Store;
}

namespace trustlane::loadgen {

struct IdentitySource {
  std::string cert_file, key_file;  // one pair for every client
  std::string cert_dir;             // NAME.pem + NAME.key pairs
  std::string store_dir;            // chips of a store
  std::size_t inproc_chips = 0;     // chips minted in memory
  std::size_t limit = 0;            // use at most this many chips/pairs (0 = all)
  std::string root_ca_pem;          // server trust anchors
};

struct Identity {
  std::shared_ptr<SSL_CTX> tls;     // owns one reference
  std::string name;                 // chip: base64 unique ID (the seed's client ID); file: its stem
  std::string unique_id_hex;        // chips only
  std::string certificate_pem;
};

struct Identities {
  std::vector<Identity> list;
  std::shared_ptr<chip::Store> store;  // keeps chips alive while their keys are in use
  std::string vendor_ca_pem;           // chips only
};

// Throws std::runtime_error with a one-line reason (missing files, key mismatch, empty store…).
Identities load_identities(const IdentitySource& source);

}  // namespace trustlane::loadgen
