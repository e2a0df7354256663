// The private key never leaves the chip: every export path that would need it fails, public
// exports work and match the certificate, imports of private keys are refused.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/key.hpp"
#include "test_chips.hpp"

namespace trustlane::provider {
namespace {

using testing::fleet;

TEST(ProviderKeyExport, PrivateExportIsRefusedEverywhere) {
  auto& f = fleet();
  auto loaded = load_key(f.libctx.get(), f.key_uri(0));
  EVP_PKEY* key = loaded.key.get();

  OSSL_PARAM* params = nullptr;
  EXPECT_NE(EVP_PKEY_todata(key, EVP_PKEY_KEYPAIR, &params), 1);
  OSSL_PARAM_free(params);

  BIGNUM* priv = nullptr;
  EXPECT_NE(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv), 1);
  BN_free(priv);

  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_NE(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  EXPECT_EQ(BIO_ctrl_pending(bio), 0u);
  BIO_free(bio);

  unsigned char* der = nullptr;
  EXPECT_LE(i2d_PrivateKey(key, &der), 0);
  OPENSSL_free(der);
  ERR_clear_error();
}

TEST(ProviderKeyExport, PublicExportMatchesCertificate) {
  auto& f = fleet();
  auto loaded = load_key(f.libctx.get(), f.key_uri(0));
  OSSL_PARAM* params = nullptr;
  ASSERT_EQ(EVP_PKEY_todata(loaded.key.get(), EVP_PKEY_PUBLIC_KEY, &params), 1);
  const OSSL_PARAM* pub = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
  ASSERT_NE(pub, nullptr);
  const void* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(OSSL_PARAM_get_octet_string_ptr(pub, &data, &size), 1);
  Bytes point(static_cast<const std::uint8_t*>(data), static_cast<const std::uint8_t*>(data) + size);
  OSSL_PARAM_free(params);
  EXPECT_EQ(point, loaded.certificate->public_key()->public_point());

  // SubjectPublicKeyInfo through OpenSSL's encoders equals the certificate's.
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(loaded.key.get(), &der);
  ASSERT_GT(len, 0);
  Bytes spki(der, der + len);
  OPENSSL_free(der);
  EXPECT_EQ(spki, loaded.certificate->public_key()->public_der());

  char group[64];
  size_t glen = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(loaded.key.get(), group, sizeof group, &glen), 1);
  EXPECT_STREQ(group, "prime256v1");
}

TEST(ProviderKeyExport, ImportOfPrivateKeyIsRefused) {
  auto& f = fleet();
  auto software = crypto::Key::generate();
  auto scalar = software.private_scalar();
  auto point = software.public_point();
  BIGNUM* bn = BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(f.libctx.get(), "EC", "provider=trustlane-se05x");
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(EVP_PKEY_fromdata_init(ctx), 1);
  EVP_PKEY* pkey = nullptr;
  EXPECT_NE(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params), 1);
  EXPECT_EQ(pkey, nullptr);
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn);
  ERR_clear_error();
}

}  // namespace
}  // namespace trustlane::provider
