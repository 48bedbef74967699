#pragma once
// Markov-modulated Poisson process: a hidden state with its own Poisson rate, held for an
// exponentially distributed sojourn, then left for one of the other states (chosen uniformly).
// Two states with rates {high, low} give the classic ON/OFF burst model. O(states) memory.
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "workload/arrival_stream.hpp"

namespace ce {

struct MmppState {
  double rate = 0;            // req/s while in this state (>= 0)
  double mean_sojourn_s = 1;  // mean time spent in the state per visit (> 0)
};

class MmppStream : public ArrivalStream {
 public:
  // Needs >= 2 states and at least one positive rate. The initial state is drawn from the
  // stationary distribution (proportional to the mean sojourns), so the process is stationary.
  MmppStream(std::vector<MmppState> states, double start_s, double until_s, uint64_t seed);

  double peek_time() override { return next_; }
  Request pop() override;
  bool finished() const override { return next_ == kNever; }

  // Long-run mean rate: sum(rate_i * sojourn_i) / sum(sojourn_i).
  static double mean_rate(const std::vector<MmppState>& states);

 private:
  void advance(double from);
  void enter(size_t state, double at);

  std::vector<MmppState> states_;
  double until_;
  Rng rng_;
  size_t state_ = 0;
  double state_end_ = 0;
  double next_ = kNever;
  uint64_t next_id_ = 0;
};

}  // namespace ce
