// The client identities a load uses: certificate + key from files (one pair, or a directory of
// NAME.pem/NAME.key pairs), chips of a store (keys through the trustlane-se05x provider), or
// chips minted in process. Files: each pair becomes one TLS client context (P-256, server
// verified against --ca). Chips: one context shared by all of them (building an SSL_CTX per
// device cost more CPU than minting it), each connection sets its chip's certificate and key
// with SSL_use_*. Clients use the identities round-robin.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;
typedef struct x509_st X509;
typedef struct evp_pkey_st EVP_PKEY;

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
  std::shared_ptr<SSL_CTX> tls;     // owns one reference (chips: the one shared context)
  std::shared_ptr<X509> certificate;  // chips: set on each connection (with `key`)
  std::shared_ptr<EVP_PKEY> key;      // chips: the chip-held key (signs inside the chip)
  std::string name;                 // chip: base64 unique ID (the seed's client ID); file: its stem
  std::string unique_id_hex;        // chips only
  std::string certificate_pem;
  std::string certificate_id;       // SHA-256 of the DER, hex (the cloud's certificateId)
};

// Puts the identity's own certificate and key on a connection made from its (shared) context;
// nothing to do when the context carries them. Throws std::runtime_error if OpenSSL refuses.
void apply_identity(SSL* ssl, const Identity& id);

struct Identities {
  std::vector<Identity> list;
  std::shared_ptr<chip::Store> store;  // keeps chips alive while their keys are in use
  std::string vendor_ca_pem;           // chips only
};

// Throws std::runtime_error with a one-line reason (missing files, key mismatch, empty store…).
Identities load_identities(const IdentitySource& source);

}  // namespace trustlane::loadgen
