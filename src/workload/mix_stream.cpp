#include "workload/mix_stream.hpp"

#include <stdexcept>

namespace ce {

MixStream::MixStream(std::unique_ptr<ArrivalStream> inner, MixSpec spec, uint64_t seed)
    : inner_(std::move(inner)), spec_(std::move(spec)), model_rng_(derive_seed(seed, 0)),
      source_rng_(derive_seed(seed, 1)), token_rng_(derive_seed(seed, 2)) {
  if (!spec_.slo_by_model.empty() && spec_.slo_by_model.size() != spec_.models.size())
    throw std::invalid_argument("MixSpec: slo_by_model must have one entry per model");
}

Request MixStream::pop() {
  Request r = inner_->pop();
  r.slo_s = spec_.slo_s;
  r.deadline_s = spec_.deadline_s;
  r.ttft_slo_s = spec_.ttft_slo_s;
  r.tpot_slo_s = spec_.tpot_slo_s;
  if (!spec_.models.empty()) {
    size_t i = spec_.models.draw_index(model_rng_);
    r.model = spec_.models.value(i);
    if (!spec_.slo_by_model.empty()) r.slo_s = spec_.slo_by_model[i];
  }
  if (!spec_.sources.empty()) r.source = spec_.sources.value(spec_.sources.draw_index(source_rng_));
  if (spec_.prompt_tokens.given()) r.prompt_tokens = spec_.prompt_tokens.draw(token_rng_);
  if (spec_.output_tokens.given()) r.output_tokens = spec_.output_tokens.draw(token_rng_);
  return r;
}

}  // namespace ce
