#pragma once
// Real fp32 kernels for the zoo's primitive ops (models/op_shape.hpp), batch 1, written with
// Eigen so the calibration times the same kind of code a CPU inference runtime runs:
//  * conv2d: im2col + Eigen GEMM (a 1x1/stride-1 conv uses the input as the GEMM operand
//    directly); depthwise: a direct per-channel loop; other grouped convs: one GEMM per group;
//  * linear / attention matmuls: Eigen GEMM (GEMV for one row);
//  * pooling, batch/layer norm, activations, softmax, add, SE gating, concat, upsample,
//    embedding gathers, reshapes: plain loops / Eigen array expressions.
// Weights are random (fixed seed) and He-scaled, so activations stay finite through a chain.
#include <cstdint>
#include <memory>
#include <vector>

#include "models/op_shape.hpp"

namespace ce::calib {

// A dense fp32 tensor: image C x H x W (CHW), or a sequence stored as c = dim, h = tokens, w = 1
// (token-major), following OpShape's in_c/in_h/in_w convention.
struct Tensor {
  int64_t c = 0, h = 0, w = 0;
  std::vector<float> v;
  Tensor() = default;
  Tensor(int64_t c_, int64_t h_, int64_t w_) : c(c_), h(h_), w(w_), v(static_cast<size_t>(c_ * h_ * w_)) {}
  int64_t elems() const { return c * h * w; }
  bool same_shape(int64_t c_, int64_t h_, int64_t w_) const { return c == c_ && h == h_ && w == w_; }
};

// Fills t with uniform values in [lo, hi) from a fixed-seed generator.
void fill_random(Tensor& t, uint64_t seed, float lo = -1.f, float hi = 1.f);
// Output tensor of the right shape for `op`.
Tensor make_output(const OpShape& op);

// One op with its weights. run() reads `ins` (see input_shapes) and overwrites `out`.
class OpKernel {
 public:
  OpKernel(const OpShape& op, uint64_t seed);
  const OpShape& op() const { return op_; }
  // Shapes (c,h,w) of the inputs run() expects, in order. Most ops take one; add: two equal;
  // mul (SE): x and the C-element gate; concat: the parts are not fixed here (any tensors with
  // the output's H,W whose channels sum to out_c); matmul qk: the packed QKV; av: probs, QKV.
  std::vector<Tensor> example_inputs(uint64_t seed) const;
  void run(const std::vector<const Tensor*>& ins, Tensor& out);
  // MACs the kernel actually performs (multiply-adds of its inner loops), for checking the zoo's
  // cost convention against the code.
  uint64_t executed_macs() const { return executed_macs_; }
  // Weights (conv: out_c x (in_c/groups·k·k); linear: n x k_dim) and bias, for reference checks.
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  void conv(const Tensor& x, Tensor& y);
  void depthwise(const Tensor& x, Tensor& y);
  void linear(const Tensor& x, Tensor& y);
  void matmul(const std::vector<const Tensor*>& ins, Tensor& y);
  void pool(const Tensor& x, Tensor& y);

  OpShape op_;
  Tensor weight_, bias_, aux_;   // aux: BN shift / embedding table
  std::vector<float> col_;       // im2col scratch
  uint64_t executed_macs_ = 0;
};

}  // namespace ce::calib
