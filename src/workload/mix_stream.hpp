#pragma once
// Decorates another stream's requests with a model, a source device and an SLO, each drawn from
// its own random stream derived from `seed`, so changing the device weights does not change the
// model sequence. Arrival times and client come from the inner stream untouched, and so do its token
// counts unless the source draws them.
#include <cstdint>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "core/rng.hpp"
#include "workload/arrival_stream.hpp"
#include "workload/token_draw.hpp"
#include "workload/weighted_choice.hpp"

namespace ce {

struct MixSpec {
  WeightedChoice models;    // empty: keep the inner request's model
  WeightedChoice sources;   // empty: keep the inner request's source
  double slo_s = std::numeric_limits<double>::infinity();  // for every request ...
  std::vector<double> slo_by_model;  // ... unless given per models entry (same size as models)
  double deadline_s = std::numeric_limits<double>::infinity();  // completion deadline (none: infinity)
  TokenDraw prompt_tokens, output_tokens;  // not given: keep the inner request's
  double ttft_slo_s = std::numeric_limits<double>::infinity(), tpot_slo_s = std::numeric_limits<double>::infinity();
};

class MixStream : public ArrivalStream {
 public:
  MixStream(std::unique_ptr<ArrivalStream> inner, MixSpec spec, uint64_t seed);

  double peek_time() override { return inner_->peek_time(); }
  Request pop() override;
  bool finished() const override { return inner_->finished(); }
  void on_completion(const Request& req, double now_s) override { inner_->on_completion(req, now_s); }
  double max_deadline_s() const override { return std::isfinite(spec_.deadline_s) ? spec_.deadline_s : 0; }

 private:
  std::unique_ptr<ArrivalStream> inner_;
  MixSpec spec_;
  Rng model_rng_, source_rng_, token_rng_;
};

}  // namespace ce
