#pragma once
// Latency statistics in O(1) memory: exact count/mean/min/max and percentiles from a log-bucketed
// histogram whose buckets are 0.01% wide (so p50/p95/p99 are within 0.01% of the exact order
// statistic) — 10 M requests cost the same memory as 10.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ce {

class LatencyStats {
 public:
  LatencyStats();
  void add(double seconds);
  uint64_t count() const { return n_; }
  double mean() const { return n_ ? sum_ / static_cast<double>(n_) : 0; }
  double max() const { return max_; }
  double quantile(double q) const;  // q in [0,1]; 0 when empty

 private:
  size_t bucket(double s) const;
  double bucket_value(size_t b) const;
  // Buckets in chunks allocated on first use: the full range is 322 k buckets (2.6 MB), a run's
  // latencies usually touch a few chunks, and a short run should not pay to zero the rest.
  static constexpr size_t kChunkBits = 12;
  std::vector<std::vector<uint64_t>> chunks_;
  size_t buckets_ = 0;
  uint64_t n_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
};

}  // namespace ce
