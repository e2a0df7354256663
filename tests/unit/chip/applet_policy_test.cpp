// Object policies, sessions with UserID authentication, transient objects, memory budget,
// malformed APDUs.
#include "chip/policy.hpp"
#include "chip_test_util.hpp"
#include "se05x/constants.hpp"

namespace trustlane::chip::test {

using se05x::TlvWriter;
namespace pol = se05x::policy;

namespace {
Bytes policy(std::uint32_t auth, std::uint32_t rules) { return encode_policy({{auth, rules, {}}}); }
Bytes gen_key_cmd(std::uint32_t id, ByteView pol_bytes, std::uint8_t ins = 0x01) {
  return se05x::encode_command(0x80, ins, 0x61, 0x00,
                               TlvWriter().bytes_if(0x11, pol_bytes).u32(0x41, id).u8(0x42, 0x03).data(), false);
}
Bytes binary_cmd(std::uint32_t id, std::uint16_t total, ByteView data, ByteView pol_bytes = {}, std::uint8_t ins = 0x01) {
  return se05x::encode_command(
      0x80, ins, 0x06, 0x00,
      TlvWriter().bytes_if(0x11, pol_bytes).u32(0x41, id).u16_if(0x43, total).bytes_if(0x44, data).data(), false);
}
Bytes read_cmd(std::uint32_t id) { return case4e(0x02, 0x00, 0x00, TlvWriter().u32(0x41, id).data()); }
Bytes sign_cmd(std::uint32_t id) {
  return case4(0x03, 0x0C, 0x09, TlvWriter().u32(0x41, id).u8(0x42, 0x21).bytes(0x43, Bytes(32, 7)).data());
}
Bytes exists_cmd(std::uint32_t id) { return case4(0x04, 0x00, 0x27, TlvWriter().u32(0x41, id).data()); }
Bytes wrap(ByteView session_id, ByteView inner) {
  return case4(0x05, 0x00, 0x00, TlvWriter().bytes(0x10, session_id).bytes(0x41, inner).data());
}
}  // namespace

TEST(Policy, ParseAndDecide) {
  Bytes p = cat({policy(0, pol::kSign | pol::kRead), policy(0x7000, pol::kDelete)});
  auto recs = parse_policy(p);
  ASSERT_TRUE(recs);
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_EQ((*recs)[1].auth_id, 0x7000u);
  EXPECT_TRUE(policy_allows(p, 0, pol::kSign));
  EXPECT_FALSE(policy_allows(p, 0, pol::kDelete));
  EXPECT_TRUE(policy_allows(p, 0x7000, pol::kDelete));
  EXPECT_FALSE(policy_allows(p, 0x7000, pol::kSign));  // its own record wins over "anyone"
  EXPECT_TRUE(policy_allows({}, 0, pol::kWrite));       // default policy
  EXPECT_FALSE(policy_allows(policy(0, pol::kForbidAll | pol::kRead), 0, pol::kRead));
  EXPECT_FALSE(policy_allows(policy(0, pol::kRequireSm | pol::kRead), 0, pol::kRead));
  EXPECT_FALSE(policy_allows(policy(0x7000, pol::kRead), 0, pol::kRead));  // no record for anyone
  EXPECT_FALSE(parse_policy(H("08000000")));       // truncated record
  EXPECT_FALSE(parse_policy(H("070000000000000000")));  // record shorter than 8
}

TEST(PolicyEnforced, SignRequiresSignRule) {
  Fixture c;
  ASSERT_EQ(hex(c.tx(gen_key_cmd(0x10, policy(0, pol::kRead)))), "9000");
  EXPECT_EQ(hex(c.tx(sign_cmd(0x10))), "6986");
  EXPECT_EQ(sw_of(c.tx(read_cmd(0x10))), 0x9000);
  ASSERT_EQ(hex(c.tx(gen_key_cmd(0x11, policy(0, pol::kSign)))), "9000");
  EXPECT_EQ(sw_of(c.tx(sign_cmd(0x11))), 0x9000);
  EXPECT_EQ(hex(c.tx(read_cmd(0x11))), "6986");  // no READ: not even the public key
  EXPECT_EQ(hex(c.tx(case4(0x04, 0x00, 0x28, TlvWriter().u32(0x41, 0x11).data()))), "6986");  // no DELETE
  EXPECT_EQ(hex(c.tx(case4(0x01, 0x61, 0x00, TlvWriter().u32(0x41, 0x11).data()))), "6986");  // no GEN
}

TEST(PolicyEnforced, ForbidAllAndWriteRule) {
  Fixture c;
  ASSERT_EQ(hex(c.tx(binary_cmd(0x20, 4, Bytes{1, 2, 3, 4}, policy(0, pol::kForbidAll | pol::kRead)))), "9000");
  EXPECT_EQ(hex(c.tx(read_cmd(0x20))), "6986");
  ASSERT_EQ(hex(c.tx(binary_cmd(0x21, 4, Bytes{1, 2, 3, 4}, policy(0, pol::kRead)))), "9000");
  EXPECT_EQ(hex(c.tx(binary_cmd(0x21, 0, Bytes{9}))), "6986");
  EXPECT_EQ(tlv41(c.tx(read_cmd(0x21))), (Bytes{1, 2, 3, 4}));  // unchanged
  EXPECT_EQ(hex(c.tx(binary_cmd(0x22, 4, Bytes{1}, H("0700000000")))), "6a80");  // malformed policy
  EXPECT_EQ(hex(c.tx(exists_cmd(0x22))), "4101029000");
}

TEST(PolicyEnforced, FactoryIdentityPolicies) {
  Fixture c;
  EXPECT_EQ(hex(c.tx(binary_cmd(se05x::object::kCloudCert0, 0, Bytes{0}))), "6986");  // cert is not writable
  EXPECT_EQ(hex(c.tx(binary_cmd(se05x::object::kUniqueId, 0, Bytes{0}))), "6986");    // reserved range
  // Replacing the factory key material is not allowed (no WRITE).
  auto body = TlvWriter().u32(0x41, se05x::object::kCloudKey0).bytes(0x43, Bytes(32, 1)).data();
  EXPECT_EQ(hex(c.tx(case4(0x01, 0x61, 0x00, body))), "6986");
}

TEST(Session, UserIdSessionUnlocksItsOwnRecord) {
  Fixture c;
  ASSERT_EQ(hex(c.tx("800107000C410400007000420401020304")), "9000");  // UserID 0x7000
  ASSERT_EQ(hex(c.tx(binary_cmd(0x30, 3, Bytes{7, 8, 9}, policy(0x7000, pol::kRead)))), "9000");
  EXPECT_EQ(hex(c.tx(read_cmd(0x30))), "6986");
  Bytes sid = tlv41(c.tx("800400 1B 06 410400007000"));
  ASSERT_EQ(sid.size(), 8u);
  // Before VerifySessionUserID the session is anonymous.
  EXPECT_EQ(hex(c.tx(wrap(sid, H("80020000" "06" "410400000030")))), "6986");
  EXPECT_EQ(hex(c.tx(wrap(sid, H("8004002C" "06" "410401020305")))), "6982");  // wrong UserID
  EXPECT_EQ(hex(c.tx(wrap(sid, H("8004002C" "06" "410401020304")))), "9000");
  EXPECT_EQ(hex(c.tx(wrap(sid, H("80020000" "06" "410400000030")))), "4103070809" "9000");
  EXPECT_EQ(hex(c.tx(wrap(sid, H("8004001C")))), "9000");  // CloseSession
  EXPECT_EQ(hex(c.tx(wrap(sid, H("8004002000")))), "6982");  // session gone
  EXPECT_EQ(hex(c.tx("800400 1B 06 410400007777")), "6a82");
  EXPECT_EQ(hex(c.tx("800400 1B 06 4104F0000101")), "6985");  // not an authentication object
}

TEST(Transient, TransientObjectsVanishOnReset) {
  Fixture c;
  ASSERT_EQ(hex(c.tx(binary_cmd(0x40, 4, Bytes{1, 2, 3, 4}, {}, 0x81))), "9000");
  ASSERT_EQ(hex(c.tx(gen_key_cmd(0x41, {}, 0x81))), "9000");
  EXPECT_EQ(hex(c.tx("8002002606410400000040")), "41010b4201029000");  // transient
  EXPECT_EQ(hex(c.tx("8004002203410102")), "41020f5b9000");  // 4096 - (32+4) - (32+97)
  Bytes atr = c.chip->reset();
  EXPECT_EQ(atr.size(), 35u);
  EXPECT_EQ(hex(c.tx(exists_cmd(0x40))), "4101029000");
  EXPECT_EQ(hex(c.tx(exists_cmd(0x41))), "4101029000");
  EXPECT_EQ(hex(c.tx(exists_cmd(se05x::object::kCloudKey0))), "4101019000");
  EXPECT_EQ(hex(c.tx("8004002203410102")), "410210009000");
}

TEST(Memory, PersistentBudgetRunsOutWith6A84) {
  Fixture c;
  std::uint32_t id = 0x5000;
  int written = 0;
  for (;; ++id) {
    Bytes rsp = c.tx(binary_cmd(id, 4000, {}));
    if (sw_of(rsp) != 0x9000) {
      EXPECT_EQ(hex(rsp), "6a84");
      break;
    }
    ASSERT_LT(++written, 100);
  }
  EXPECT_EQ(written, 12);  // 50 KB minus the factory objects, 4032 bytes per file
  Bytes free_rsp = tlv41(c.tx("8004002203410101"));
  std::size_t free = *get_u16(free_rsp);
  EXPECT_LT(free, 4032u);
  // A smaller object still fits; deleting frees memory again.
  EXPECT_EQ(hex(c.tx(binary_cmd(id, static_cast<std::uint16_t>(free - 32), {}))), "9000");
  EXPECT_EQ(hex(c.tx(binary_cmd(id + 1, 1, {}))), "6a84");
  EXPECT_EQ(hex(c.tx(case4(0x04, 0x00, 0x28, TlvWriter().u32(0x41, 0x5000).data()))), "9000");
  EXPECT_EQ(hex(c.tx(binary_cmd(id + 1, 1, {}))), "9000");
}

TEST(BadApdu, EveryMalformedCommandGetsAStatusWordAndTheChipKeepsAnswering) {
  Fixture c;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "6700"},
      {"80", "6700"},
      {"800400", "6700"},
      {"8004002005410101", "6700"},          // Lc says 5, 3 bytes follow
      {"80040020000005410101", "6700"},      // extended Lc mismatch
      {"8004002700000000", "6700"},          // extended Lc of 0
      {"8004002703410500", "6a80"},          // TLV length past the end
      {"800400270741040000000142", "6a80"},  // TLV cut after its tag
      {"80040027024100", "6a80"},            // id of 0 bytes
      {"8004002706420400000001", "6a80"},    // wrong tag
      {"801F000000", "6d00"},                // unknown INS
      {"80A4040000", "6d00"},                // SELECT needs CLA 00
      {"A004002000", "6e00"},                // unknown CLA
      {"8404002000", "6982"},                // secure messaging not offered
      {"8004007700", "6a86"},                // unknown P2
      {"80043300", "6a86"},                  // unknown P1
      {"8002000000", "6a80"},                // ReadObject without an id
      {"8003000000", "6a86"},
      {"80010F0000", "6a86"},
      {"8024002000", "6d00"},                // attestation flag
      {"80050000020000", "6a80"},            // session wrapper without a session TLV
      {"8005000012100801020304050607084106800400200000", "6982"},  // unknown session
  };
  for (const auto& [apdu, sw] : cases) {
    EXPECT_EQ(hex(c.tx(H(apdu))), sw) << apdu;
    EXPECT_EQ(hex(c.tx("8004002000")), "41070301016fff010b9000") << "after " << apdu;
  }
  // Oversize APDU (65 KB of data) is answered, not crashed on.
  Bytes big = H("80010600 00FFFF");
  big.resize(big.size() + 0xFFFF, 0x41);
  EXPECT_EQ(hex(c.tx(big)), "6a80");
  EXPECT_EQ(hex(c.tx("8004002000")), "41070301016fff010b9000");
}

}  // namespace trustlane::chip::test

namespace trustlane::chip::test {

TEST(Session, LimitResetAndNoNesting) {
  Fixture c;
  ASSERT_EQ(hex(c.tx("800107000C410400007000420401020304")), "9000");
  Bytes a = tlv41(c.tx("8004001B06410400007000"));
  Bytes b = tlv41(c.tx("8004001B06410400007000"));
  EXPECT_NE(a, b);
  EXPECT_EQ(hex(c.tx("8004001B06410400007000")), "6985");  // two sessions at most
  Bytes inner = se05x::encode_command(0x80, 0x04, 0x00, 0x20, {}, false);
  Bytes wrapped = se05x::encode_command(
      0x80, 0x05, 0x00, 0x00, se05x::TlvWriter().bytes(0x10, a).bytes(0x41, inner).data(), false);
  EXPECT_EQ(hex(c.tx(wrapped)), "41070301016fff010b9000");
  Bytes nested = se05x::encode_command(
      0x80, 0x05, 0x00, 0x00, se05x::TlvWriter().bytes(0x10, a).bytes(0x41, wrapped).data(), false);
  EXPECT_EQ(hex(c.tx(nested)), "6985");
  c.chip->reset();
  EXPECT_EQ(hex(c.tx(wrapped)), "6982");  // sessions vanish on reset
  EXPECT_EQ(sw_of(c.tx("8004001B06410400007000")), 0x9000);
}

TEST(AppletCounterLimits, OneByteCounterStopsAtItsMaximum) {
  Fixture c;
  ASSERT_EQ(hex(c.tx("800108000D41040000005142020001430 1FE")), "9000");
  EXPECT_EQ(hex(c.tx("8001080006410400000051")), "9000");
  EXPECT_EQ(tlv41(c.tx(case4e(0x02, 0, 0, se05x::TlvWriter().u32(0x41, 0x51).data()))), H("FF"));
  EXPECT_EQ(hex(c.tx("8001080006410400000051")), "6985");
  EXPECT_EQ(hex(c.tx("800108000D41040000005142020001430 1FF")), "6a80");  // size only on creation
}

}  // namespace trustlane::chip::test
