#include "link/t1_block.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace trustlane::link::t1 {
namespace {
using test::hex;

// The doc's check vectors: NAD PCB LEN, then the CRC low byte first.
TEST(T1Crc, MatchesTheDocumentedVectors) {
  for (const char* vector : {"5ACF00377F", "5AC000FFFC", "A5E0003F19", "A59000FBE9", "5AC700F7B1", "5AC5004782",
                             "A5E5008767"}) {
    auto frame = hex(vector);
    auto crc = crc16_x25(ByteView(frame).first(3));
    EXPECT_EQ(frame[3], static_cast<std::uint8_t>(crc)) << vector;
    EXPECT_EQ(frame[4], static_cast<std::uint8_t>(crc >> 8)) << vector;
  }
}

TEST(T1Crc, IsCrc16X25) {
  EXPECT_EQ(crc16_x25(as_bytes("123456789")), 0x906E);  // the catalogue check value
}

TEST(T1Block, BuildersProduceTheDocumentedBytes) {
  EXPECT_EQ(s_block(kNadHostToSe, SCode::kResynch, false), hex("5AC000FFFC"));
  EXPECT_EQ(s_block(kNadSeToHost, SCode::kResynch, true), hex("A5E0003F19"));
  EXPECT_EQ(s_block(kNadHostToSe, SCode::kGetAtr, false), hex("5AC700F7B1"));
  EXPECT_EQ(s_block(kNadHostToSe, SCode::kEndOfApduSession, false), hex("5AC5004782"));
  EXPECT_EQ(s_block(kNadSeToHost, SCode::kEndOfApduSession, true), hex("A5E5008767"));
  EXPECT_EQ(s_block(kNadHostToSe, SCode::kInterfaceSoftReset, false), hex("5ACF00377F"));
  EXPECT_EQ(r_block(kNadSeToHost, 1, RError::kNone), hex("A59000FBE9"));
  EXPECT_EQ(i_block(kNadHostToSe, 0, false, hex("00A4040010A0000003965453000000010300000000 00")),
            hex("5A 00 16 00 A4 04 00 10 A0 00 00 03 96 54 53 00 00 00 01 03 00 00 00 00 00 A8 C8"));
}

TEST(T1Block, PcbFieldsDecode) {
  Block i{kNadSeToHost, 0x60, {}};
  EXPECT_TRUE(i.is_i());
  EXPECT_EQ(i.ns(), 1);
  EXPECT_TRUE(i.more());
  Block r{kNadSeToHost, 0x91, {}};
  EXPECT_TRUE(r.is_r());
  EXPECT_EQ(r.nr(), 1);
  EXPECT_EQ(r.r_error(), 1);
  Block s{kNadSeToHost, 0xE7, {}};
  EXPECT_TRUE(s.is_s());
  EXPECT_TRUE(s.s_response());
  EXPECT_EQ(s_code_from(s.s_bits()), SCode::kGetAtr);
  EXPECT_EQ(s_code_from(0x04), std::nullopt);
  EXPECT_EQ(s_code_from(0x1F), SCode::kDeepPowerDown);
}

TEST(T1Block, ParseRejectsBadCrcAndWrongSizes) {
  auto good = hex("5AC000FFFC");
  ASSERT_TRUE(parse(good));
  auto bad = good;
  bad[4] ^= 1;
  EXPECT_FALSE(parse(bad));
  EXPECT_FALSE(parse(hex("5AC000FF")));      // short
  EXPECT_FALSE(parse(hex("5AC001FFFC")));    // LEN says 1 byte of INF, none there
  EXPECT_FALSE(parse({}));
}

TEST(T1StreamReader, ReassemblesFramesAcrossReads) {
  auto a = i_block(kNadHostToSe, 0, false, hex("8004002000"));
  auto b = s_block(kNadHostToSe, SCode::kGetAtr, false);
  Bytes wire = a;
  wire.insert(wire.end(), b.begin(), b.end());
  StreamReader reader;
  Block block;
  reader.feed(ByteView(wire).first(2));
  EXPECT_EQ(reader.next(block), StreamReader::Status::kNeedMore);
  reader.feed(ByteView(wire).subspan(2, a.size()));  // rest of a + first bytes of b
  ASSERT_EQ(reader.next(block), StreamReader::Status::kBlock);
  EXPECT_EQ(block.inf, hex("8004002000"));
  EXPECT_EQ(reader.next(block), StreamReader::Status::kNeedMore);
  reader.feed(ByteView(wire).subspan(2 + a.size()));
  ASSERT_EQ(reader.next(block), StreamReader::Status::kBlock);
  EXPECT_EQ(block.pcb, 0xC7);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(T1StreamReader, ReportsBadCrcAndKeepsGoing) {
  auto bad = s_block(kNadHostToSe, SCode::kResynch, false);
  bad.back() ^= 0xFF;
  auto good = s_block(kNadHostToSe, SCode::kGetAtr, false);
  StreamReader reader;
  reader.feed(bad);
  reader.feed(good);
  Block block;
  EXPECT_EQ(reader.next(block), StreamReader::Status::kBadCrc);
  ASSERT_EQ(reader.next(block), StreamReader::Status::kBlock);
  EXPECT_EQ(block.pcb, 0xC7);
}

}  // namespace
}  // namespace trustlane::link::t1
