#include "models/llm_zoo.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/cost_model.hpp"
#include "models/llm_architecture.hpp"
#include "models/llm_cost.hpp"

namespace ce {

namespace {

// Quantised MMLU as a fraction of fp16, where no figure for the exact model was published [derived]:
//  int8: Qwen2.5-7B-Instruct 8-bit 73.87 / 74.24 (Red Hat / Neural Magic, lm-eval-harness 5-shot);
//  int4: Qwen2-Instruct GPTQ-Int4 / BF16 from Qwen's own quantisation table — 33.0 / 37.9 for the
//        0.5B (used below 2B parameters), 67.8 / 70.5 for the 7B (from 2B up): small models lose more.
constexpr double kInt8Ratio = 73.87 / 74.24;
constexpr double kInt4RatioSmall = 33.0 / 37.9, kInt4RatioLarge = 67.8 / 70.5;
constexpr double kChance = 25.0;  // MMLU is 4-way multiple choice: a score below chance says nothing

struct Quality {
  const char* model;
  const char* family;
  double fp16;
  double int8, int4;  // published; 0 = derive with the ratios above
  const char* source;
};

// MMLU 5-shot, percent (the numbers a researcher can look up; /docs/models.md lists the sources).
constexpr Quality kQuality[] = {
    {"llama-3.2-1b", "llama-3.2", 49.3, 0, 47.3, "Meta Llama 3.2 model card: 1B-Instruct bf16 49.3, SpinQuant W4A8 47.3"},
    {"llama-3.2-3b", "llama-3.2", 63.4, 0, 62.0, "Meta Llama 3.2 model card: 3B-Instruct bf16 63.4, SpinQuant W4A8 62"},
    {"llama-3.1-8b", "llama-3.1", 69.4, 0, 0, "Meta Llama 3.2 model card's comparison: Llama-3.1-8B-Instruct 69.4"},
    {"qwen2.5-0.5b", "qwen2.5", 47.5, 0, 0, "Qwen2.5 blog / tech report (arXiv 2412.15115), base 5-shot"},
    {"qwen2.5-1.5b", "qwen2.5", 60.9, 0, 0, "Qwen2.5 blog / tech report, base 5-shot"},
    {"qwen2.5-3b", "qwen2.5", 65.6, 0, 0, "Qwen2.5 blog / tech report, base 5-shot"},
    {"qwen2.5-7b", "qwen2.5", 74.2, 74.2 * 73.87 / 74.24, 74.2 * 73.19 / 74.24,
     "Qwen2.5 blog (base 74.2); int8/int4 scaled by Red Hat's Qwen2.5-7B-Instruct 74.24 → 73.87 (W8) / 73.19 (W4)"},
    {"phi-3-mini-4k", "phi-3", 70.9, 0, 0, "Phi-3-mini-4k-instruct model card (June 2024 update), 5-shot"},
    {"gemma-2-2b", "gemma-2", 51.3, 0, 0, "Gemma 2 model card, 2B pretrained, 5-shot top-1"},
    {"tinyllama-1.1b", "tinyllama", 25.92, 0, 0, "TinyLlama EVAL.md, 2.5T-token checkpoint (InstructEval MMLU)"},
};

ModelProfile profile(const LlmArchitecture& a, const Quality& q, WeightPrecision p) {
  ModelProfile m;
  m.name = a.name + (p == WeightPrecision::Fp16 ? "" : std::string("-") + precision_name(p));
  m.family = q.family;
  m.llm = &a;
  m.precision = p;
  const bool small = a.params() < 2e9;
  double quality = q.fp16;
  if (p == WeightPrecision::Int8) quality = q.int8 > 0 ? q.int8 : q.fp16 * kInt8Ratio;
  if (p == WeightPrecision::Int4) quality = q.int4 > 0 ? q.int4 : q.fp16 * (small ? kInt4RatioSmall : kInt4RatioLarge);
  m.top1 = std::max(quality, std::min(q.fp16, kChance));
  m.bytes_per_elem = 4;  // token ids (int32) in and out
  // Rows (kLlmPrefillRow, kLlmDecodeRow): the prompt, its prefill, the decode steps — not layers: a
  // plan may cut after the prefill (phase splitting), not inside the decoder. The static figures are
  // a nominal request's (cost_model.hpp kNominal*: what orders variants and what policies estimate
  // with); sim/ ships each request's own (llm_cut_bytes). Both phases need all the weights.
  const double n = a.linear_params(), pt = kNominalPromptTokens, o = kNominalOutputTokens;
  const double kv_elems = a.kv_bytes_per_token(kKvBytesPerElement) * pt / m.bytes_per_elem;
  m.layers.push_back({"prompt", "input", 0, 0, static_cast<uint64_t>(pt), 0});
  m.layers.push_back({"prefill", "llm_prefill", static_cast<uint64_t>(n * pt), static_cast<uint64_t>(a.params()),
                      static_cast<uint64_t>(kv_elems), 0});
  m.layers.push_back({"decode", "llm_decode", static_cast<uint64_t>(n * o), 0, static_cast<uint64_t>(o), 0});
  return m;
}

}  // namespace

std::vector<ModelProfile> build_llm_zoo() {
  std::vector<ModelProfile> out;
  for (const LlmArchitecture& a : llm_architectures()) {
    const Quality* q = nullptr;
    for (const Quality& x : kQuality)
      if (a.name == x.model) q = &x;
    if (!q) throw std::logic_error("llm zoo: no quality entry for " + a.name);
    for (WeightPrecision p : {WeightPrecision::Fp16, WeightPrecision::Int8, WeightPrecision::Int4})
      out.push_back(profile(a, *q, p));
  }
  return out;
}

}  // namespace ce
