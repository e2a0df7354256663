// Mutual TLS in process: a client SSL_CTX built in the provider's library context presents the
// chip certificate and signs CertificateVerify inside the chip; an ordinary OpenSSL server
// requiring client certificates (trusting the vendor CA) accepts it. TLS 1.2 and 1.3.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/test_pki.hpp"
#include "crypto/error.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "test_chips.hpp"

namespace trustlane::provider {
namespace {

using test::ca_spec;
using test::server_spec;

using testing::fleet;

struct Server {
  crypto::Key ca_key = crypto::Key::generate();
  crypto::Certificate ca = crypto::issue_certificate(ca_spec(), ca_key, ca_key, nullptr);
  crypto::Key key = crypto::Key::generate();
  crypto::Certificate cert = crypto::issue_certificate(server_spec("broker.test"), key, ca_key, &ca);
};

// Drives both ends over a BIO pair until both finish the handshake (or one fails).
bool handshake(SSL* client, SSL* server) {
  for (int round = 0; round < 100; ++round) {
    int c = SSL_do_handshake(client);
    int s = SSL_do_handshake(server);
    if (c == 1 && s == 1) return true;
    auto fatal = [](SSL* ssl, int r) {
      int e = SSL_get_error(ssl, r);
      return r != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
    };
    if (fatal(client, c) || fatal(server, s)) return false;
  }
  return false;
}

void mutual_tls(int version) {
  auto& f = fleet();
  Server srv;
  auto loaded = load_key(f.libctx.get(), f.key_uri(0));

  SSL_CTX* cctx = SSL_CTX_new_ex(f.libctx.get(), nullptr, TLS_client_method());
  ASSERT_NE(cctx, nullptr);
  SSL_CTX_set_min_proto_version(cctx, version);
  SSL_CTX_set_max_proto_version(cctx, version);
  ASSERT_EQ(SSL_CTX_use_certificate(cctx, loaded.certificate->get()), 1);
  ASSERT_EQ(SSL_CTX_use_PrivateKey(cctx, loaded.key.get()), 1) << crypto::drain_openssl_errors();
  ASSERT_EQ(SSL_CTX_check_private_key(cctx), 1);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), srv.ca.get());
  SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, nullptr);

  SSL_CTX* sctx = SSL_CTX_new(TLS_server_method());
  ASSERT_EQ(SSL_CTX_use_certificate(sctx, srv.cert.get()), 1);
  ASSERT_EQ(SSL_CTX_use_PrivateKey(sctx, srv.key.get()), 1);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), f.store->vendor_ca().get());
  SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

  SSL* client = SSL_new(cctx);
  SSL* server = SSL_new(sctx);
  SSL_set_tlsext_host_name(client, "broker.test");
  SSL_set1_host(client, "broker.test");
  BIO *cbio = nullptr, *sbio = nullptr;
  BIO_new_bio_pair(&cbio, 0, &sbio, 0);
  SSL_set_bio(client, cbio, cbio);
  SSL_set_bio(server, sbio, sbio);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);

  EXPECT_TRUE(handshake(client, server)) << crypto::drain_openssl_errors();
  EXPECT_EQ(SSL_version(client), version);
  X509* seen = SSL_get0_peer_certificate(server);
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(X509_cmp(seen, loaded.certificate->get()), 0);
  EXPECT_EQ(SSL_get_verify_result(server), X509_V_OK);

  SSL_free(client);
  SSL_free(server);
  SSL_CTX_free(cctx);
  SSL_CTX_free(sctx);
  ERR_clear_error();
}

TEST(ProviderTls, MutualTls13WithChipKey) { mutual_tls(TLS1_3_VERSION); }
TEST(ProviderTls, MutualTls12WithChipKey) { mutual_tls(TLS1_2_VERSION); }

TEST(ProviderTls, KeyOfAnotherChipDoesNotMatchCertificate) {
  auto& f = fleet();
  auto a = load_key(f.libctx.get(), f.key_uri(0));
  auto b = load_key(f.libctx.get(), f.key_uri(1));
  SSL_CTX* ctx = SSL_CTX_new_ex(f.libctx.get(), nullptr, TLS_client_method());
  ASSERT_EQ(SSL_CTX_use_certificate(ctx, a.certificate->get()), 1);
  EXPECT_NE(SSL_CTX_use_PrivateKey(ctx, b.key.get()) == 1 && SSL_CTX_check_private_key(ctx) == 1, true);
  SSL_CTX_free(ctx);
  ERR_clear_error();
}

}  // namespace
}  // namespace trustlane::provider
