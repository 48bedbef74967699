#include "workload/mmpp_stream.hpp"

#include <stdexcept>

#include "workload/source_builder.hpp"

namespace ce {

double MmppStream::mean_rate(const std::vector<MmppState>& states) {
  double num = 0, den = 0;
  for (const auto& s : states) {
    num += s.rate * s.mean_sojourn_s;
    den += s.mean_sojourn_s;
  }
  return den > 0 ? num / den : 0;
}

MmppStream::MmppStream(std::vector<MmppState> states, double start_s, double until_s, uint64_t seed)
    : states_(std::move(states)), until_(until_s), rng_(seed) {
  if (states_.size() < 2) throw std::invalid_argument("MMPP needs at least 2 states");
  double total = 0;
  bool any_rate = false;
  for (const auto& s : states_) {
    if (!(s.rate >= 0) || !(s.mean_sojourn_s > 0)) throw std::invalid_argument("MMPP state: rate >= 0, sojourn > 0");
    any_rate = any_rate || s.rate > 0;
    total += s.mean_sojourn_s;
  }
  if (!any_rate) throw std::invalid_argument("MMPP needs at least one state with a positive rate");
  // Stationary start: P(state i) = sojourn_i / sum (the embedded chain is uniform over states).
  double u = rng_.uniform() * total;
  size_t first = states_.size() - 1;
  for (size_t i = 0; i < states_.size(); ++i) {
    if (u < states_[i].mean_sojourn_s) {
      first = i;
      break;
    }
    u -= states_[i].mean_sojourn_s;
  }
  enter(first, start_s);
  advance(start_s);
}

void MmppStream::enter(size_t state, double at) {
  state_ = state;
  state_end_ = at + rng_.exponential(1.0 / states_[state].mean_sojourn_s);
}

void MmppStream::advance(double from) {
  double t = from;
  for (;;) {
    const double rate = states_[state_].rate;
    if (rate > 0) {
      double cand = t + rng_.exponential(rate);
      if (cand < state_end_) {  // memoryless: a gap cut by a state change is simply redrawn
        next_ = cand < until_ ? cand : kNever;
        return;
      }
    }
    t = state_end_;
    if (t >= until_) {
      next_ = kNever;
      return;
    }
    size_t other = static_cast<size_t>(rng_.below(states_.size() - 1));
    enter(other >= state_ ? other + 1 : other, t);
  }
}

Request MmppStream::pop() {
  Request r;
  r.id = next_id_++;
  r.arrival_s = next_;
  advance(next_);
  return r;
}


// type: mmpp (keys: start, states: [{rate, mean_sojourn}, ...]).
std::unique_ptr<ArrivalStream> build_mmpp(SourceBuilder& b, const YamlSection& s) {
  std::vector<MmppState> states;
  for (const auto& st : s.list("states")) {
    st.allow_only({"rate", "mean_sojourn"});
    MmppState m;
    if (!st.has("rate")) st.fail("rate", "missing (required): arrivals per second in this state");
    m.rate = b.rate(st, "rate", st.non_negative_or("rate", 0));
    m.mean_sojourn_s = st.quantity("mean_sojourn", Unit::Duration);
    if (!(m.mean_sojourn_s > 0)) st.fail("mean_sojourn", "must be > 0");
    states.push_back(m);
  }
  if (states.size() < 2) s.fail("states", "needs at least 2 states");
  if (MmppStream::mean_rate(states) <= 0) s.fail("states", "at least one state needs a rate > 0");
  b.expect(s, "states", MmppStream::mean_rate(states), b.duration_or(s, "start", 0), b.until(s));
  return std::make_unique<MmppStream>(states, b.duration_or(s, "start", 0), b.until(s), b.arrival_seed());
}

}  // namespace ce
