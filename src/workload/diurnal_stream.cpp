#include "workload/diurnal_stream.hpp"

#include <cmath>
#include <stdexcept>

#include "workload/source_builder.hpp"

namespace ce {

namespace {
constexpr double kTwoPi = 6.283185307179586476925286766559;
}

DiurnalStream::DiurnalStream(const DiurnalParams& p, double start_s, double until_s, uint64_t seed)
    : p_(p), until_(until_s), rng_(seed) {
  if (!(p.mean_rate > 0) || !(p.amplitude >= 0 && p.amplitude <= 1) || !(p.period_s > 0))
    throw std::invalid_argument("diurnal: mean_rate > 0, amplitude in [0, 1], period > 0");
  max_rate_ = p.mean_rate * (1 + p.amplitude);
  shift_s_ = (p.start_hour - p.peak_hour) / 24.0 * p.period_s;
  advance(start_s);
}

double DiurnalStream::rate_at(double t) const {
  return p_.mean_rate * (1 + p_.amplitude * std::cos(kTwoPi * (t + shift_s_) / p_.period_s));
}

void DiurnalStream::advance(double from) {
  double t = from;
  for (;;) {
    t += rng_.exponential(max_rate_);
    if (t >= until_) {
      next_ = kNever;
      return;
    }
    if (rng_.uniform() * max_rate_ < rate_at(t)) {
      next_ = t;
      return;
    }
  }
}

Request DiurnalStream::pop() {
  Request r;
  r.id = next_id_++;
  r.arrival_s = next_;
  advance(next_);
  return r;
}


// type: diurnal (keys: start, mean_rate, amplitude, period, peak_hour, start_hour).
std::unique_ptr<ArrivalStream> build_diurnal(SourceBuilder& b, const YamlSection& s) {
  DiurnalParams p;
  p.mean_rate = s.positive("mean_rate");
  p.amplitude = s.num_or("amplitude", p.amplitude);
  if (!(p.amplitude >= 0 && p.amplitude <= 1)) s.fail("amplitude", "must be between 0 and 1");
  p.period_s = b.duration_or(s, "period", p.period_s);
  if (!(p.period_s > 0)) s.fail("period", "must be > 0");
  p.peak_hour = s.num_or("peak_hour", p.peak_hour);
  if (!(p.peak_hour >= 0 && p.peak_hour <= 24)) s.fail("peak_hour", "must be between 0 and 24");
  p.start_hour = s.num_or("start_hour", p.start_hour);
  if (!(p.start_hour >= 0 && p.start_hour <= 24)) s.fail("start_hour", "must be between 0 and 24");
  b.rate(s, "mean_rate", p.mean_rate * (1 + p.amplitude));  // the peak rate
  b.expect(s, "mean_rate", p.mean_rate, b.duration_or(s, "start", 0), b.until(s));
  return std::make_unique<DiurnalStream>(p, b.duration_or(s, "start", 0), b.until(s), b.arrival_seed());
}

}  // namespace ce
