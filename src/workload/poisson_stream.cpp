#include "workload/poisson_stream.hpp"

#include "workload/source_builder.hpp"

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


// type: poisson (keys: start, rate).
std::unique_ptr<ArrivalStream> build_poisson(SourceBuilder& b, const YamlSection& s) {
  if (!s.has("rate")) s.fail("rate", "missing (required): arrivals per second");
  const double r = b.rate(s, "rate", s.non_negative_or("rate", 0));
  const double start = b.duration_or(s, "start", 0);
  b.expect(s, "rate", r, start, b.until(s));
  return std::make_unique<PoissonStream>(r, start, b.until(s), b.arrival_seed());
}

}  // namespace ce
