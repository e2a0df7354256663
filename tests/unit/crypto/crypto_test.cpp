#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>

#include "crypto/digest.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"

using namespace trustlane;
using namespace trustlane::crypto;

TEST(Digest, Sha256Vector) {
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, HmacVector) {  // RFC 4231 test case 2
  EXPECT_EQ(to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Key, SignVerifyAndPointRoundTrip) {
  for (auto curve : {Curve::P256, Curve::P384}) {
    auto key = Key::generate(curve);
    auto digest = sha256(as_bytes("hello"));
    auto sig = key.sign_digest(digest);
    auto pub = Key::from_public_point(curve, key.public_point());
    ASSERT_TRUE(pub);
    EXPECT_FALSE(pub->has_private());
    EXPECT_TRUE(pub->verify_digest(digest, sig));
    digest[0] ^= 1;
    EXPECT_FALSE(pub->verify_digest(digest, sig));
    EXPECT_FALSE(pub->verify_digest(digest, as_bytes("not a signature")));
  }
}

TEST(Key, ScalarImportGivesSameKey) {
  auto key = Key::generate();
  auto again = Key::from_private_scalar(Curve::P256, key.private_scalar());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->public_point(), key.public_point());
  EXPECT_FALSE(Key::from_private_scalar(Curve::P256, Bytes(32, 0)));
  EXPECT_FALSE(Key::from_private_scalar(Curve::P256, Bytes(32, 0xff)));  // above the order
}

TEST(Key, RejectsPointsOffTheCurve) {
  Bytes point(65, 0x01);
  point[0] = 0x04;
  EXPECT_FALSE(Key::from_public_point(Curve::P256, point));
  EXPECT_FALSE(Key::from_public_point(Curve::P256, Bytes{0x04}));
}

TEST(Key, EcdhAgrees) {
  auto a = Key::generate();
  auto b = Key::generate();
  auto ab = a.derive_shared_x(b.public_point());
  auto ba = b.derive_shared_x(a.public_point());
  ASSERT_TRUE(ab && ba);
  EXPECT_EQ(ab->size(), 32u);
  EXPECT_EQ(*ab, *ba);
}

TEST(Key, PemRoundTrips) {
  auto key = Key::generate();
  auto priv = Key::from_pem(key.private_pem());
  ASSERT_TRUE(priv && priv->has_private());
  auto pub = Key::from_pem(key.public_pem());
  ASSERT_TRUE(pub && !pub->has_private());
  EXPECT_EQ(pub->public_point(), key.public_point());
  EXPECT_FALSE(Key::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
}

TEST(Key, RawSignatureConversion) {
  auto key = Key::generate();
  auto der = key.sign_sha256(as_bytes("m"));
  auto raw = ecdsa_der_to_raw(der, 32);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 64u);
  EXPECT_TRUE(key.verify_sha256(as_bytes("m"), *ecdsa_raw_to_der(*raw)));
}

TEST(X509, IssueParseAndVerifyChain) {
  auto ca_key = Key::generate();
  CertificateSpec ca_spec;
  ca_spec.subject = {{"O", "Vendor"}, {"CN", "Vendor Root"}};
  ca_spec.is_ca = true;
  auto ca = issue_certificate(ca_spec, ca_key, ca_key, nullptr);

  auto leaf_key = Key::generate();
  CertificateSpec leaf_spec;
  leaf_spec.subject = {{"O", "Vendor"}, {"OU", "Plug and Trust"}, {"CN", "chip 01"}};
  leaf_spec.serial = {0x04, 0x00, 0x50, 0x01, 0x00, 0x00};
  leaf_spec.subject_alt_names = {"DNS:batch.example"};
  leaf_spec.client_auth = true;
  auto leaf = issue_certificate(leaf_spec, leaf_key, ca_key, &ca);

  auto parsed = Certificate::from_der(leaf.der());
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->issued_by(ca));
  EXPECT_FALSE(ca.issued_by(*parsed));
  EXPECT_TRUE(ca.is_ca());
  EXPECT_FALSE(parsed->is_ca());
  EXPECT_EQ(parsed->subject_field("CN"), "chip 01");
  EXPECT_EQ(parsed->serial(), leaf_spec.serial);
  EXPECT_EQ(parsed->subject_alt_names(), std::vector<std::string>{"DNS:batch.example"});
  EXPECT_EQ(parsed->public_key()->public_point(), leaf_key.public_point());
  EXPECT_EQ(parsed->sha256_hex(), to_hex(sha256(leaf.der())));
  EXPECT_EQ(Certificate::from_pem(leaf.pem())->der(), leaf.der());
  EXPECT_LT(parsed->not_before(), parsed->not_after());
}

TEST(X509, RejectsGarbageAndTrailingBytes) {
  EXPECT_FALSE(Certificate::from_pem("not a certificate"));
  EXPECT_FALSE(Certificate::from_der(as_bytes("junk")));
  auto key = Key::generate();
  CertificateSpec spec;
  spec.subject = {{"CN", "x"}};
  auto der = issue_certificate(spec, key, key, nullptr).der();
  der.push_back(0);
  EXPECT_FALSE(Certificate::from_der(der));
}

// Certificates parsed without decoding their key (registry, ledger): the same facts, the key
// built from the SPKI on demand, signatures checked over the TBS bytes as received.
TEST(X509LazyKey, SameFactsAsAFullParse) {
  auto ca_key = Key::generate(Curve::P384);
  CertificateSpec ca_spec;
  ca_spec.subject = {{"CN", "Vendor Root"}};
  ca_spec.is_ca = true;
  auto ca = issue_certificate(ca_spec, ca_key, ca_key, nullptr);
  auto leaf_key = Key::generate();
  CertificateSpec leaf_spec;
  leaf_spec.subject = {{"O", "Vendor"}, {"CN", "chip 02"}};
  leaf_spec.serial = {0x04, 0x00, 0x50, 0x02, 0x00, 0x00};
  leaf_spec.subject_alt_names = {"URI:urn:chip:2"};
  auto leaf = issue_certificate(leaf_spec, leaf_key, ca_key, &ca);

  auto lazy = Certificate::from_der_lazy_key(leaf.der());
  auto lazy_ca = Certificate::from_pem_lazy_key("junk before\n" + ca.pem());
  ASSERT_TRUE(lazy && lazy_ca);
  EXPECT_EQ(lazy->der(), leaf.der());
  EXPECT_EQ(lazy->sha256_hex(), leaf.sha256_hex());
  EXPECT_EQ(lazy->subject(), leaf.subject());
  EXPECT_EQ(lazy->issuer_text(), leaf.issuer_text());
  EXPECT_EQ(lazy->serial(), leaf_spec.serial);
  EXPECT_EQ(lazy->not_after(), leaf.not_after());
  EXPECT_EQ(lazy->subject_alt_names(), leaf.subject_alt_names());
  EXPECT_TRUE(lazy_ca->is_ca());
  EXPECT_FALSE(lazy->is_ca());
  ASSERT_TRUE(lazy->public_key());
  EXPECT_EQ(lazy->public_key()->public_point(), leaf_key.public_point());
  EXPECT_EQ(lazy_ca->public_key()->curve(), Curve::P384);
  // The point alone, as the registry and the ledger check it.
  ASSERT_TRUE(lazy->public_point());
  EXPECT_EQ(lazy->public_point()->first, Curve::P256);
  EXPECT_EQ(lazy->public_point()->second, leaf_key.public_point());
  EXPECT_EQ(lazy_ca->public_point()->first, Curve::P384);
  EXPECT_EQ(ca.public_point()->second, ca_key.public_point());
  // Every pairing of lazy and full certificates verifies the same way.
  EXPECT_TRUE(lazy->issued_by(*lazy_ca));
  EXPECT_TRUE(lazy->issued_by(ca));
  EXPECT_TRUE(leaf.issued_by(*lazy_ca));
  EXPECT_FALSE(lazy_ca->issued_by(*lazy));
  EXPECT_FALSE(lazy->signed_by(leaf_key));
}

TEST(X509LazyKey, TamperedOrMalformedInputIsRefused) {
  auto key = Key::generate();
  CertificateSpec spec;
  spec.subject = {{"CN", "self"}};
  auto der = issue_certificate(spec, key, key, nullptr).der();
  ASSERT_TRUE(Certificate::from_der_lazy_key(der)->signed_by(key));
  // A byte of the subject changed: still parses, no longer verifies.
  auto tampered = der;
  auto at = std::search(tampered.begin(), tampered.end(), std::begin("self"), std::end("self") - 1);
  ASSERT_NE(at, tampered.end());
  *at = 'S';
  auto parsed = Certificate::from_der_lazy_key(tampered);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->signed_by(key));
  auto trailing = der;
  trailing.push_back(0);
  EXPECT_FALSE(Certificate::from_der_lazy_key(trailing));
  EXPECT_FALSE(Certificate::from_der_lazy_key(as_bytes("junk")));
  EXPECT_FALSE(Certificate::from_der_lazy_key(ByteView(der.data(), der.size() / 2)));
  EXPECT_FALSE(Certificate::from_pem_lazy_key("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  EXPECT_FALSE(Certificate::from_pem_lazy_key(key.public_pem()));  // another PEM type only
}

// pem() is built without OpenSSL's PEM writer: byte for byte what PEM_write_bio_X509 writes, for
// DER lengths that do and do not fill the last 64-column line.
TEST(X509, PemIsWhatOpenSslWrites) {
  auto key = Key::generate();
  for (std::size_t length : {1, 2, 3, 29, 64}) {
    std::string cn(length, 'x');
    CertificateSpec spec;
    spec.subject = {{"CN", cn}};
    auto cert = issue_certificate(spec, key, key, nullptr);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    ASSERT_EQ(PEM_write_bio_X509(bio.get(), cert.get()), 1);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    EXPECT_EQ(cert.pem(), std::string(data, static_cast<std::size_t>(len))) << cn;
  }
}

TEST(Key, PointValidity) {
  for (auto curve : {Curve::P256, Curve::P384}) {
    auto point = Key::generate(curve).public_point();
    EXPECT_TRUE(is_valid_public_point(curve, point));
    EXPECT_EQ(is_valid_public_point(curve, point), Key::from_public_point(curve, point).has_value());
    auto off_curve = point;
    off_curve.back() ^= 1;
    EXPECT_FALSE(is_valid_public_point(curve, off_curve));
    EXPECT_FALSE(Key::from_public_point(curve, off_curve));
    auto compressed = Bytes(point.begin(), point.begin() + 1 + static_cast<std::ptrdiff_t>(field_size(curve)));
    compressed[0] = 0x02;
    EXPECT_FALSE(is_valid_public_point(curve, compressed));
    EXPECT_FALSE(is_valid_public_point(curve == Curve::P256 ? Curve::P384 : Curve::P256, point));
    EXPECT_FALSE(is_valid_public_point(curve, {}));
  }
}

TEST(X509, CsrRoundTrip) {
  auto key = Key::generate();
  auto csr = CertificateRequest::create({{"CN", "device"}}, key);
  auto parsed = CertificateRequest::from_pem(csr.pem());
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->signature_valid());
  EXPECT_EQ(parsed->subject()[0].second, "device");
}
