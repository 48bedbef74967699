#include "workload/poisson_stream.hpp"

namespace ce {

PoissonStream::PoissonStream(double rate, double start_s, double until_s, uint64_t seed)
    : rate_(rate), until_(until_s), rng_(seed) {
  advance(start_s);
}

void PoissonStream::advance(double from) {
  if (!(rate_ > 0)) {
    next_ = kNever;
    return;
  }
  double t = from + rng_.exponential(rate_);
  next_ = t < until_ ? t : kNever;
}

Request PoissonStream::pop() {
  Request r;
  r.id = next_id_++;
  r.arrival_s = next_;
  advance(next_);
  return r;
}

}  // namespace ce
