// Keys, binaries, counters, UserIDs, ReadIDList, deletion: the object store through APDUs.
#include "chip_test_util.hpp"
#include "crypto/key.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip::test {

using se05x::TlvWriter;

namespace {
Bytes write_binary_cmd(std::uint32_t id, std::uint16_t offset, std::uint16_t total, ByteView data,
                       ByteView policy = {}, std::uint8_t ins = 0x01) {
  auto body = TlvWriter()
                  .bytes_if(0x11, policy)
                  .u32(0x41, id)
                  .u16_if(0x42, offset)
                  .u16_if(0x43, total)
                  .bytes_if(0x44, data)
                  .data();
  return se05x::encode_command(0x80, ins, 0x06, 0x00, body, false);
}
Bytes read_object_cmd(std::uint32_t id, std::uint16_t offset = 0, std::uint16_t length = 0) {
  return case4e(0x02, 0x00, 0x00, TlvWriter().u32(0x41, id).u16_if(0x42, offset).u16_if(0x43, length).data());
}
Bytes exists_cmd(std::uint32_t id) { return case4(0x04, 0x00, 0x27, TlvWriter().u32(0x41, id).data()); }
Bytes delete_cmd(std::uint32_t id) { return case4(0x04, 0x00, 0x28, TlvWriter().u32(0x41, id).data()); }
Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
  return b;
}
}  // namespace

TEST(AppletEcKey, GenerateInsideThenReadGivesPublicKeyOnly) {
  Fixture c;
  // Se05x_API_WriteECKey(pair, no policy, id 0x00000010, NIST P-256, no keys) = generate.
  EXPECT_EQ(hex(c.tx("80016100 0A 41040000001042010300")), "6a80");  // stray byte after the TLVs
  EXPECT_EQ(hex(c.tx("8001610009410400000010420103")), "9000");
  Bytes pub = tlv41(c.tx(read_object_cmd(0x10)));
  ASSERT_EQ(pub.size(), 65u);
  EXPECT_EQ(pub[0], 0x04);
  EXPECT_TRUE(crypto::Key::from_public_point(crypto::Curve::P256, pub).has_value());
  EXPECT_EQ(hex(c.tx("8002002606410400000010")), "4101014201019000");
  // Writing again without keys regenerates (default policy allows GEN).
  EXPECT_EQ(hex(c.tx("80016100064104000000 10")), "9000");
  EXPECT_NE(tlv41(c.tx(read_object_cmd(0x10))), pub);
}

TEST(AppletEcKey, ImportedPairAnswersItsPublicPointAndNeverTheScalar) {
  Fixture c;
  auto key = crypto::Key::generate();
  Bytes scalar = key.private_scalar();
  auto body = TlvWriter().u32(0x41, 0x20).u8(0x42, 0x03).bytes(0x43, scalar).bytes(0x44, key.public_point()).data();
  EXPECT_EQ(hex(c.tx(case4(0x01, 0x61, 0x00, body))), "9000");
  Bytes rsp = c.tx(read_object_cmd(0x20));
  EXPECT_EQ(tlv41(rsp), key.public_point());
  auto it = std::search(rsp.begin(), rsp.end(), scalar.begin(), scalar.end());
  EXPECT_EQ(it, rsp.end());
  // Offset/length also apply to the public key.
  Bytes point = key.public_point();
  EXPECT_EQ(tlv41(c.tx(read_object_cmd(0x20, 1, 32))), Bytes(point.begin() + 1, point.begin() + 33));
}

TEST(AppletEcKey, PrivateOnlyKeyIsNeverReadable) {
  Fixture c;
  auto key = crypto::Key::generate();
  auto body = TlvWriter().u32(0x41, 0x21).u8(0x42, 0x03).bytes(0x43, key.private_scalar()).data();
  EXPECT_EQ(hex(c.tx(case4(0x01, 0x41, 0x00, body))), "9000");
  EXPECT_EQ(hex(c.tx(read_object_cmd(0x21))), "6986");
  EXPECT_EQ(hex(c.tx(read_object_cmd(0x21, 0, 32))), "6986");
  EXPECT_EQ(hex(c.tx("8002002606410400000021")), "4101024201019000");
  // ... but it signs.
  Bytes digest(32, 0x5A);
  auto sign = TlvWriter().u32(0x41, 0x21).u8(0x42, 0x21).bytes(0x43, digest).data();
  Bytes sig = tlv41(c.tx(case4(0x03, 0x0C, 0x09, sign)));
  EXPECT_TRUE(key.verify_digest(digest, sig));
}

TEST(AppletEcKey, FactoryKeyReadYieldsOnlyThePublicKeyOfItsCertificate) {
  Fixture c;
  Bytes pub = tlv41(c.tx(read_object_cmd(se05x::object::kCloudKey0)));
  EXPECT_EQ(pub.size(), 65u);
}

TEST(AppletEcKey, PublicKeyImportAndBadKeys) {
  Fixture c;
  auto key = crypto::Key::generate();
  auto pub = key.public_point();
  EXPECT_EQ(hex(c.tx(case4(0x01, 0x21, 0x00, TlvWriter().u32(0x41, 0x30).u8(0x42, 0x03).bytes(0x44, pub).data()))),
            "9000");
  EXPECT_EQ(tlv41(c.tx(read_object_cmd(0x30))), pub);
  EXPECT_EQ(hex(c.tx("8002002606410400000030")), "4101034201019000");
  Bytes bad = pub;
  bad[10] ^= 0xFF;  // not on the curve
  EXPECT_EQ(hex(c.tx(case4(0x01, 0x21, 0x00, TlvWriter().u32(0x41, 0x31).u8(0x42, 0x03).bytes(0x44, bad).data()))),
            "6a80");
  // Unknown curve, missing curve on create, wrong key part.
  EXPECT_EQ(hex(c.tx("8001610009410400000032420111")), "6a80");
  EXPECT_EQ(hex(c.tx("800161000641040000003 2")), "6a80");
  EXPECT_EQ(hex(c.tx("8001010009410400000032420103")), "6a86");
  // A binary object is not an EC key.
  EXPECT_EQ(hex(c.tx("8001610006" "4104F0000101")), "6985");
  EXPECT_EQ(hex(c.tx("8004002706410400000031")), "4101029000");
}

TEST(AppletEcKey, P384KeysWork) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("8001610009410400000040420104")), "9000");
  Bytes pub = tlv41(c.tx(read_object_cmd(0x40)));
  EXPECT_EQ(pub.size(), 97u);
  EXPECT_EQ(hex(c.tx("80020B36064104000000 40")), "4101049000");
  Bytes digest(48, 0x11);
  Bytes sig = tlv41(c.tx(case4(0x03, 0x0C, 0x09, TlvWriter().u32(0x41, 0x40).u8(0x42, 0x22).bytes(0x43, digest).data())));
  EXPECT_TRUE(crypto::Key::from_public_point(crypto::Curve::P384, pub)->verify_digest(digest, sig));
}

TEST(AppletBinary, ChunkedWriteAndChunkedReadLikeTheHost) {
  Fixture c;
  Bytes content = pattern(1203, 3);
  // First chunk creates the file with its total length, later chunks carry an offset.
  for (std::size_t off = 0; off < content.size(); off += 500) {
    std::size_t n = std::min<std::size_t>(500, content.size() - off);
    ByteView chunk(content.data() + off, n);
    Bytes cmd = write_binary_cmd(0x1000, static_cast<std::uint16_t>(off),
                                 off == 0 ? static_cast<std::uint16_t>(content.size()) : 0, chunk);
    ASSERT_EQ(hex(c.tx(cmd)), "9000") << off;
  }
  EXPECT_EQ(hex(c.tx("80020007064104" "00001000")), "410204b39000");
  Bytes back;
  for (std::size_t off = 0; off < content.size(); off += 500) {
    std::size_t n = std::min<std::size_t>(500, content.size() - off);
    Bytes part = tlv41(c.tx(read_object_cmd(0x1000, static_cast<std::uint16_t>(off), static_cast<std::uint16_t>(n))));
    back.insert(back.end(), part.begin(), part.end());
  }
  EXPECT_EQ(back, content);
  // Reading the whole 1203 bytes in one APDU does not fit an applet 3.x response.
  EXPECT_EQ(hex(c.tx(read_object_cmd(0x1000))), "6700");
  // Out of range reads and writes.
  EXPECT_EQ(hex(c.tx(read_object_cmd(0x1000, 1200, 4))), "6a80");
  EXPECT_EQ(hex(c.tx(read_object_cmd(0x1000, 1204, 0))), "6a80");
  EXPECT_EQ(hex(c.tx(write_binary_cmd(0x1000, 1200, 0, pattern(4, 1)))), "6a80");
  // A rewrite of part of the file keeps the rest.
  EXPECT_EQ(hex(c.tx(write_binary_cmd(0x1000, 10, 0, Bytes{0xAA, 0xBB}))), "9000");
  content[10] = 0xAA;
  content[11] = 0xBB;
  EXPECT_EQ(tlv41(c.tx(read_object_cmd(0x1000, 0, 20))), Bytes(content.begin(), content.begin() + 20));
}

TEST(AppletBinary, CreationNeedsALengthAndTheLengthIsFixed) {
  Fixture c;
  EXPECT_EQ(hex(c.tx(write_binary_cmd(0x1001, 0, 0, pattern(4, 1)))), "6a80");
  EXPECT_EQ(hex(c.tx(write_binary_cmd(0x1001, 0, 8, pattern(4, 1)))), "9000");
  EXPECT_EQ(tlv41(c.tx(read_object_cmd(0x1001))), cat({pattern(4, 1), Bytes(4, 0)}));  // zero-filled
  EXPECT_EQ(hex(c.tx(write_binary_cmd(0x1001, 0, 9, pattern(4, 1)))), "6a80");
  EXPECT_EQ(hex(c.tx(write_binary_cmd(0x1002, 0, 4, pattern(5, 1)))), "6a80");  // data beyond length
  EXPECT_EQ(hex(c.tx(write_binary_cmd(0xF0000100, 0, 0, pattern(4, 1)))), "6985");  // a key, not a file
}

TEST(AppletBinary, Se050eAnswersUpTo1024Bytes) {
  Fixture e(Personality::Se050E);
  Bytes content = pattern(1000, 9);
  ASSERT_EQ(hex(e.tx(write_binary_cmd(0x1000, 0, 1000, ByteView(content).subspan(0, 500)))), "9000");
  ASSERT_EQ(hex(e.tx(write_binary_cmd(0x1000, 500, 0, ByteView(content).subspan(500)))), "9000");
  EXPECT_EQ(tlv41(e.tx(read_object_cmd(0x1000))), content);
  Fixture c;
  ASSERT_EQ(hex(c.tx(write_binary_cmd(0x1000, 0, 1000, ByteView(content).subspan(0, 500)))), "9000");
  EXPECT_EQ(hex(c.tx(read_object_cmd(0x1000))), "6700");
}

TEST(AppletDelete, DeleteSecureObjectAndDeleteAllKeepFactoryObjects) {
  Fixture c;
  ASSERT_EQ(hex(c.tx(write_binary_cmd(0x2000, 0, 4, pattern(4, 1)))), "9000");
  ASSERT_EQ(hex(c.tx("8001610009410400000010420103")), "9000");
  EXPECT_EQ(hex(c.tx(delete_cmd(0x2000))), "9000");
  EXPECT_EQ(hex(c.tx(exists_cmd(0x2000))), "4101029000");
  EXPECT_EQ(hex(c.tx(delete_cmd(0x2000))), "6a82");
  EXPECT_EQ(hex(c.tx(delete_cmd(se05x::object::kUniqueId))), "6986");  // read-only by policy
  EXPECT_EQ(hex(c.tx("8004002A00")), "9000");
  EXPECT_EQ(hex(c.tx(exists_cmd(0x10))), "4101029000");
  EXPECT_EQ(hex(c.tx(exists_cmd(se05x::object::kCloudKey0))), "4101019000");
  EXPECT_EQ(hex(c.tx(exists_cmd(se05x::object::kCloudCert0))), "4101019000");
  EXPECT_EQ(hex(c.tx(exists_cmd(se05x::object::kUniqueId))), "4101019000");
  // The factory key is erasable by the customer.
  EXPECT_EQ(hex(c.tx(delete_cmd(se05x::object::kCloudKey0))), "9000");
  EXPECT_EQ(hex(c.tx(exists_cmd(se05x::object::kCloudKey0))), "4101029000");
}

TEST(AppletIdList, ListsSortedIdsWithFilter) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("8002002500000741020000" "4201FF0000")), "410101420c7fff0206f0000100f00001019000");
  EXPECT_EQ(hex(c.tx("80020025000007410200004201010000")), "41010142" "04f00001009000");  // EC key pairs
  EXPECT_EQ(hex(c.tx("800200250000074102000042010B0000")), "41010142087fff0206f00001019000");
  EXPECT_EQ(hex(c.tx("80020025000007410200024201FF0000")), "4101014204f00001019000");    // offset 2
  EXPECT_EQ(hex(c.tx("80020025000007410200094201FF0000")), "41010142009000");            // past the end
  Fixture e(Personality::Se050E);
  EXPECT_EQ(hex(e.tx("80020025000007410200004201290000")), "4101014204f00001009000");
}

TEST(AppletIdList, PagesWithMoreFlag) {
  Fixture c;
  for (std::uint32_t i = 0; i < 300; ++i)
    ASSERT_EQ(hex(c.tx(write_binary_cmd(0x3000 + i, 0, 1, Bytes{1}))), "9000") << i;
  std::vector<std::uint32_t> all;
  std::uint16_t offset = 0;
  int pages = 0;
  for (;;) {
    Bytes rsp = c.tx(case4e(0x02, 0x00, 0x25, TlvWriter().u16(0x41, offset).u8(0x42, 0xFF).data()));
    ASSERT_EQ(sw_of(rsp), 0x9000);
    ASSERT_LE(rsp.size(), 892u);
    Bytes d = data_of(rsp);
    se05x::TlvReader r(d);
    auto more = r.take(0x41);
    auto ids = r.take(0x42);
    ASSERT_TRUE(more && ids && r.at_end());
    for (std::size_t i = 0; i < ids->size(); i += 4) all.push_back(*get_u32(*ids, i));
    offset = static_cast<std::uint16_t>(all.size());
    ++pages;
    if ((*more)[0] == se05x::kNoMore) break;
    ASSERT_EQ((*more)[0], se05x::kMore);
  }
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(all.size(), 303u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
}

TEST(AppletCounter, CreateIncrementSet) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("80010800 0A 410400000050 42020004")), "9000");
  EXPECT_EQ(tlv41(c.tx(read_object_cmd(0x50))), H("00000000"));
  EXPECT_EQ(hex(c.tx("8001080006410400000050")), "9000");  // Se05x_API_IncCounter
  EXPECT_EQ(tlv41(c.tx(read_object_cmd(0x50))), H("00000001"));
  EXPECT_EQ(hex(c.tx("800108000C4104000000504304 00000005")), "9000");
  EXPECT_EQ(tlv41(c.tx(read_object_cmd(0x50))), H("00000005"));
  EXPECT_EQ(hex(c.tx("800108000C4104000000504304 00000003")), "6a80");  // never down
  EXPECT_EQ(hex(c.tx("8002002606410400000050")), "41010d4201019000");
  EXPECT_EQ(hex(c.tx("800108000A410400000051 42020009")), "6a80");  // size 1..8
}

TEST(AppletUserId, NeverReadableNorRewritable) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("800107000C410400000060420401020304")), "9000");
  EXPECT_EQ(hex(c.tx(read_object_cmd(0x60))), "6986");
  EXPECT_EQ(hex(c.tx("800107000C410400000060420405060708")), "6986");
  EXPECT_EQ(hex(c.tx("8002002606410400000060")), "41010c4201019000");
  EXPECT_EQ(hex(c.tx("800107000A4104000000614202 0102")), "6a80");  // too short
}

}  // namespace trustlane::chip::test
