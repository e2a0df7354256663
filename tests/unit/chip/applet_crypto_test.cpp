// ECDSASign / ECDSAVerify / ECDH with the factory key and imported keys.
#include "chip_test_util.hpp"
#include "crypto/digest.hpp"
#include "crypto/key.hpp"
#include "crypto/x509.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip::test {

using se05x::TlvWriter;

namespace {
Bytes sign_cmd(std::uint32_t id, ByteView digest, std::uint8_t algo = 0x21) {
  return case4(0x03, 0x0C, 0x09, TlvWriter().u32(0x41, id).u8(0x42, algo).bytes(0x43, digest).data());
}
Bytes verify_cmd(std::uint32_t id, ByteView digest, ByteView sig) {
  return case4(0x03, 0x0C, 0x0A,
               TlvWriter().u32(0x41, id).u8(0x42, 0x21).bytes(0x43, digest).bytes(0x45, sig).data());
}
Bytes ecdh_cmd(std::uint32_t id, ByteView peer) {
  return case4e(0x03, 0x01, 0x0F, TlvWriter().u32(0x41, id).bytes(0x42, peer).data());
}
crypto::Certificate factory_cert(Fixture& c) {
  Bytes size = tlv41(c.tx(case4(0x02, 0x00, 0x07, TlvWriter().u32(0x41, se05x::object::kCloudCert0).data())));
  std::size_t total = *get_u16(size);
  Bytes der;
  while (der.size() < total) {
    auto n = static_cast<std::uint16_t>(std::min<std::size_t>(100, total - der.size()));
    auto req = TlvWriter()
                   .u32(0x41, se05x::object::kCloudCert0)
                   .u16_if(0x42, static_cast<std::uint16_t>(der.size()))
                   .u16(0x43, n)
                   .data();
    Bytes part = tlv41(c.tx(case4e(0x02, 0x00, 0x00, req)));
    EXPECT_EQ(part.size(), n);
    if (part.empty()) break;
    der.insert(der.end(), part.begin(), part.end());
  }
  auto cert = crypto::Certificate::from_der(der);
  EXPECT_TRUE(cert.has_value());
  return *cert;
}
}  // namespace

TEST(AppletSign, FactoryKeySignsWhatItsCertificateVerifies) {
  Fixture c;
  auto cert = factory_cert(c);
  Bytes digest = crypto::sha256(as_bytes("hello"));
  // Exact framing of Se05x_API_ECDSASign: Case4, short Lc 0x2B.
  Bytes cmd = sign_cmd(se05x::object::kCloudKey0, digest);
  EXPECT_EQ(hex(Bytes(cmd.begin(), cmd.begin() + 16)), "80030c092b4104f0000100420121" "4320");
  Bytes sig = tlv41(c.tx(cmd));
  EXPECT_TRUE(cert.public_key()->verify_digest(digest, sig));
  EXPECT_EQ(hex(c.tx(verify_cmd(se05x::object::kCloudKey0, digest, sig))), "6986");  // factory policy: no VERIFY
}

TEST(AppletSign, VerifyAnswersResultTlv) {
  Fixture c;
  ASSERT_EQ(hex(c.tx("8001610009410400000010420103")), "9000");
  Bytes digest = crypto::sha256(as_bytes("data"));
  Bytes sig = tlv41(c.tx(sign_cmd(0x10, digest)));
  EXPECT_EQ(hex(c.tx(verify_cmd(0x10, digest, sig))), "4101019000");
  Bytes other = crypto::sha256(as_bytes("other"));
  EXPECT_EQ(hex(c.tx(verify_cmd(0x10, other, sig))), "4101029000");
  EXPECT_EQ(hex(c.tx(verify_cmd(0x10, digest, Bytes{0x30, 0x00}))), "4101029000");
}

TEST(AppletSign, BadInputs) {
  Fixture c;
  EXPECT_EQ(hex(c.tx(sign_cmd(0x99, Bytes(32, 1)))), "6a82");
  EXPECT_EQ(hex(c.tx(sign_cmd(se05x::object::kCloudKey0, Bytes(31, 1)))), "6a80");        // not a SHA-256 digest
  EXPECT_EQ(hex(c.tx(sign_cmd(se05x::object::kCloudKey0, Bytes(32, 1), 0x77))), "6a80");  // unknown algorithm
  EXPECT_EQ(hex(c.tx(sign_cmd(se05x::object::kCloudCert0, Bytes(32, 1)))), "6985");        // not a key
  // Public key only: cannot sign.
  auto key = crypto::Key::generate();
  ASSERT_EQ(hex(c.tx(case4(0x01, 0x21, 0x00,
                           TlvWriter().u32(0x41, 0x30).u8(0x42, 0x03).bytes(0x44, key.public_point()).data()))),
            "9000");
  EXPECT_EQ(hex(c.tx(sign_cmd(0x30, Bytes(32, 1)))), "6985");
  Bytes digest(32, 9);
  EXPECT_EQ(hex(c.tx(verify_cmd(0x30, digest, key.sign_digest(digest)))), "4101019000");
}

TEST(AppletEcdh, SharedSecretMatchesThePeers) {
  Fixture c;
  ASSERT_EQ(hex(c.tx("8001610009410400000010420103")), "9000");
  Bytes chip_pub = tlv41(c.tx(case4e(0x02, 0x00, 0x00, TlvWriter().u32(0x41, 0x10).data())));
  auto peer = crypto::Key::generate();
  Bytes shared = tlv41(c.tx(ecdh_cmd(0x10, peer.public_point())));
  EXPECT_EQ(shared.size(), 32u);
  EXPECT_EQ(shared, *peer.derive_shared_x(chip_pub));
  Bytes bad = peer.public_point();
  bad[5] ^= 1;
  EXPECT_EQ(hex(c.tx(ecdh_cmd(0x10, bad))), "6a80");
  EXPECT_EQ(hex(c.tx(ecdh_cmd(se05x::object::kCloudKey0, peer.public_point()))), "6986");  // no KEY_AGREEMENT
}

}  // namespace trustlane::chip::test
