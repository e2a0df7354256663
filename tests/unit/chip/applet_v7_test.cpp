// Applet 7.x host encodings: *_Ver commands (trailing 4B version) and Update*_Ver (15 policy
// check instead of a policy), as NXP's host library sends them to an SE050E.
#include "chip/policy.hpp"
#include "chip_test_util.hpp"
#include "crypto/key.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip::test {

using se05x::TlvWriter;
namespace pol = se05x::policy;

TEST(AppletV7, WriteAndUpdateBinaryVer) {
  Fixture e(Personality::Se050E);
  Bytes policy = encode_policy({{0, pol::kRead | pol::kWrite | pol::kDelete, {}}});
  // Se05x_API_WriteBinary_Ver: 11 policy, 41 id, 43 length, 44 data, 4B version.
  auto create = TlvWriter().bytes(0x11, policy).u32(0x41, 0x100).u16(0x43, 6).bytes(0x44, H("010203")).u32(0x4B, 0).data();
  EXPECT_EQ(hex(e.tx(case4(0x01, 0x06, 0x00, create))), "9000");
  // Se05x_API_UpdateBinary_Ver: 15 policy check, 41 id, 42 offset, 44 data, 4B version.
  auto update = TlvWriter().bytes(0x15, policy).u32(0x41, 0x100).u16(0x42, 3).bytes(0x44, H("040506")).u32(0x4B, 0).data();
  EXPECT_EQ(hex(e.tx(case4(0x01, 0x06, 0x00, update))), "9000");
  EXPECT_EQ(tlv41(e.tx(case4e(0x02, 0x00, 0x00, TlvWriter().u32(0x41, 0x100).data()))), H("010203040506"));
  // A version of the wrong size is malformed.
  auto bad = TlvWriter().u32(0x41, 0x100).bytes(0x44, H("07")).u16(0x4B, 1).data();
  EXPECT_EQ(hex(e.tx(case4(0x01, 0x06, 0x00, bad))), "6a80");
}

TEST(AppletV7, WriteAndUpdateEcKeyVer) {
  Fixture e(Personality::Se050E);
  auto k1 = crypto::Key::generate();
  auto k2 = crypto::Key::generate();
  auto write = TlvWriter()
                   .u32(0x41, 0x200)
                   .u8(0x42, 0x03)
                   .bytes(0x43, k1.private_scalar())
                   .bytes(0x44, k1.public_point())
                   .u32(0x4B, 1)
                   .data();
  EXPECT_EQ(hex(e.tx(case4(0x01, 0x61, 0x00, write))), "9000");
  EXPECT_EQ(hex(e.tx("8002002606410400000200")), "4101294201019000");
  auto update = TlvWriter()
                    .u32(0x41, 0x200)
                    .bytes(0x43, k2.private_scalar())
                    .bytes(0x44, k2.public_point())
                    .u32(0x4B, 2)
                    .data();
  EXPECT_EQ(hex(e.tx(case4(0x01, 0x61, 0x00, update))), "9000");
  EXPECT_EQ(tlv41(e.tx(case4e(0x02, 0x00, 0x00, TlvWriter().u32(0x41, 0x200).data()))), k2.public_point());
  // Mismatched private and public halves are refused and change nothing.
  auto mismatch = TlvWriter().u32(0x41, 0x200).bytes(0x43, k1.private_scalar()).bytes(0x44, k2.public_point()).data();
  EXPECT_EQ(hex(e.tx(case4(0x01, 0x61, 0x00, mismatch))), "6a80");
  EXPECT_EQ(tlv41(e.tx(case4e(0x02, 0x00, 0x00, TlvWriter().u32(0x41, 0x200).data()))), k2.public_point());
  // Public-key and private-key type codes of applet 7.x.
  EXPECT_EQ(hex(e.tx(case4(0x01, 0x21, 0x00, TlvWriter().u32(0x41, 0x201).u8(0x42, 3).bytes(0x44, k1.public_point()).data()))),
            "9000");
  EXPECT_EQ(hex(e.tx("8002002606410400000201")), "41012b4201019000");
  EXPECT_EQ(hex(e.tx(case4(0x01, 0x41, 0x00, TlvWriter().u32(0x41, 0x202).u8(0x42, 3).bytes(0x43, k1.private_scalar()).data()))),
            "9000");
  EXPECT_EQ(hex(e.tx("8002002606410400000202")), "41012a4201019000");
  EXPECT_EQ(hex(e.tx("8001610009410400000203420104")), "9000");  // P-384 pair
  EXPECT_EQ(hex(e.tx("8002002606410400000203")), "41012d4201019000");
}

}  // namespace trustlane::chip::test
