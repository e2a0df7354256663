#include <gtest/gtest.h>

#include "se05x/apdu.hpp"
#include "se05x/constants.hpp"
#include "se05x/tlv.hpp"

using namespace trustlane;
using namespace trustlane::se05x;

TEST(Tlv, LengthForms) {
  TlvWriter w;
  w.u32(tag::k1, 0xF0000101).bytes(tag::k2, Bytes(0x80, 0xAA)).bytes(tag::k3, Bytes(0x100, 0xBB));
  const Bytes& d = w.data();
  EXPECT_EQ((Bytes(d.begin(), d.begin() + 6)), (Bytes{0x41, 0x04, 0xF0, 0x00, 0x01, 0x01}));
  EXPECT_EQ((Bytes(d.begin() + 6, d.begin() + 9)), (Bytes{0x42, 0x81, 0x80}));
  EXPECT_EQ((Bytes(d.begin() + 9 + 0x80, d.begin() + 13 + 0x80)), (Bytes{0x43, 0x82, 0x01, 0x00}));

  TlvReader r(d);
  EXPECT_EQ(tlv_u32(*r.take(tag::k1)), 0xF0000101u);
  EXPECT_FALSE(r.take(tag::k3));  // wrong tag leaves the reader where it was
  EXPECT_EQ(r.take(tag::k2)->size(), 0x80u);
  EXPECT_EQ(r.take(tag::k3)->size(), 0x100u);
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.malformed());
}

TEST(Tlv, MalformedInputStops) {
  for (Bytes bad : {Bytes{0x41}, Bytes{0x41, 0x05, 0x00}, Bytes{0x41, 0x81}, Bytes{0x41, 0x82, 0x01},
                    Bytes{0x41, 0x83, 0x00}, Bytes{0x41, 0x82, 0xFF, 0xFF, 0x00}}) {
    TlvReader r(bad);
    EXPECT_FALSE(r.next());
    EXPECT_TRUE(r.malformed());
  }
}

TEST(Apdu, HostEncodingMatchesNxp) {
  // GetVersion: no data, no Le → header + 00.
  EXPECT_EQ(encode_command(0x80, 0x04, 0x00, 0x20, {}, false), (Bytes{0x80, 0x04, 0x00, 0x20, 0x00}));
  // ReadObject with Le: extended Lc and Le 00 00.
  Bytes tlv{0x41, 0x04, 0x7F, 0xFF, 0x02, 0x06};
  EXPECT_EQ(encode_command(0x80, 0x02, 0x00, 0x00, tlv, true),
            (Bytes{0x80, 0x02, 0x00, 0x00, 0x00, 0x00, 0x06, 0x41, 0x04, 0x7F, 0xFF, 0x02, 0x06, 0x00, 0x00}));
  // Short data without Le → 1-byte Lc.
  EXPECT_EQ(encode_command(0x80, 0x04, 0x00, 0x27, tlv, false),
            (Bytes{0x80, 0x04, 0x00, 0x27, 0x06, 0x41, 0x04, 0x7F, 0xFF, 0x02, 0x06}));
}

TEST(Apdu, ParsesEveryCase) {
  auto c1 = parse_command(Bytes{0x80, 0x04, 0x00, 0x2A});
  ASSERT_TRUE(c1);
  EXPECT_TRUE(c1->data.empty());
  EXPECT_FALSE(c1->le);

  auto c2 = parse_command(Bytes{0x80, 0x04, 0x00, 0x20, 0x00});
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->le, 256u);

  auto c3 = parse_command(Bytes{0x80, 0x04, 0x00, 0x27, 0x02, 0xAA, 0xBB});
  ASSERT_TRUE(c3);
  EXPECT_EQ(c3->data, (Bytes{0xAA, 0xBB}));
  EXPECT_FALSE(c3->le);

  auto c4 = parse_command(Bytes{0x80, 0x04, 0x00, 0x27, 0x01, 0xAA, 0x10});
  ASSERT_TRUE(c4);
  EXPECT_EQ(c4->le, 0x10u);

  auto c2e = parse_command(Bytes{0x80, 0x02, 0x0B, 0x25, 0x00, 0x00, 0x00});
  ASSERT_TRUE(c2e);
  EXPECT_EQ(c2e->le, 65536u);
  EXPECT_TRUE(c2e->extended);

  auto c4e = parse_command(encode_command(0x80, 0x02, 0x00, 0x00, Bytes(300, 0x11), true));
  ASSERT_TRUE(c4e);
  EXPECT_EQ(c4e->data.size(), 300u);
  EXPECT_EQ(c4e->le, 65536u);

  auto c3e = parse_command(encode_command(0x80, 0x01, 0x06, 0x00, Bytes(300, 0x11), false));
  ASSERT_TRUE(c3e);
  EXPECT_EQ(c3e->data.size(), 300u);
  EXPECT_FALSE(c3e->le);
}

TEST(Apdu, WrongLengthsAre6700) {
  for (Bytes bad : {Bytes{0x80, 0x04, 0x00}, Bytes{0x80, 0x04, 0x00, 0x27, 0x05, 0xAA},
                    Bytes{0x80, 0x04, 0x00, 0x27, 0x00, 0x01}, Bytes{0x80, 0x04, 0x00, 0x27, 0x00, 0x00, 0x00, 0x00},
                    Bytes{0x80, 0x04, 0x00, 0x27, 0x00, 0x00, 0x05, 0x01}}) {
    auto r = parse_command(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), sw::kWrongLength);
  }
}

TEST(Apdu, Responses) {
  auto r = parse_response(Bytes{0x41, 0x01, 0x01, 0x90, 0x00});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->data, (Bytes{0x41, 0x01, 0x01}));
  EXPECT_FALSE(parse_response(Bytes{0x90}));
  EXPECT_EQ(status_only(sw::kCommandNotAllowed), (Bytes{0x69, 0x86}));
}
