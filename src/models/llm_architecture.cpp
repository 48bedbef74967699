#include "models/llm_architecture.hpp"

namespace ce {

double LlmArchitecture::layer_linear_params() const {
  const double d = static_cast<double>(d_model), q = static_cast<double>(heads_q) * head_dim,
               kv = static_cast<double>(heads_kv) * head_dim;
  double attn = d * q + 2 * d * kv + q * d;
  if (qkv_bias) attn += q + 2 * kv;
  return attn + 3 * d * static_cast<double>(d_ff);
}

double LlmArchitecture::linear_params() const { return layers * layer_linear_params(); }

double LlmArchitecture::params() const {
  const double d = static_cast<double>(d_model), v = static_cast<double>(vocab);
  const double per_layer = layer_linear_params() + norms_per_layer * d;
  return layers * per_layer + v * d * (tied_embeddings ? 1 : 2) + d;
}

double LlmArchitecture::prefill_flops(double p) const {
  const double attn_width = static_cast<double>(heads_q) * head_dim;
  return 2 * linear_params() * p + 2.0 * layers * attn_width * p * (p + 1) +
         2.0 * static_cast<double>(vocab) * d_model;
}

double LlmArchitecture::weights_read() const {
  return params() - (tied_embeddings ? 0.0 : static_cast<double>(vocab) * d_model);
}

// Causal attention of tokens start+1 .. start+n over their prefixes: 4·L·h_q·d_h·Σ i.
double LlmArchitecture::chunk_flops(double n, double start, bool last) const {
  const double attn_width = static_cast<double>(heads_q) * head_dim;
  return 2 * linear_params() * n + 4.0 * layers * attn_width * (n * start + n * (n + 1) / 2) +
         (last ? 2.0 * static_cast<double>(vocab) * d_model : 0.0);
}

double LlmArchitecture::decode_flops(double c) const {
  const double attn_width = static_cast<double>(heads_q) * head_dim;
  return 2 * linear_params() + 4.0 * layers * attn_width * c + 2.0 * static_cast<double>(vocab) * d_model;
}

double LlmArchitecture::kv_bytes_per_token(double b) const {
  return layers * 2.0 * heads_kv * static_cast<double>(head_dim) * b;
}

double LlmArchitecture::decode_bytes(double c, double bytes_per_weight, double bytes_per_kv) const {
  return weights_read() * bytes_per_weight + kv_bytes_per_token(bytes_per_kv) * c;
}

const std::vector<LlmArchitecture>& llm_architectures() {
  // Configs: HF config.json copies named in accelerators-llm.md §6; published sizes from the model
  // cards (Llama 3.2: 1.23B / 3.21B; Llama 3.1: 8.03B; Qwen2.5: 0.49B / 1.54B / 3.09B / 7.61B; Phi-3-mini 3.8B; Gemma 2
  // 2.61B; TinyLlama 1.1B).
  static const std::vector<LlmArchitecture> kModels = {
      {"llama-3.2-1b", 16, 2048, 8192, 32, 8, 64, 128256, true, false, 2, 1.23e9, "meta-llama/Llama-3.2-1B config"},
      {"llama-3.2-3b", 28, 3072, 8192, 24, 8, 128, 128256, true, false, 2, 3.21e9, "meta-llama/Llama-3.2-3B config"},
      {"llama-3.1-8b", 32, 4096, 14336, 32, 8, 128, 128256, false, false, 2, 8.03e9, "meta-llama/Llama-3.1-8B config"},
      {"qwen2.5-0.5b", 24, 896, 4864, 14, 2, 64, 151936, true, true, 2, 0.49e9, "Qwen/Qwen2.5-0.5B config"},
      {"qwen2.5-1.5b", 28, 1536, 8960, 12, 2, 128, 151936, true, true, 2, 1.54e9, "Qwen/Qwen2.5-1.5B config"},
      {"qwen2.5-3b", 36, 2048, 11008, 16, 2, 128, 151936, true, true, 2, 3.09e9, "Qwen/Qwen2.5-3B config"},
      {"qwen2.5-7b", 28, 3584, 18944, 28, 4, 128, 152064, false, true, 2, 7.61e9, "Qwen/Qwen2.5-7B config"},
      {"phi-3-mini-4k", 32, 3072, 8192, 32, 32, 96, 32064, false, false, 2, 3.8e9, "microsoft/Phi-3-mini-4k config"},
      // Gemma 2: four norms per layer (pre/post attention and MLP), GeGLU (gated, 3 matrices).
      {"gemma-2-2b", 26, 2304, 9216, 8, 4, 256, 256000, true, false, 4, 2.61e9, "google/gemma-2-2b config"},
      {"tinyllama-1.1b", 22, 2048, 5632, 32, 4, 64, 32000, false, false, 2, 1.1e9,
       "TinyLlama/TinyLlama-1.1B-Chat-v1.0 config"},
  };
  return kModels;
}

const LlmArchitecture* find_llm(const std::string& name) {
  for (const auto& m : llm_architectures())
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace ce
