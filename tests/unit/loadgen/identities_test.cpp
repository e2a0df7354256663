// Chips minted in process as load identities: one TLS context shared by all, each connection
// carrying its own chip's certificate and chip-held key.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <set>

#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "loadgen/identities.hpp"

namespace trustlane::loadgen {
namespace {

std::string root_ca_pem() {
  auto key = crypto::Key::generate();
  crypto::CertificateSpec spec;
  spec.subject = {{"CN", "Test Root"}};
  spec.is_ca = true;
  return crypto::issue_certificate(spec, key, key, nullptr).pem();
}

TEST(LoadgenIdentities, InprocChipsShareOneContextAndKeepTheirOwnIdentity) {
  IdentitySource source;
  source.inproc_chips = 4;
  source.root_ca_pem = root_ca_pem();
  auto ids = load_identities(source);
  ASSERT_EQ(ids.list.size(), 4u);
  std::set<std::string> names, certificate_ids;
  for (const auto& id : ids.list) {
    EXPECT_EQ(id.tls.get(), ids.list[0].tls.get()) << "one SSL_CTX for the whole fleet";
    ASSERT_TRUE(id.certificate && id.key);
    auto cert = crypto::Certificate::from_pem(id.certificate_pem);
    ASSERT_TRUE(cert);
    EXPECT_EQ(id.certificate_id, cert->sha256_hex());
    EXPECT_TRUE(cert->issued_by(crypto::Certificate::from_pem(ids.vendor_ca_pem).value()));
    names.insert(id.name);
    certificate_ids.insert(id.certificate_id);
  }
  EXPECT_EQ(names.size(), 4u);
  EXPECT_EQ(certificate_ids.size(), 4u);

  // A connection made from the shared context presents the identity applied to it.
  for (const auto& id : ids.list) {
    SSL* ssl = SSL_new(id.tls.get());
    ASSERT_NE(ssl, nullptr);
    apply_identity(ssl, id);
    EXPECT_EQ(X509_cmp(SSL_get_certificate(ssl), id.certificate.get()), 0) << id.name;
    EXPECT_EQ(SSL_check_private_key(ssl), 1) << id.name;
    SSL_free(ssl);
  }
}

TEST(LoadgenIdentities, ApplyIdentityIsANoOpForFileIdentities) {
  Identity id;  // no certificate/key of its own: the context carries them
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  EXPECT_NO_THROW(apply_identity(ssl, id));
  EXPECT_EQ(SSL_get_certificate(ssl), nullptr);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

}  // namespace
}  // namespace trustlane::loadgen
