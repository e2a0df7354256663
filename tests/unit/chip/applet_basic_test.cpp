// SELECT, GetVersion, GetRandom, GetFreeMemory, CheckObjectExists, ReadType, ReadSize,
// curves: request bytes as NXP's host library frames them, exact response bytes.
#include "chip_test_util.hpp"
#include "crypto/x509.hpp"

namespace trustlane::chip::test {

TEST(AppletSelect, AnswersVersionBlobPerPersonality) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("00A4040010A000000396545300000001030000000000")), "0301016fff010b9000");
  Fixture e(Personality::Se050E);
  EXPECT_EQ(hex(e.tx("00A4040010A000000396545300000001030000000000")), "0702003f9fffff9000");
}

TEST(AppletSelect, EmptyAidIsAcceptedAndUnknownAidIsNotFound) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("00A4040000")), "9000");
  EXPECT_EQ(hex(c.tx("00A4040010A000000396545300000001030000000100")), "6a82");
  EXPECT_EQ(hex(c.tx("00A4050010A000000396545300000001030000000000")), "6a86");
}

TEST(AppletVersion, GetVersion) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("8004002000")), "41070301016fff010b9000");
  Fixture e(Personality::Se050E);
  EXPECT_EQ(hex(e.tx("8004002000")), "41070702003f9fffff9000");
}

TEST(AppletRandom, ReturnsRequestedSizeOfFreshBytes) {
  Fixture c;
  Bytes a = c.tx("80040049000004410200100000");
  Bytes b = c.tx("80040049000004410200100000");
  ASSERT_EQ(a.size(), 2u + 16 + 2);
  EXPECT_EQ(hex(Bytes(a.begin(), a.begin() + 2)), "4110");
  EXPECT_EQ(sw_of(a), 0x9000);
  EXPECT_NE(a, b);
}

TEST(AppletRandom, SizeZeroIsConditionsNotSatisfiedAndTooBigIsWrongLength) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("80040049000004410200000000")), "6985");
  EXPECT_EQ(hex(c.tx("80040049000004410203E80000")), "6700");  // 1000 > 892
  EXPECT_EQ(hex(c.tx("8004004903410100")), "6a80");               // size must be 2 bytes
}

TEST(AppletMemory, FreeMemoryIsTwoBytesAndSaturates) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("8004002203410101")), "41027fff9000");  // 50 KB free, capped at 0x7FFF
  EXPECT_EQ(hex(c.tx("8004002203410102")), "410210009000");  // 4 KB transient
  EXPECT_EQ(hex(c.tx("8004002203410103")), "410210009000");
  EXPECT_EQ(hex(c.tx("8004002203410109")), "6a80");
  Fixture e(Personality::Se050E);  // applet 7.2.0 is not a 5.2F build: still two bytes
  EXPECT_EQ(hex(e.tx("8004002203410101")), "41027fff9000");
}

TEST(AppletExists, CheckObjectExists) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("80040027064104F0000100")), "4101019000");
  EXPECT_EQ(hex(c.tx("80040027064104F0000101")), "4101019000");
  EXPECT_EQ(hex(c.tx("800400270641047FFF0206")), "4101019000");
  EXPECT_EQ(hex(c.tx("80040027064104F0000102")), "4101029000");
}

TEST(AppletType, ReadTypeUsesPersonalityCodes) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("80020026064104F0000100")), "4101014201019000");  // EC key pair, persistent
  EXPECT_EQ(hex(c.tx("80020026064104F0000101")), "41010b4201019000");  // binary
  EXPECT_EQ(hex(c.tx("80020026064104F0000777")), "6a82");
  Fixture e(Personality::Se050E);
  EXPECT_EQ(hex(e.tx("80020026064104F0000100")), "4101294201019000");  // NIST P-256 key pair
  EXPECT_EQ(hex(e.tx("80020026064104F0000101")), "41010b4201019000");
}

TEST(AppletSize, ReadSizeIsExactlyTwoBytes) {
  Fixture c;
  Bytes cert = tlv41(c.tx(case4e(0x02, 0x00, 0x00, H("4104F00001014302000A"))));  // warm-up read
  EXPECT_EQ(cert.size(), 10u);
  Bytes rsp = c.tx("80020007064104F0000101");
  ASSERT_EQ(rsp.size(), 6u);
  EXPECT_EQ(hex(Bytes(rsp.begin(), rsp.begin() + 2)), "4102");
  std::size_t size = rsp[2] << 8 | rsp[3];
  EXPECT_GT(size, 300u);
  EXPECT_EQ(hex(c.tx("800200070641047FFF0206")), "410200129000");
  EXPECT_EQ(hex(c.tx("80020007064104F0000100")), "410200209000");  // P-256 key: 32 bytes
  EXPECT_EQ(hex(c.tx("80020007064104F0000999")), "6a82");
}

TEST(AppletCurves, CurveIdAndCurveList) {
  Fixture c;
  EXPECT_EQ(hex(c.tx("80020B36064104F0000100")), "4101039000");
  EXPECT_EQ(hex(c.tx("80020B36064104F0000101")), "6985");  // not an EC object
  auto list = [](std::string middle) { return "4110" + middle + "9000"; };
  std::string none;
  for (int i = 0; i < 16; ++i) none += "01";
  EXPECT_EQ(hex(c.tx("80020B2500")), list(none));
  EXPECT_EQ(hex(c.tx("80010B0403410103")), "9000");  // CreateECCurve NIST P-256
  EXPECT_EQ(hex(c.tx("80020B2500")), list("0101" "02" + none.substr(6)));
  // SetECCurveParam is accepted for a known curve.
  EXPECT_EQ(hex(c.tx(case4(0x01, 0x0B, 0x40, H("410103420101430401020304")))), "9000");
  EXPECT_EQ(hex(c.tx("80040B2803410103")), "9000");  // DeleteECCurve
  EXPECT_EQ(hex(c.tx("80020B2500")), list(none));
  EXPECT_EQ(hex(c.tx("80040B2803410103")), "6a82");
}

TEST(AppletCryptoObjects, ListIsEmptyNotAnError) {
  // NXP's Se05x_API_ReadCryptoObjectList sends exactly these bytes and expects 41 <len> … 90 00.
  Fixture c;
  EXPECT_EQ(hex(c.tx("8002102500")), "41009000");
}

TEST(AppletUid, UniqueIdReadsAsNxpHostReadsIt) {
  Fixture c;
  // Se05x_API_ReadObject(UNIQUE_ID, offset 0 (omitted), length 18): Case4_ext.
  Bytes rsp = c.tx("800200000000 0A41047FFF0206430200120000");
  EXPECT_EQ(hex(rsp), "4112" + hex(c.chip->unique_id()) + "9000");
  EXPECT_EQ(c.chip->unique_id().size(), 18u);
}

}  // namespace trustlane::chip::test
