#pragma once
// Decoder-only language models from their architecture configs (the first part of the LLM issue:
// ../shared/reference/accelerators-llm.md §6). The zoo's LLM variants (models/llm_zoo.cpp) are built
// on them, and the serving cost (models/llm_cost.hpp) charges these token-driven formulas —
// parameters, the FLOPs of a
// prefill of P prompt tokens and of one decode step at context c, the bytes a decode step reads,
// and the KV cache per token — computed from the config, not copied from tables.
//
// Per layer: attention q (d × h_q·d_h), k and v (d × h_kv·d_h each), o (h_q·d_h × d), optional q/k/v
// biases; a gated MLP (gate, up, down: 3·d·d_ff); `norms_per_layer` RMSNorm weight vectors of d.
// Plus the token embedding (V × d), a final norm (d), and the LM head (V × d) unless tied.
//   prefill(P)  = 2·N_lin·P + 2·L·h_q·d_h·P(P+1) + 2·V·d   (causal QKᵀ and A·V; logits of the last token)
//   decode(c)   = 2·N_lin + 4·L·h_q·d_h·c + 2·V·d           (one token attending to c cached ones)
//   KV bytes/token = L · 2·h_kv·d_h · bytes per element
// N_lin = the layers' linear weights (what a token multiplies through).
#include <cstdint>
#include <string>
#include <vector>

namespace ce {

struct LlmArchitecture {
  std::string name;
  uint32_t layers = 0;
  uint64_t d_model = 0, d_ff = 0;
  uint32_t heads_q = 0, heads_kv = 0;
  uint64_t head_dim = 0;
  uint64_t vocab = 0;
  bool tied_embeddings = false;
  bool qkv_bias = false;
  uint32_t norms_per_layer = 2;
  double published_params = 0;  // as the model's card gives it (for the check), 0 if none
  std::string source;

  double layer_linear_params() const;  // one layer's weight matrices and biases (no norms)
  double params() const;               // everything, embeddings and norms included
  double linear_params() const;        // N_lin: L × layer_linear_params()
  double prefill_flops(double prompt_tokens) const;
  double decode_flops(double context_tokens) const;
  // Weights one forward step reads: all but an untied input embedding (of which it gathers one row
  // per token).
  double weights_read() const;
  // FLOPs of a prefill chunk of n prompt tokens after `start` already cached ones (chunked prefill);
  // `last`: it ends the prompt, so the logits of its last token are computed. prefill_flops(P) =
  // chunk_flops(P, 0, true).
  double chunk_flops(double n, double start, bool last) const;
  // Bytes one decode step reads: the weights and the KV cache of `context_tokens` tokens.
  double decode_bytes(double context_tokens, double bytes_per_weight, double bytes_per_kv) const;
  double kv_bytes_per_token(double bytes_per_element) const;
};

// The small LLMs of the reference (§6), in its order.
const std::vector<LlmArchitecture>& llm_architectures();
const LlmArchitecture* find_llm(const std::string& name);  // nullptr if unknown

}  // namespace ce
