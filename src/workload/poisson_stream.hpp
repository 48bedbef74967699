#pragma once
// Homogeneous Poisson arrivals: exponential gaps with mean 1/rate, from start_s (exclusive) until
// until_s (exclusive). O(1) memory.
#include <cstdint>

#include "core/rng.hpp"
#include "workload/arrival_stream.hpp"

namespace ce {

class PoissonStream : public ArrivalStream {
 public:
  // rate in req/s (>= 0; 0 gives an empty stream).
  PoissonStream(double rate, double start_s, double until_s, uint64_t seed);

  double peek_time() override { return next_; }
  Request pop() override;
  bool finished() const override { return next_ == kNever; }

 private:
  void advance(double from);

  double rate_, until_;
  Rng rng_;
  double next_ = kNever;
  uint64_t next_id_ = 0;
};

}  // namespace ce
