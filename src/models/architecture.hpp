#pragma once
// A tiny builder DSL that derives a ModelProfile from an architecture description: it tracks the
// current tensor shape, appends primitive ops (computing their cost), and groups ops into rows =
// partitionable cut points.
//
// Cost convention (same as torchvision's `_ops` metadata and the reference CSVs):
//  * macs: Conv2d k*k*(Cin/groups)*Cout*Hout*Wout, Linear in*out per row (token), attention
//    Q·K^T and A·V matmuls. BN, activations, pooling, adds, softmax, LayerNorm, SE gating: 0.
//  * params: weights + biases + BN/LN gamma,beta + embeddings + ViT class token / pos-embedding.
//    BN running statistics are buffers, not parameters.
//  * out_elems: elements of the tensor leaving the row (what a cut after it ships).
#include <string>
#include <vector>

#include "models/model_profile.hpp"

namespace ce {

// An activation tensor: image (C,H,W) or sequence (tokens x dim). A flat vector of N features is
// the image {N,1,1}, so an FC after a pool needs no special case.
struct Shape {
  int64_t c = 0, h = 1, w = 1;
  int64_t tokens = 0, dim = 0;  // tokens > 0 marks a sequence
  bool is_seq() const { return tokens > 0; }
  uint64_t elems() const {
    return static_cast<uint64_t>(is_seq() ? tokens * dim : c * h * w);
  }
  static Shape image(int64_t c, int64_t h, int64_t w) { return Shape{c, h, w, 0, 0}; }
  static Shape seq(int64_t tokens, int64_t dim) { return Shape{0, 1, 1, tokens, dim}; }
};

class ArchBuilder {
 public:
  ArchBuilder(std::string name, std::string family, Shape input);

  // --- rows ---------------------------------------------------------------------------------
  // Starts a new row; the ops appended until the next row() belong to it. Its out_elems is the
  // shape current when the row is closed.
  void row(const std::string& name, const std::string& type);
  int current_row() const { return static_cast<int>(model_.layers.size()) - 1; }
  // Output shape of an already closed row (for routes / concats across rows).
  const Shape& row_output(int row) const { return row_out_.at(static_cast<size_t>(row)); }
  // Closes the last row, derives extra_live_elems and returns the model.
  ModelProfile finish(double top1, double top5);

  // --- tensor state -------------------------------------------------------------------------
  const Shape& cur() const { return cur_; }
  void set(const Shape& s) { cur_ = s; }

  // --- ops (each transforms cur()) ----------------------------------------------------------
  // act: nullptr for none, else an activation name recorded as a separate (free) op.
  void conv(int64_t out_c, int k, int stride, int pad, int groups = 1, bool bias = false,
            bool bn = false, const char* act = nullptr);
  void linear(int64_t out, bool bias = true, const char* act = nullptr);
  void batchnorm();
  void layernorm();
  void activation(const char* act);
  // PyTorch pooling: floor (or ceil) of (H + 2*pad - k)/stride + 1.
  void maxpool(int k, int stride, int pad = 0, bool ceil_mode = false);
  // Darknet maxpool: implicit total padding k-1, out = (H + k-1 - k)/stride + 1.
  void maxpool_darknet(int k, int stride);
  void adaptive_avgpool(int64_t oh, int64_t ow);
  void add();  // residual add into cur (shapes must match; free)
  // Squeeze-excite: global avg pool, 1x1 conv C->squeeze (+bias) + act, 1x1 conv squeeze->C
  // (+bias) + gate, channel-wise multiply.
  void squeeze_excite(int64_t squeeze, const char* act, const char* gate);
  // Channel concat of several image tensors with equal H,W (cur becomes the result).
  void concat(const std::vector<Shape>& parts);
  void upsample(int factor);
  // Image (C,H,W) -> sequence (H*W tokens x C): ViT patch tokens.
  void to_tokens();
  // Prepends `n` learned tokens (ViT class token): params n*dim.
  void prepend_tokens(int64_t n);
  // Adds a learned tensor / lookup table of `rows` x dim to the sequence (pos-embedding, BERT
  // tables). Params rows*dim; free.
  void embedding(const std::string& what, int64_t rows, int64_t dim);
  void select_token();  // keep token 0 ([CLS]); data movement only
  // Multi-head self-attention on a sequence: packed QKV projection, Q·K^T, softmax, A·V, output
  // projection (all with bias).
  void self_attention(int heads);
  // Transformer encoder block: pre-norm (ViT) or post-norm (BERT), MLP with `act`.
  void transformer_block(int heads, int64_t mlp_dim, const char* act, bool pre_norm);
  // A data-movement-only op (YOLO decode, flatten) recorded for completeness.
  void reshape(const std::string& detail, const Shape& out);
  // Marks that the current row reads the output of `row` (a skip across rows, e.g. YOLO route),
  // so cuts between them must also ship it.
  void uses_row_output(int row);

 private:
  OpShape& push(OpKind kind, const Shape& out);
  void close_row();

  ModelProfile model_;
  Shape cur_;
  std::vector<Shape> row_out_;          // output shape per closed row
  std::vector<int> last_consumer_;       // last row reading each row's output (default: next row)
  bool row_open_ = false;
};

// torchvision's _make_divisible: round channels to a multiple of `divisor`, not below 90 %.
int64_t make_divisible(double v, int64_t divisor = 8);

}  // namespace ce
