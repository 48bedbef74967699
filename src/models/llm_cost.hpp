#pragma once
// What one iteration of an LLM engine costs on a device (docs/inputs.md "LLM serving"): the work of
// its members — prefill chunks (n prompt tokens after `start` cached ones) and decode steps (one
// token at a context) — summed into FLOPs and bytes read, then a roofline on the device mode's
// rates: seconds = overhead + max(FLOPs / flops, bytes / bandwidth). The weights are read once per
// iteration whatever its size, which is what makes batching decode steps nearly free until compute
// catches up (accelerators-llm.md §3: flat, then linear). Power: prefill_power while the iteration
// holds prompt tokens, decode_power otherwise (Splitwise's phase-constant model, §5).
#include "config/accelerator_spec.hpp"
#include "models/model_profile.hpp"

namespace ce {

struct LlmWork {
  double flops = 0;
  double kv_bytes = 0;  // KV cache read by the attention of its members
  double prompt_tokens = 0;
  double decode_tokens = 0;
};

// FP16 KV cache (2 bytes per element).
constexpr double kKvBytesPerElement = 2;

double kv_bytes_per_token(const ModelProfile& m);
// Bytes of weights the model holds in device memory.
double llm_weight_bytes(const ModelProfile& m);
void add_prefill_chunk(LlmWork& w, const ModelProfile& m, double n, double start, bool last);
void add_decode_step(LlmWork& w, const ModelProfile& m, double context);

struct LlmIterationCost {
  double seconds = 0;
  double power_w = 0;  // wall
};
LlmIterationCost llm_iteration_cost(const LlmModeRates& r, const ModelProfile& m, const LlmWork& w);

// Bytes a request ships when the model is cut after row k: the prompt's token ids (k = 0), its KV
// cache and first token (k = kLlmPrefillRow, to a decode host), its output's token ids (the last).
double llm_cut_bytes(const ModelProfile& m, double prompt, double output, size_t k);

// One request alone on the device: its prefill, then output − 1 decode steps (the first token
// comes from the prefill). For policies' estimates and the calibration checks.
struct LlmRequestCost {
  double ttft_s = 0, decode_s = 0, energy_j = 0;  // energy: wall, idle included
};
LlmRequestCost llm_request_alone(const LlmModeRates& r, const ModelProfile& m, double prompt, double output);
// Decode tokens/s of one sequence at a context (batch 1): the figure llama.cpp's tg and vendors quote.
double llm_decode_tokens_per_s(const LlmModeRates& r, const ModelProfile& m, double context);

}  // namespace ce
