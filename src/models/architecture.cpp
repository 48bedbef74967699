#include "models/architecture.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ce {

const char* op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::Conv2d: return "conv2d";
    case OpKind::Linear: return "linear";
    case OpKind::MatMul: return "matmul";
    case OpKind::MaxPool: return "maxpool";
    case OpKind::AvgPool: return "avgpool";
    case OpKind::BatchNorm: return "batchnorm";
    case OpKind::LayerNorm: return "layernorm";
    case OpKind::Activation: return "activation";
    case OpKind::Softmax: return "softmax";
    case OpKind::Add: return "add";
    case OpKind::Mul: return "mul";
    case OpKind::Concat: return "concat";
    case OpKind::Embedding: return "embedding";
    case OpKind::Upsample: return "upsample";
    case OpKind::Reshape: return "reshape";
  }
  return "?";
}

int64_t make_divisible(double v, int64_t divisor) {
  int64_t nv = std::max(divisor, static_cast<int64_t>(v + divisor / 2.0) / divisor * divisor);
  if (static_cast<double>(nv) < 0.9 * v) nv += divisor;
  return nv;
}

namespace {
[[noreturn]] void arch_error(const std::string& model, const std::string& what) {
  throw std::logic_error("architecture " + model + ": " + what);
}
uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }
}  // namespace

ArchBuilder::ArchBuilder(std::string name, std::string family, Shape input) : cur_(input) {
  model_.name = std::move(name);
  model_.family = std::move(family);
  LayerProfile in;
  in.name = "input";
  in.type = "input";
  in.out_elems = input.elems();
  model_.layers.push_back(in);
  model_.row_ops.emplace_back();  // the input row runs nothing
  row_out_.push_back(input);
  last_consumer_.push_back(1);
}

void ArchBuilder::close_row() {
  if (!row_open_) return;
  LayerProfile& l = model_.layers.back();
  l.out_elems = cur_.elems();
  for (const auto& op : model_.row_ops.back()) {
    l.macs += op.macs;
    l.params += op.params;
  }
  row_out_.push_back(cur_);
  last_consumer_.push_back(current_row() + 1);
  row_open_ = false;
}

void ArchBuilder::row(const std::string& name, const std::string& type) {
  close_row();
  LayerProfile l;
  l.name = name;
  l.type = type;
  model_.layers.push_back(l);
  model_.row_ops.emplace_back();
  row_open_ = true;
}

ModelProfile ArchBuilder::finish(double top1, double top5) {
  close_row();
  // A cut after row r must ship, besides row r's own output, every earlier output still read by
  // a row after r (YOLO routes). Chains and per-block rows never have such outputs.
  const int n = static_cast<int>(model_.layers.size());
  for (int r = 0; r < n; ++r) {
    uint64_t extra = 0;
    for (int i = 0; i < r; ++i)
      if (last_consumer_[static_cast<size_t>(i)] > r) extra += model_.layers[static_cast<size_t>(i)].out_elems;
    model_.layers[static_cast<size_t>(r)].extra_live_elems = extra;
  }
  model_.top1 = top1;
  model_.top5 = top5;
  return model_;
}

void ArchBuilder::uses_row_output(int r) {
  if (r < 0 || r >= current_row()) arch_error(model_.name, "route to a row not yet closed");
  auto& lc = last_consumer_.at(static_cast<size_t>(r));
  lc = std::max(lc, current_row());
}

OpShape& ArchBuilder::push(OpKind kind, const Shape& out) {
  if (!row_open_) arch_error(model_.name, "op appended before the first row()");
  OpShape op;
  op.kind = kind;
  op.in_c = cur_.is_seq() ? cur_.dim : cur_.c;
  op.in_h = cur_.is_seq() ? cur_.tokens : cur_.h;
  op.in_w = cur_.is_seq() ? 1 : cur_.w;
  op.out_c = out.is_seq() ? out.dim : out.c;
  op.out_h = out.is_seq() ? out.tokens : out.h;
  op.out_w = out.is_seq() ? 1 : out.w;
  op.out_elems = out.elems();
  auto& ops = model_.row_ops.back();
  ops.push_back(op);
  cur_ = out;
  return ops.back();
}

void ArchBuilder::conv(int64_t out_c, int k, int stride, int pad, int groups, bool bias, bool bn,
                       const char* act) {
  if (cur_.is_seq()) arch_error(model_.name, "conv on a sequence");
  if (cur_.c % groups != 0 || out_c % groups != 0) arch_error(model_.name, "bad conv groups");
  const int64_t oh = (cur_.h + 2 * pad - k) / stride + 1;
  const int64_t ow = (cur_.w + 2 * pad - k) / stride + 1;
  const int64_t cin = cur_.c;
  OpShape& op = push(OpKind::Conv2d, Shape::image(out_c, oh, ow));
  op.k = k;
  op.stride = stride;
  op.pad = pad;
  op.groups = groups;
  op.bias = bias;
  const uint64_t per_out = u(k) * u(k) * u(cin / groups);  // MACs per output element
  op.macs = per_out * u(out_c) * u(oh) * u(ow);
  op.params = per_out * u(out_c) + (bias ? u(out_c) : 0);
  // GEMM view of the conv (im2col): [out_c/groups x per_out] · [per_out x oh*ow], groups times.
  op.batch = groups;
  op.m = out_c / groups;
  op.k_dim = static_cast<int64_t>(per_out);
  op.n = oh * ow;
  if (bn) batchnorm();
  if (act) activation(act);
}

void ArchBuilder::linear(int64_t out, bool bias, const char* act) {
  // A sequence is tokens x dim; anything else is flattened to one row of c*h*w features.
  const int64_t rows = cur_.is_seq() ? cur_.tokens : 1;
  const int64_t in = cur_.is_seq() ? cur_.dim : cur_.c * cur_.h * cur_.w;
  OpShape& op = push(OpKind::Linear, cur_.is_seq() ? Shape::seq(rows, out) : Shape::image(out, 1, 1));
  op.bias = bias;
  op.m = rows;
  op.k_dim = in;
  op.n = out;
  op.macs = u(rows) * u(in) * u(out);
  op.params = u(in) * u(out) + (bias ? u(out) : 0);
  if (act) activation(act);
}

void ArchBuilder::batchnorm() {
  if (cur_.is_seq()) arch_error(model_.name, "batchnorm on a sequence");
  OpShape& op = push(OpKind::BatchNorm, cur_);
  op.params = 2 * u(cur_.c);  // gamma, beta (running stats are buffers)
}

void ArchBuilder::layernorm() {
  if (!cur_.is_seq()) arch_error(model_.name, "layernorm on an image");
  OpShape& op = push(OpKind::LayerNorm, cur_);
  op.params = 2 * u(cur_.dim);
}

void ArchBuilder::activation(const char* act) { push(OpKind::Activation, cur_).detail = act; }

void ArchBuilder::maxpool(int k, int stride, int pad, bool ceil_mode) {
  auto out_dim = [&](int64_t in) {
    const int64_t span = in + 2 * pad - k;
    int64_t o = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    // PyTorch: with ceil_mode the last window must start inside the (left-padded) input.
    if (ceil_mode && (o - 1) * stride >= in + pad) --o;
    return o;
  };
  OpShape& op = push(OpKind::MaxPool, Shape::image(cur_.c, out_dim(cur_.h), out_dim(cur_.w)));
  op.k = k;
  op.stride = stride;
  op.pad = pad;
  if (ceil_mode) op.detail = "ceil";
}

void ArchBuilder::maxpool_darknet(int k, int stride) {
  const int64_t oh = (cur_.h + (k - 1) - k) / stride + 1;
  const int64_t ow = (cur_.w + (k - 1) - k) / stride + 1;
  OpShape& op = push(OpKind::MaxPool, Shape::image(cur_.c, oh, ow));
  op.k = k;
  op.stride = stride;
  op.detail = "darknet";  // padding k-1 in total, on the bottom/right
}

void ArchBuilder::adaptive_avgpool(int64_t oh, int64_t ow) {
  push(OpKind::AvgPool, Shape::image(cur_.c, oh, ow)).detail = "adaptive";
}

void ArchBuilder::add() { push(OpKind::Add, cur_); }

void ArchBuilder::squeeze_excite(int64_t squeeze, const char* act, const char* gate) {
  const Shape x = cur_;
  adaptive_avgpool(1, 1);
  conv(squeeze, 1, 1, 0, 1, /*bias=*/true, false, act);
  conv(x.c, 1, 1, 0, 1, /*bias=*/true, false, gate);
  cur_ = x;
  push(OpKind::Mul, x).detail = "se_scale";
}

void ArchBuilder::concat(const std::vector<Shape>& parts) {
  Shape out = parts.at(0);
  out.c = 0;
  for (const auto& p : parts) {
    if (p.is_seq() || p.h != out.h || p.w != out.w) arch_error(model_.name, "concat shape mismatch");
    out.c += p.c;
  }
  push(OpKind::Concat, out);
}

void ArchBuilder::upsample(int factor) {
  OpShape& op = push(OpKind::Upsample, Shape::image(cur_.c, cur_.h * factor, cur_.w * factor));
  op.stride = factor;
  op.detail = "nearest";
}

void ArchBuilder::to_tokens() {
  push(OpKind::Reshape, Shape::seq(cur_.h * cur_.w, cur_.c)).detail = "patches_to_tokens";
}

void ArchBuilder::prepend_tokens(int64_t n) {
  OpShape& op = push(OpKind::Embedding, Shape::seq(cur_.tokens + n, cur_.dim));
  op.detail = "class_token";
  op.params = u(n) * u(op.out_c);
}

void ArchBuilder::embedding(const std::string& what, int64_t rows, int64_t dim) {
  const int64_t tokens = cur_.tokens;
  OpShape& op = push(OpKind::Embedding, Shape::seq(tokens, dim));
  op.detail = what;
  op.m = rows;  // table rows
  op.params = u(rows) * u(dim);
}

void ArchBuilder::select_token() { push(OpKind::Reshape, Shape::seq(1, cur_.dim)).detail = "select_cls"; }

void ArchBuilder::self_attention(int heads) {
  if (!cur_.is_seq() || cur_.dim % heads != 0) arch_error(model_.name, "bad attention shape");
  const int64_t t = cur_.tokens, d = cur_.dim, hd = d / heads;
  linear(3 * d);  // packed Q,K,V projection
  // scores = Q·K^T per head: heads x [t x hd]·[hd x t]
  OpShape& qk = push(OpKind::MatMul, Shape::seq(t, heads * t));
  qk.detail = "qk";
  qk.batch = heads;
  qk.m = t;
  qk.k_dim = hd;
  qk.n = t;
  qk.macs = u(heads) * u(t) * u(t) * u(hd);
  push(OpKind::Softmax, cur_);
  // context = A·V per head: heads x [t x t]·[t x hd]
  OpShape& av = push(OpKind::MatMul, Shape::seq(t, d));
  av.detail = "av";
  av.batch = heads;
  av.m = t;
  av.k_dim = t;
  av.n = hd;
  av.macs = u(heads) * u(t) * u(t) * u(hd);
  linear(d);  // output projection
}

void ArchBuilder::transformer_block(int heads, int64_t mlp_dim, const char* act, bool pre_norm) {
  const int64_t d = cur_.dim;
  if (pre_norm) layernorm();
  self_attention(heads);
  add();
  if (!pre_norm) layernorm();
  if (pre_norm) layernorm();
  linear(mlp_dim, true, act);
  linear(d);
  add();
  if (!pre_norm) layernorm();
}

void ArchBuilder::reshape(const std::string& detail, const Shape& out) {
  push(OpKind::Reshape, out).detail = detail;
}

}  // namespace ce
