// The device's TLS context against an in-memory OpenSSL server: chip key + certificate, P-256
// only (so ECDHE keys must come from the default provider, not the chip's keymgmt), SNI, ALPN
// in port-443 mode, and refusal of a server certificate for another name.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/test_pki.hpp"
#include "chip/store.hpp"
#include "crypto/error.hpp"
#include "device/tls_context.hpp"
#include "provider/provider.hpp"

namespace trustlane::device {
namespace {

using test::ca_spec;
using test::server_spec;

struct Pki {
  std::unique_ptr<chip::Store> store = chip::Store::in_memory();
  std::shared_ptr<chip::Chip> chip = store->mint(1)[0];
  crypto::Key ca_key = crypto::Key::generate();
  crypto::Certificate ca =
      crypto::issue_certificate(ca_spec(), ca_key, ca_key, nullptr);
  crypto::Key key = crypto::Key::generate();
  crypto::Certificate cert = crypto::issue_certificate(server_spec("broker.test"), key, ca_key,
      &ca);
};

struct Seen {
  std::string sni, alpn;
};

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen,
                void* arg) {
  auto* seen = static_cast<Seen*>(arg);
  if (inlen > 0) seen->alpn.assign(reinterpret_cast<const char*>(in + 1), in[0]);
  *out = in + 1;
  *outlen = in[0];
  return SSL_TLSEXT_ERR_OK;
}

// Returns true if both ends finished the handshake.
bool run_handshake(SSL* client, SSL* server) {
  for (int round = 0; round < 100; ++round) {
    int c = SSL_do_handshake(client), s = SSL_do_handshake(server);
    if (c == 1 && s == 1) return true;
    auto stuck = [](SSL* ssl, int r) {
      int e = SSL_get_error(ssl, r);
      return r != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
    };
    if (stuck(client, c) || stuck(server, s)) return false;
  }
  return false;
}

struct Outcome {
  bool ok = false;
  Seen seen;
  std::string group;
  bool client_cert_is_chips = false;
};

Outcome connect(Pki& pki, const std::string& endpoint, bool alpn, int version) {
  auto* libctx = device_lib_context();
  auto loaded = provider::load_key(libctx, provider::register_inproc_chip(pki.chip->unique_id(), pki.chip));
  SSL_CTX* cctx = make_tls_context(libctx, *loaded.certificate, loaded.key.get(), pki.ca.pem());
  SSL_CTX_set_max_proto_version(cctx, version);

  Outcome outcome;
  SSL_CTX* sctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate(sctx, pki.cert.get());
  SSL_CTX_use_PrivateKey(sctx, pki.key.get());
  X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), pki.store->vendor_ca().get());
  SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_alpn_select_cb(sctx, select_alpn, &outcome.seen);

  SSL* client = SSL_new(cctx);
  SSL* server = SSL_new(sctx);
  configure_connection(client, endpoint, alpn);
  BIO *cb = nullptr, *sb = nullptr;
  BIO_new_bio_pair(&cb, 0, &sb, 0);
  SSL_set_bio(client, cb, cb);
  SSL_set_bio(server, sb, sb);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  outcome.ok = run_handshake(client, server);
  if (const char* name = SSL_get_servername(server, TLSEXT_NAMETYPE_host_name)) outcome.seen.sni = name;
  if (outcome.ok) {
    outcome.group = SSL_group_to_name(client, SSL_get_negotiated_group(client));
    X509* peer = SSL_get0_peer_certificate(server);
    outcome.client_cert_is_chips = peer != nullptr && X509_cmp(peer, loaded.certificate->get()) == 0;
  }
  SSL_free(client);
  SSL_free(server);
  SSL_CTX_free(cctx);
  SSL_CTX_free(sctx);
  ERR_clear_error();
  return outcome;
}

TEST(DeviceTls, MutualTls13OnP256WithSni) {
  Pki pki;
  auto o = connect(pki, "broker.test", false, TLS1_3_VERSION);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.seen.sni, "broker.test");
  EXPECT_TRUE(o.seen.alpn.empty());
  EXPECT_EQ(o.group, "secp256r1");
  EXPECT_TRUE(o.client_cert_is_chips);
}

TEST(DeviceTls, MutualTls12OnP256) {
  Pki pki;
  auto o = connect(pki, "broker.test", false, TLS1_2_VERSION);
  ASSERT_TRUE(o.ok);
  EXPECT_TRUE(o.client_cert_is_chips);
}

TEST(DeviceTls, Port443ModeOffersAwsAlpn) {
  Pki pki;
  auto o = connect(pki, "broker.test", true, TLS1_3_VERSION);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.seen.alpn, "x-amzn-mqtt-ca");
}

TEST(DeviceTls, ServerCertificateForAnotherNameIsRefused) {
  Pki pki;
  auto o = connect(pki, "other.example", false, TLS1_3_VERSION);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.seen.sni, "other.example");
}

TEST(DeviceTls, RootWithoutCertificatesIsAClearError) {
  Pki pki;
  auto* libctx = device_lib_context();
  auto loaded = provider::load_key(libctx, provider::register_inproc_chip(pki.chip->unique_id(), pki.chip));
  try {
    SSL_CTX_free(make_tls_context(libctx, *loaded.certificate, loaded.key.get(), "not a pem"));
    ADD_FAILURE() << "accepted a CA file without certificates";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no certificate in the root CA file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace trustlane::device
