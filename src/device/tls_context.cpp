#include "device/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>

#include "crypto/error.hpp"
#include "provider/provider.hpp"

namespace trustlane::device {
namespace {

[[noreturn]] void fail(SSL_CTX* ctx, const std::string& what) {
  SSL_CTX_free(ctx);
  auto detail = crypto::drain_openssl_errors();
  throw std::runtime_error(detail.empty() ? what : what + ": " + detail);
}

}  // namespace

OSSL_LIB_CTX* device_lib_context() {
  static provider::LibContext context;  // lives as long as the process: keys loaded in it may too
  return context.get();
}

SSL_CTX* make_tls_context(OSSL_LIB_CTX* libctx, const crypto::Certificate& certificate, EVP_PKEY* key,
                          const std::string& root_ca_pem) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new_ex(libctx, nullptr, TLS_client_method());
  if (ctx == nullptr) fail(nullptr, "cannot create a TLS context");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // P-256 only, like the SE050-backed firmware: ECDHE on P-256, ECDSA-SHA256 signatures.
  if (!SSL_CTX_set1_groups_list(ctx, "P-256")) fail(ctx, "cannot restrict TLS groups to P-256");
  // The server may sign with ECDSA or RSA (AWS IoT endpoints present RSA chains).
  if (!SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256:ECDSA+SHA384:RSA-PSS+SHA256:RSA-PSS+SHA384:RSA+SHA256:RSA+SHA384"))
    fail(ctx, "cannot set TLS signature algorithms");
  if (!SSL_CTX_set1_client_sigalgs_list(ctx, "ECDSA+SHA256")) fail(ctx, "cannot set client signature algorithms");
  if (!SSL_CTX_use_certificate(ctx, certificate.get())) fail(ctx, "the chip's certificate is not usable for TLS");
  if (!SSL_CTX_use_PrivateKey(ctx, key)) fail(ctx, "the chip's key does not match its certificate");

  auto roots = crypto::Certificate::all_from_pem(root_ca_pem);
  if (roots.empty()) fail(ctx, "no certificate in the root CA file");
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const auto& root : roots)
    if (!X509_STORE_add_cert(store, root.get())) fail(ctx, "cannot add a root CA certificate");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return ctx;
}

void configure_connection(SSL* ssl, const std::string& endpoint, bool alpn_mqtt) {
  SSL_set_tlsext_host_name(ssl, endpoint.c_str());
  SSL_set1_host(ssl, endpoint.c_str());
  if (alpn_mqtt) {
    static const unsigned char kAlpn[] = "\x0ex-amzn-mqtt-ca";
    SSL_set_alpn_protos(ssl, kAlpn, sizeof kAlpn - 1);
  }
}

}  // namespace trustlane::device
