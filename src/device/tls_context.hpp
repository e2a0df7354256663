// The TLS client context of one device: the chip's certificate and chip-held key (through the
// trustlane-se05x provider), P-256 only, TLS 1.2/1.3, server verified against the given roots.
#pragma once
#include <string>

#include "crypto/x509.hpp"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;
typedef struct ossl_lib_ctx_st OSSL_LIB_CTX;

namespace trustlane::device {

// Throws std::runtime_error with a one-line reason. The caller owns the result.
SSL_CTX* make_tls_context(OSSL_LIB_CTX* libctx, const crypto::Certificate& certificate, EVP_PKEY* key,
                          const std::string& root_ca_pem);

// Per connection: SNI = endpoint, server certificate must name endpoint, optional ALPN.
void configure_connection(SSL* ssl, const std::string& endpoint, bool alpn_mqtt);

// The trustlane-se05x library context shared by all agents of the process.
OSSL_LIB_CTX* device_lib_context();

}  // namespace trustlane::device
