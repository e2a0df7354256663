// Latency histogram with HDR-style logarithmic buckets: values (microseconds) below 64 are
// exact; above, each power of two is split into 64 linear sub-buckets, so any recorded value is
// reported within 1/64 (~1.6 %) of itself with fixed memory (~30 KB) whatever the range.
#pragma once
#include <array>
#include <cstdint>

namespace trustlane::loadgen {

class Histogram {
 public:
  void record(std::uint64_t value);
  void merge(const Histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // The value at or below which `percent` of the recorded values lie (upper bound of the
  // bucket, capped at max()); 0 when empty.
  std::uint64_t percentile(double percent) const;

  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_upper(std::size_t bucket);  // largest value the bucket holds

 private:
  static constexpr unsigned kSubBits = 6;  // 64 sub-buckets per power of two
  static constexpr std::size_t kBuckets = (64 - kSubBits + 1) << kSubBits;
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0, sum_ = 0, min_ = UINT64_MAX, max_ = 0;
};

}  // namespace trustlane::loadgen
