// Signing through the provider with in-process chips: one-shot and streaming digest-sign,
// plain sign of a precomputed digest, verification with the certificate's public key.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <thread>

#include "crypto/digest.hpp"
#include "test_chips.hpp"

namespace trustlane::provider {
namespace {

using testing::fleet;

struct MdCtx {
  EVP_MD_CTX* p = EVP_MD_CTX_new();
  ~MdCtx() { EVP_MD_CTX_free(p); }
};

Bytes digest_sign(EVP_PKEY* key, OSSL_LIB_CTX* libctx, ByteView message, bool streaming) {
  MdCtx md;
  EXPECT_EQ(EVP_DigestSignInit_ex(md.p, nullptr, "SHA256", libctx, nullptr, key, nullptr), 1);
  Bytes sig(80);
  size_t len = sig.size();
  if (streaming) {
    for (std::size_t i = 0; i < message.size(); i += 7)
      EXPECT_EQ(EVP_DigestSignUpdate(md.p, message.data() + i, std::min<std::size_t>(7, message.size() - i)), 1);
    EXPECT_EQ(EVP_DigestSignFinal(md.p, sig.data(), &len), 1);
  } else {
    EXPECT_EQ(EVP_DigestSign(md.p, sig.data(), &len, message.data(), message.size()), 1);
  }
  sig.resize(len);
  return sig;
}

TEST(ProviderSign, LoadsKeyAndPairedCertificate) {
  auto& f = fleet();
  auto loaded = load_key(f.libctx.get(), f.key_uri(0));
  ASSERT_TRUE(loaded.key);
  ASSERT_TRUE(loaded.certificate);
  EXPECT_TRUE(EVP_PKEY_is_a(loaded.key.get(), "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(loaded.key.get()), 256);
  EXPECT_EQ(EVP_PKEY_get_security_bits(loaded.key.get()), 128);
  // The certificate is the chip's own: its serial starts with the unique ID, its key is ours.
  auto serial = loaded.certificate->serial();
  const auto& uid = f.chips[0]->unique_id();
  ASSERT_GE(serial.size(), uid.size());
  EXPECT_TRUE(std::equal(uid.begin(), uid.end(), serial.begin()));
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(loaded.certificate->get()), loaded.key.get()), 1);
  EXPECT_TRUE(loaded.certificate->issued_by(f.store->vendor_ca()));
}

TEST(ProviderSign, OneShotAndStreamingSignaturesVerifyWithCertificateKey) {
  auto& f = fleet();
  auto loaded = load_key(f.libctx.get(), f.key_uri(0));
  auto cert_key = loaded.certificate->public_key();
  ASSERT_TRUE(cert_key);
  Bytes message(1000);
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i * 31);
  for (bool streaming : {false, true}) {
    auto sig = digest_sign(loaded.key.get(), f.libctx.get(), message, streaming);
    EXPECT_TRUE(cert_key->verify_sha256(message, sig)) << "streaming=" << streaming;
    Bytes other = message;
    other[5] ^= 1;
    EXPECT_FALSE(cert_key->verify_sha256(other, sig));
  }
}

TEST(ProviderSign, PlainSignOfDigestAndVerifyThroughProvider) {
  auto& f = fleet();
  auto loaded = load_key(f.libctx.get(), f.key_uri(1));
  auto digest = crypto::sha256(as_bytes("pkeyutl -sign"));
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(f.libctx.get(), loaded.key.get(), nullptr);
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1);
  size_t len = 0;
  ASSERT_EQ(EVP_PKEY_sign(ctx, nullptr, &len, digest.data(), digest.size()), 1);
  Bytes sig(len);
  ASSERT_EQ(EVP_PKEY_sign(ctx, sig.data(), &len, digest.data(), digest.size()), 1);
  sig.resize(len);
  // A digest of the wrong size is refused, not truncated.
  Bytes short_digest(20, 0x11);
  size_t len2 = 80;
  Bytes sig2(len2);
  EXPECT_NE(EVP_PKEY_sign(ctx, sig2.data(), &len2, short_digest.data(), short_digest.size()), 1);
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();

  EXPECT_TRUE(loaded.certificate->public_key()->verify_digest(digest, sig));
  // Verification through the provider's own verify.
  EVP_PKEY_CTX* vctx = EVP_PKEY_CTX_new_from_pkey(f.libctx.get(), loaded.key.get(), nullptr);
  ASSERT_EQ(EVP_PKEY_verify_init(vctx), 1);
  EXPECT_EQ(EVP_PKEY_verify(vctx, sig.data(), sig.size(), digest.data(), digest.size()), 1);
  digest[0] ^= 0xFF;
  EXPECT_NE(EVP_PKEY_verify(vctx, sig.data(), sig.size(), digest.data(), digest.size()), 1);
  EVP_PKEY_CTX_free(vctx);
  ERR_clear_error();
}

TEST(ProviderSign, OtherDigestsAreRefused) {
  auto& f = fleet();
  auto loaded = load_key(f.libctx.get(), f.key_uri(0));
  MdCtx md;
  EXPECT_NE(EVP_DigestSignInit_ex(md.p, nullptr, "SHA384", f.libctx.get(), nullptr, loaded.key.get(), nullptr), 1);
  ERR_clear_error();
}

TEST(ProviderSign, ConcurrentSignersOnOneChipAllSucceed) {
  auto& f = fleet();
  auto loaded = load_key(f.libctx.get(), f.key_uri(0));
  auto cert_key = *loaded.certificate->public_key();
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string text = "thread " + std::to_string(t) + " message " + std::to_string(i);
        Bytes m(text.begin(), text.end());
        auto sig = digest_sign(loaded.key.get(), f.libctx.get(), m, i % 2 == 0);
        if (cert_key.verify_sha256(m, sig)) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 40);
}

}  // namespace
}  // namespace trustlane::provider
