#include "loadgen/histogram.hpp"

#include <gtest/gtest.h>

#include <random>

namespace trustlane::loadgen {
namespace {

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 60; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 30u);
  EXPECT_EQ(h.percentile(100), 60u);
  EXPECT_EQ(h.percentile(0), 1u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 30.5);
}

TEST(Histogram, BucketsCoverEveryValueContiguously) {
  // Each bucket's upper bound + 1 starts the next bucket: no gaps, no overlaps.
  for (std::size_t b = 0; b < 3000; ++b) {
    const auto upper = Histogram::bucket_upper(b);
    EXPECT_EQ(Histogram::bucket_of(upper), b) << b;
    EXPECT_EQ(Histogram::bucket_of(upper + 1), b + 1) << b;
  }
  EXPECT_LT(Histogram::bucket_of(UINT64_MAX), std::size_t{(64 - 6 + 1) << 6});
}

TEST(Histogram, LargeValuesWithinOneSixtyFourth) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 60);
    const auto upper = Histogram::bucket_upper(Histogram::bucket_of(v));
    ASSERT_GE(upper, v);
    ASSERT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 64.0 + 1.0) << v;
  }
}

TEST(Histogram, PercentilesOfAUniformSpread) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v);
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 50000, 50000 / 64.0);
  EXPECT_NEAR(static_cast<double>(h.percentile(99)), 99000, 99000 / 64.0);
  EXPECT_NEAR(static_cast<double>(h.percentile(99.9)), 99900, 99900 / 64.0);
  EXPECT_EQ(h.percentile(100), 100000u);  // capped at the true maximum
}

TEST(Histogram, OutlierShowsOnlyInTheTail) {
  Histogram h;
  for (int i = 0; i < 999; ++i) h.record(100);
  h.record(50000);
  EXPECT_EQ(h.percentile(99), 100u);
  EXPECT_GE(h.percentile(99.95), 49000u);
  EXPECT_EQ(h.max(), 50000u);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (std::uint64_t v = 0; v < 5000; v += 3) {
    (v % 2 ? a : b).record(v * 7);
    all.record(v * 7);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
}

}  // namespace
}  // namespace trustlane::loadgen
