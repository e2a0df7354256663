#include "util/bytes.hpp"

#include <gtest/gtest.h>

using namespace trustlane;

TEST(Hex, RoundTrip) {
  Bytes b{0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ(to_hex(b), "007f80ff");
  EXPECT_EQ(from_hex("00 7F:80ff"), b);
  EXPECT_EQ(from_hex("0x007f80ff"), b);
}

TEST(Hex, RejectsJunk) {
  EXPECT_FALSE(from_hex("0g"));
  EXPECT_FALSE(from_hex("abc"));
}

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64_encode(as_bytes("")), "");
  EXPECT_EQ(base64_encode(as_bytes("f")), "Zg==");
  EXPECT_EQ(base64_encode(as_bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(to_string(*base64_decode("Zm9vYg==")), "foob");
  EXPECT_EQ(to_string(*base64_decode("Zm9v\nYmE=")), "fooba");
}

TEST(Base64, RejectsMalformed) {
  EXPECT_FALSE(base64_decode("Zm9"));
  EXPECT_FALSE(base64_decode("Zm=v"));
  EXPECT_FALSE(base64_decode("Zm9v!A=="));
}

TEST(Base64, EighteenByteUidGivesTwentyFourChars) {
  Bytes uid(18, 0xAB);
  EXPECT_EQ(base64_encode(uid).size(), 24u);
}

TEST(Base64Url, RoundTripUnpadded) {
  Bytes b{0xfb, 0xff, 0xfe};
  EXPECT_EQ(base64url_encode(b), "-__-");
  EXPECT_EQ(base64url_decode("-__-"), b);
  EXPECT_EQ(base64url_encode(as_bytes("f")), "Zg");
  EXPECT_EQ(to_string(*base64url_decode("Zg")), "f");
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Z"));
}

TEST(BigEndian, ReadersStopAtTheEnd) {
  Bytes b{0x12, 0x34, 0x56};
  EXPECT_EQ(get_u16(b), 0x1234);
  EXPECT_EQ(get_u16(b, 1), 0x3456);
  EXPECT_FALSE(get_u16(b, 2));
  EXPECT_FALSE(get_u32(b));
  EXPECT_EQ(be_u32(0xF0000101), (Bytes{0xF0, 0x00, 0x01, 0x01}));
}

TEST(BigEndian, SixtyFourBitsRoundTripAndStopAtTheEnd) {
  Bytes b;
  put_u64(b, 0x0102030405060708ull);
  EXPECT_EQ(b, (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(get_u64(b), 0x0102030405060708ull);
  b.push_back(9);
  EXPECT_EQ(get_u64(b, 1), 0x0203040506070809ull);
  EXPECT_FALSE(get_u64(b, 2));
}

TEST(ConstantTime, Compare) {
  EXPECT_TRUE(equal_constant_time(as_bytes("abc"), as_bytes("abc")));
  EXPECT_FALSE(equal_constant_time(as_bytes("abc"), as_bytes("abd")));
  EXPECT_FALSE(equal_constant_time(as_bytes("abc"), as_bytes("ab")));
}
