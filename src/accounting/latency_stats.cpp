#include "accounting/latency_stats.hpp"

#include <algorithm>
#include <cmath>

namespace ce {

namespace {
constexpr double kMin = 1e-7;   // 0.1 µs
constexpr double kMax = 1e7;    // ~116 days
constexpr double kGrowth = 1.0001;
const double kLogGrowth = std::log(kGrowth);
}  // namespace

LatencyStats::LatencyStats()
    : buckets_(static_cast<size_t>(std::log(kMax / kMin) / kLogGrowth) + 2) {
  chunks_.resize((buckets_ >> kChunkBits) + 1);
}

size_t LatencyStats::bucket(double s) const {
  if (s <= kMin) return 0;
  size_t b = static_cast<size_t>(std::log(s / kMin) / kLogGrowth) + 1;
  return std::min(b, buckets_ - 1);
}

double LatencyStats::bucket_value(size_t b) const {
  if (b == 0) return kMin;
  // Geometric middle of the bucket [kMin·g^(b-1), kMin·g^b).
  return kMin * std::pow(kGrowth, static_cast<double>(b) - 0.5);
}

void LatencyStats::add(double s) {
  if (n_ == 0 || s < min_) min_ = s;
  if (n_ == 0 || s > max_) max_ = s;
  ++n_;
  sum_ += s;
  const size_t b = bucket(s);
  auto& chunk = chunks_[b >> kChunkBits];
  if (chunk.empty()) chunk.assign(size_t{1} << kChunkBits, 0);
  ++chunk[b & ((size_t{1} << kChunkBits) - 1)];
}

double LatencyStats::quantile(double q) const {
  if (n_ == 0) return 0;
  // Nearest-rank definition: the smallest value with at least q·n observations at or below it.
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(n_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t acc = 0;
  for (size_t c = 0; c < chunks_.size(); ++c)
    for (size_t i = 0; i < chunks_[c].size(); ++i) {  // untouched chunks are empty: all zero
      acc += chunks_[c][i];
      if (acc >= rank) return std::clamp(bucket_value((c << kChunkBits) + i), min_, max_);
    }
  return max_;
}

}  // namespace ce
