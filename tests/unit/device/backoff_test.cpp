#include <gtest/gtest.h>

#include "device/backoff.hpp"

namespace trustlane::device {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Backoff, DoublesFromOneSecondAndCapsAt128) {
  Backoff b;
  std::vector<long long> upper;
  for (int i = 0; i < 10; ++i) upper.push_back(b.next(1.0).count());
  EXPECT_EQ(upper, (std::vector<long long>{1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 128000, 128000}));
}

TEST(Backoff, JitterStaysInUpperHalf) {
  Backoff low, high;
  for (int i = 0; i < 9; ++i) {
    auto l = low.next(0.0), h = high.next(1.0);
    EXPECT_EQ(l * 2, h) << "attempt " << i;
  }
  Backoff mid;
  EXPECT_EQ(mid.next(0.5), milliseconds(750));
  EXPECT_EQ(mid.next(2.0), milliseconds(2000));   // clamped to 1
  EXPECT_EQ(mid.next(-1.0), milliseconds(2000));  // clamped to 0: base 4 s / 2
}

TEST(Backoff, ResetStartsOver) {
  Backoff b;
  b.next(1.0);
  b.next(1.0);
  b.next(1.0);
  b.reset();
  EXPECT_EQ(b.next(1.0), seconds(1));
  EXPECT_EQ(b.next(1.0), seconds(2));
}

TEST(Backoff, ManyFailuresNeverOverflow) {
  Backoff b(milliseconds(10), seconds(5));
  milliseconds last{};
  for (int i = 0; i < 100000; ++i) last = b.next(1.0);
  EXPECT_EQ(last, seconds(5));
}

}  // namespace
}  // namespace trustlane::device
