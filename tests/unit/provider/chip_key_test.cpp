// ChipKey's public half: built in the default provider and checked to lie on P-256 (the quick
// check — on a cofactor-1 curve the order multiplication of the full check proves nothing more).
#include <gtest/gtest.h>

#include "crypto/key.hpp"
#include "provider/chip_key.hpp"

namespace trustlane::provider {
namespace {

TEST(ProviderChipKey, PublicOnlyAcceptsAPointOnTheCurve) {
  auto point = crypto::Key::generate().public_point();
  auto key = ChipKey::public_only(point);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->public_point, point);
  EXPECT_FALSE(key->in_chip());
}

TEST(ProviderChipKey, PublicOnlyRefusesPointsOffTheCurveAndBadEncodings) {
  auto point = crypto::Key::generate().public_point();
  Bytes off_curve = point;
  off_curve.back() ^= 0x01;  // same X, another Y: not on P-256
  EXPECT_EQ(ChipKey::public_only(off_curve), nullptr);
  Bytes compressed_tag = point;
  compressed_tag[0] = 0x02;
  EXPECT_EQ(ChipKey::public_only(compressed_tag), nullptr);
  EXPECT_EQ(ChipKey::public_only(ByteView(point.data(), 64)), nullptr);
  EXPECT_EQ(ChipKey::public_only(Bytes(65, 0x00)), nullptr);
}

}  // namespace
}  // namespace trustlane::provider
