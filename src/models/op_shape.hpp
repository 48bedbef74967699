#pragma once
// One primitive operator of a model row, with the shapes it runs on. The zoo keeps these so that
// a calibration step can time real kernels (Eigen GEMMs / convolutions) of exactly these shapes
// instead of guessing a per-row-type rate. Batch size is 1 everywhere.
#include <cstdint>
#include <string>

namespace ce {

enum class OpKind {
  Conv2d,     // in_c,in_h,in_w -> out_c,out_h,out_w; k, stride, pad, groups, bias
  Linear,     // GEMM: m rows (tokens, 1 for a plain FC) x k_dim in -> n out; bias
  MatMul,     // batched activation x activation GEMM (attention): batch x (m x k_dim)·(k_dim x n)
  MaxPool,    // in -> out spatial, k, stride, pad
  AvgPool,    // idem; detail "adaptive" for AdaptiveAvgPool2d / global pooling
  BatchNorm,  // out_elems normalised, 2*C learnable params
  LayerNorm,  // idem over the last dim
  Activation, // detail: relu, relu6, hswish, hsigmoid, silu, sigmoid, gelu, tanh, leaky
  Softmax,
  Add,        // residual add / embedding sum
  Mul,        // squeeze-excite channel gating
  Concat,     // channel concat (Fire, YOLO route)
  Embedding,  // table lookup or learned tensor added (BERT word/pos/type, ViT cls/pos)
  Upsample,   // nearest x2 (YOLO)
  Reshape,    // flatten / patch->token / [CLS] select / YOLO head decode: data movement only
};

const char* op_kind_name(OpKind k);

struct OpShape {
  OpKind kind = OpKind::Reshape;
  std::string detail;  // activation name, "adaptive", "qk"/"av" for attention, ...
  // Image tensors (conv, pool, BN, ...): input and output C,H,W.
  int64_t in_c = 0, in_h = 0, in_w = 0;
  int64_t out_c = 0, out_h = 0, out_w = 0;
  int k = 0, stride = 1, pad = 0, groups = 1;
  bool bias = false;
  // GEMM view (Linear, MatMul): batch x [m x k_dim] · [k_dim x n].
  int64_t batch = 1, m = 0, k_dim = 0, n = 0;
  // Costs under the zoo convention (see architecture.hpp).
  uint64_t macs = 0;
  uint64_t params = 0;
  uint64_t out_elems = 0;
};

}  // namespace ce
