#pragma once
// The linear kernels of a decoder-only LLM (models/llm_architecture.hpp) at their real shapes:
// decode = GEMV (one token, 1×K row times an N×K weight matrix), prefill = GEMM (P tokens).
//  * fp32: Eigen, weights row-major N×K (Eigen's row-major GEMV is a dot product per output
//    row; prefill is X·Wᵀ through Eigen's GEMM, no transpose copy);
//  * int8: weights int8 with a per-row fp32 scale (symmetric per-channel quantisation), the
//    activations quantised to int8 per call, products accumulated exactly in int32, then scaled.
//    Written by hand (SSE2 _mm_madd_epi16, scalar elsewhere): Eigen's product of .cast<int32_t>()
//    expressions evaluates the cast into an int32 temporary, i.e. reads and writes 4 bytes per
//    weight, which would measure the wrong memory traffic.
#include <cstdint>
#include <string>
#include <vector>

#include "models/llm_architecture.hpp"

namespace ce::calib {

enum class LlmPrecision { Fp32, Int8 };
const char* precision_name(LlmPrecision p);
double bytes_per_weight(LlmPrecision p);

// One weight matrix of a layer (or the LM head): N outputs × K inputs.
struct LlmMatrix {
  std::string name;  // q, k, v, o, gate, up, down, lm_head
  int64_t n = 0, k = 0;
  double weights() const { return static_cast<double>(n) * static_cast<double>(k); }
};

// q, k, v, o, gate, up, down of one layer (biases and norms are vectors: left out, < 0.1 % of the
// bytes), and the LM head V×d (read every token whether or not it is tied to the embedding).
std::vector<LlmMatrix> llm_layer_matrices(const LlmArchitecture& a);
LlmMatrix llm_head_matrix(const LlmArchitecture& a);
// Weights one decode token streams: L × one layer's matrices + the LM head (the embedding lookup
// reads one row only).
double llm_token_weights(const LlmArchitecture& a);

// Cheap deterministic fill (splitmix64): filling gigabytes with mt19937 would take longer than
// the measurement.
void fill_uniform(float* p, size_t n, uint64_t seed, float lo, float hi);
void fill_int8(int8_t* p, size_t n, uint64_t seed);  // uniform in [-127, 127]

// A matrix in one precision with its kernels. Output y has N entries per token.
class LlmLinear {
 public:
  LlmLinear(const LlmMatrix& m, LlmPrecision p, uint64_t seed);
  // Same shape and precision, weights copied from `other` (a memcpy: fast for whole models).
  LlmLinear(const LlmLinear& other) = default;
  const LlmMatrix& shape() const { return m_; }
  LlmPrecision precision() const { return p_; }
  double weight_bytes() const { return m_.weights() * bytes_per_weight(p_); }
  // decode: x has K floats, y gets N.
  void gemv(const float* x, float* y);
  // prefill: X is P×K (token-major), Y gets P×N.
  void gemm(const float* x, int64_t tokens, float* y);
  // Raw storage for reference checks.
  const std::vector<float>& w_fp32() const { return wf_; }
  const std::vector<int8_t>& w_int8() const { return wq_; }
  const std::vector<float>& row_scale() const { return scale_; }

 private:
  LlmMatrix m_;
  LlmPrecision p_;
  std::vector<float> wf_;
  std::vector<int8_t> wq_;
  std::vector<float> scale_;
  std::vector<int8_t> xq_;   // quantised activations (scratch)
  std::vector<int32_t> acc_; // int32 accumulators (scratch)
};

// The exact int8 kernels, exposed for the unit test: acc[i] = Σ_j w[i·k + j] · x[j] (GEMV), and
// acc[p·n + i] = Σ_j w[i·k + j] · x[p·k + j] (GEMM, `tokens` rows of x). |acc| stays below 2³¹ for
// k < 133,000 (127² · k).
void int8_gemv(const int8_t* w, int64_t n, int64_t k, const int8_t* x, int32_t* acc);
void int8_gemm(const int8_t* w, int64_t n, int64_t k, const int8_t* x, int64_t tokens, int32_t* acc);
// Symmetric per-tensor quantisation of one activation vector; returns the scale (x ≈ scale·q).
float quantize_int8(const float* x, int64_t k, int8_t* q);

}  // namespace ce::calib
