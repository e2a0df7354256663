// The OSSL_STORE loader: what each URI yields, and clear errors for URIs that cannot work.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/store.h>

#include "host/secure_element.hpp"
#include "test_chips.hpp"

namespace trustlane::provider {
namespace {

using testing::fleet;

struct Loaded {
  int keys = 0, certs = 0;
  std::optional<crypto::Certificate> cert;
};

Loaded load_all(OSSL_LIB_CTX* libctx, const std::string& uri, int expect = 0) {
  Loaded out;
  OSSL_STORE_CTX* store = OSSL_STORE_open_ex(uri.c_str(), libctx, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  EXPECT_NE(store, nullptr) << uri;
  if (store == nullptr) return out;
  if (expect != 0) {
    EXPECT_EQ(OSSL_STORE_expect(store, expect), 1);
  }
  while (!OSSL_STORE_eof(store)) {
    OSSL_STORE_INFO* info = OSSL_STORE_load(store);
    if (info == nullptr) break;
    if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY) ++out.keys;
    if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_CERT) {
      ++out.certs;
      out.cert = crypto::Certificate::adopt(OSSL_STORE_INFO_get1_CERT(info));
    }
    OSSL_STORE_INFO_free(info);
  }
  OSSL_STORE_close(store);
  return out;
}

TEST(ProviderStore, KeyUriYieldsKeyThenPairedCertificate) {
  auto& f = fleet();
  auto all = load_all(f.libctx.get(), f.key_uri(0));
  EXPECT_EQ(all.keys, 1);
  EXPECT_EQ(all.certs, 1);
  auto only_key = load_all(f.libctx.get(), f.key_uri(0), OSSL_STORE_INFO_PKEY);
  EXPECT_EQ(only_key.keys, 1);
  EXPECT_EQ(only_key.certs, 0);
}

TEST(ProviderStore, CertificateUriYieldsTheCertificateOnly) {
  auto& f = fleet();
  auto all = load_all(f.libctx.get(), f.key_uri(1, se05x::object::kCloudCert0));
  EXPECT_EQ(all.keys, 0);
  ASSERT_EQ(all.certs, 1);
  auto serial = all.cert->serial();
  const auto& uid = f.chips[1]->unique_id();
  EXPECT_TRUE(std::equal(uid.begin(), uid.end(), serial.begin()));
}

void expect_load_error(OSSL_LIB_CTX* libctx, const std::string& uri, const std::string& complaint) {
  try {
    load_key(libctx, uri);
    ADD_FAILURE() << uri << " loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(complaint), std::string::npos) << uri << " → " << e.what();
  }
  ERR_clear_error();
}

TEST(ProviderStore, LoadKeyWithoutCertificateYieldsTheSameKeyOnly) {
  auto& f = fleet();
  auto both = load_key(f.libctx.get(), f.key_uri(0));
  auto key_only = load_key(f.libctx.get(), f.key_uri(0), false);
  ASSERT_TRUE(both.certificate);
  EXPECT_FALSE(key_only.certificate);
  ASSERT_TRUE(key_only.key);
  EXPECT_EQ(EVP_PKEY_eq(both.key.get(), key_only.key.get()), 1);
  // The key alone still matches the chip's certificate (what SSL_use_PrivateKey checks).
  EXPECT_EQ(X509_check_private_key(both.certificate->get(), key_only.key.get()), 1);
}

// The paired certificate is read when asked for, not at open: a key pair whose next object is
// a binary that is no certificate still fails the whole load with the reason, as before.
TEST(ProviderStore, BrokenPairedCertificateFailsTheLoadUnlessOnlyTheKeyIsWanted) {
  auto store = chip::Store::in_memory();
  auto chip = store->mint(1)[0];
  host::SecureElement se(*chip);
  se.select();
  const std::uint32_t key_id = 0x10000010;
  se.generate_ec_key(key_id);
  se.write_binary(key_id + 1, Bytes{0x30, 0x03, 0x02, 0x01, 0x00});
  register_inproc_chip(chip->unique_id(), chip);
  const auto uri = inproc_uri(chip->unique_id(), key_id);
  LibContext libctx;
  expect_load_error(libctx.get(), uri, "does not hold a DER certificate");
  auto key_only = load_key(libctx.get(), uri, false);
  EXPECT_TRUE(key_only.key);
  EXPECT_FALSE(key_only.certificate);
  unregister_inproc_chip(chip->unique_id());
}

TEST(ProviderStore, BadUrisGiveClearErrors) {
  auto& f = fleet();
  f.key_uri(0);
  const auto uid = to_hex(f.chips[0]->unique_id());
  expect_load_error(f.libctx.get(), "se05x:inproc:" + uid + "/0xF0000200", "no object 0xF0000200");
  expect_load_error(f.libctx.get(), "se05x:inproc:" + uid + "/0x7FFF0206", "does not hold a DER certificate");
  expect_load_error(f.libctx.get(), "se05x:inproc:0102030405/0xF0000100", "no in-process chip 0102030405");
  expect_load_error(f.libctx.get(), "se05x://127.0.0.1:1/0xF0000100", "unreachable");
  expect_load_error(f.libctx.get(), "se05x://127.0.0.1/0xF0000100", "bad chip address");
  expect_load_error(f.libctx.get(), "se05x:inproc:" + uid + "/0xF0000101", "names no key");
}

}  // namespace
}  // namespace trustlane::provider
