#include "loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace trustlane::loadgen {

std::size_t Histogram::bucket_of(std::uint64_t value) {
  constexpr std::uint64_t sub = 1u << kSubBits;
  if (value < sub) return static_cast<std::size_t>(value);
  // shift = how far the value must move right to keep kSubBits+1 significant bits.
  const unsigned shift = static_cast<unsigned>(std::bit_width(value)) - (kSubBits + 1);
  const std::uint64_t top = value >> shift;  // in [64, 128)
  return static_cast<std::size_t>((static_cast<std::uint64_t>(shift + 1) << kSubBits) + (top - sub));
}

std::uint64_t Histogram::bucket_upper(std::size_t bucket) {
  constexpr std::uint64_t sub = 1u << kSubBits;
  if (bucket < sub) return bucket;
  const unsigned shift = static_cast<unsigned>(bucket >> kSubBits) - 1;
  const std::uint64_t top = sub + (bucket & (sub - 1));
  const std::uint64_t low = top << shift;
  return low + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t value) {
  ++buckets_[bucket_of(value)];
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t Histogram::percentile(double percent) const {
  if (count_ == 0) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  // The rank of the wanted value, 1-based: at least the first one.
  auto rank = static_cast<std::uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(bucket_upper(i), max_);
  }
  return max_;
}

}  // namespace trustlane::loadgen
