#include "models/llm_cost.hpp"

#include <algorithm>

#include "models/llm_architecture.hpp"

namespace ce {

namespace {
int idx(const ModelProfile& m) { return static_cast<int>(m.precision); }
}  // namespace

double kv_bytes_per_token(const ModelProfile& m) { return m.llm->kv_bytes_per_token(kKvBytesPerElement); }

double llm_weight_bytes(const ModelProfile& m) { return m.llm->params() * bytes_per_weight(m.precision); }

void add_prefill_chunk(LlmWork& w, const ModelProfile& m, double n, double start, bool last) {
  w.flops += m.llm->chunk_flops(n, start, last);
  w.kv_bytes += kv_bytes_per_token(m) * start;  // the cached prefix its attention reads
  w.prompt_tokens += n;
}

void add_decode_step(LlmWork& w, const ModelProfile& m, double context) {
  w.flops += m.llm->decode_flops(context);
  w.kv_bytes += kv_bytes_per_token(m) * context;
  w.decode_tokens += 1;
}

LlmIterationCost llm_iteration_cost(const LlmModeRates& r, const ModelProfile& m, const LlmWork& w) {
  const int p = idx(m);
  const double bytes = m.llm->weights_read() * bytes_per_weight(m.precision) + w.kv_bytes;
  LlmIterationCost c;
  c.seconds = r.overhead_s[p] + std::max(w.flops / r.flops[p], bytes / r.bandwidth[p]);
  c.power_w = w.prompt_tokens > 0 ? r.prefill_w : r.decode_w;
  return c;
}

double llm_cut_bytes(const ModelProfile& m, double prompt, double output, size_t k) {
  prompt = std::max(prompt, 1.0);
  output = std::max(output, 1.0);
  constexpr double kTokenId = 4;  // int32
  if (k == 0) return prompt * kTokenId;
  if (k == kLlmPrefillRow) return kv_bytes_per_token(m) * prompt + kTokenId;
  return output * kTokenId;
}

LlmRequestCost llm_request_alone(const LlmModeRates& r, const ModelProfile& m, double prompt, double output) {
  prompt = std::max(prompt, 1.0);
  output = std::max(output, 1.0);
  LlmRequestCost out;
  LlmWork pre;
  add_prefill_chunk(pre, m, prompt, 0, true);
  const LlmIterationCost c = llm_iteration_cost(r, m, pre);
  out.ttft_s = c.seconds;
  out.energy_j = c.seconds * c.power_w;
  for (double k = 1; k < output; ++k) {  // the k-th decode step attends prompt + k cached tokens
    LlmWork d;
    add_decode_step(d, m, prompt + k);
    const LlmIterationCost s = llm_iteration_cost(r, m, d);
    out.decode_s += s.seconds;
    out.energy_j += s.seconds * s.power_w;
  }
  return out;
}

double llm_decode_tokens_per_s(const LlmModeRates& r, const ModelProfile& m, double context) {
  LlmWork d;
  add_decode_step(d, m, context);
  return 1 / llm_iteration_cost(r, m, d).seconds;
}

}  // namespace ce
