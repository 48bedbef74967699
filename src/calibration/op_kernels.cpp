#include "calibration/op_kernels.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>

namespace ce::calib {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using CMap = Eigen::Map<const RowMat>;
using MMap = Eigen::Map<RowMat>;
using CStrided = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
using MStrided = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;
using CArr = Eigen::Map<const Eigen::ArrayXf>;
using MArr = Eigen::Map<Eigen::ArrayXf>;

[[noreturn]] void bad(const OpShape& op, const char* what) {
  throw std::logic_error(std::string("calibration kernel ") + op_kind_name(op.kind) + ": " + what);
}

uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }

}  // namespace

void fill_random(Tensor& t, uint64_t seed, float lo, float hi) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (float& x : t.v) x = d(gen);
}

Tensor make_output(const OpShape& op) { return Tensor(op.out_c, op.out_h, op.out_w); }

OpKernel::OpKernel(const OpShape& op, uint64_t seed) : op_(op) {
  switch (op.kind) {
    case OpKind::Conv2d: {
      const int64_t kd = op.in_c / op.groups * op.k * op.k;
      weight_ = Tensor(op.out_c, kd, 1);
      const float a = std::sqrt(6.f / static_cast<float>(kd));
      fill_random(weight_, seed, -a, a);
      if (op.groups != op.in_c && !(op.k == 1 && op.stride == 1 && op.pad == 0))
        col_.resize(static_cast<size_t>(kd * op.out_h * op.out_w));
      executed_macs_ = op.groups == op.in_c && op.out_c == op.in_c
                           ? u(op.out_c) * u(op.out_h) * u(op.out_w) * u(op.k) * u(op.k)  // nominal taps
                           : u(op.out_c) * u(kd) * u(op.out_h) * u(op.out_w);             // GEMM MACs
      break;
    }
    case OpKind::Linear: {
      weight_ = Tensor(op.n, op.k_dim, 1);
      const float a = std::sqrt(6.f / static_cast<float>(op.k_dim));
      fill_random(weight_, seed, -a, a);
      executed_macs_ = u(op.m) * u(op.k_dim) * u(op.n);
      break;
    }
    case OpKind::MatMul: executed_macs_ = u(op.batch) * u(op.m) * u(op.k_dim) * u(op.n); break;
    case OpKind::BatchNorm:
      weight_ = Tensor(op.out_c, 1, 1);
      aux_ = Tensor(op.out_c, 1, 1);
      fill_random(weight_, seed, 0.8f, 1.2f);
      fill_random(aux_, seed + 1, -0.1f, 0.1f);
      break;
    case OpKind::LayerNorm:
      weight_ = Tensor(op.out_c, 1, 1);
      aux_ = Tensor(op.out_c, 1, 1);
      fill_random(weight_, seed, 0.8f, 1.2f);
      fill_random(aux_, seed + 1, -0.1f, 0.1f);
      break;
    case OpKind::Embedding:
      if (op.detail == "class_token") aux_ = Tensor(op.out_c, 1, 1);
      else aux_ = Tensor(op.out_c, std::max<int64_t>(op.m, op.out_h), 1);  // table rows x dim
      fill_random(aux_, seed, -0.1f, 0.1f);
      break;
    default: break;
  }
  if (op.bias && (op.kind == OpKind::Conv2d || op.kind == OpKind::Linear)) {
    bias_ = Tensor(op.kind == OpKind::Conv2d ? op.out_c : op.n, 1, 1);
    fill_random(bias_, seed + 2, -0.05f, 0.05f);
  }
}

std::vector<Tensor> OpKernel::example_inputs(uint64_t seed) const {
  std::vector<Tensor> ins;
  auto add = [&](int64_t c, int64_t h, int64_t w) {
    ins.emplace_back(c, h, w);
    fill_random(ins.back(), seed + ins.size());
  };
  switch (op_.kind) {
    case OpKind::Add: add(op_.out_c, op_.out_h, op_.out_w); add(op_.out_c, op_.out_h, op_.out_w); break;
    case OpKind::Mul: add(op_.out_c, op_.out_h, op_.out_w); add(op_.out_c, 1, 1); break;
    case OpKind::Concat: {  // two parts: the recorded last part and the rest
      const int64_t rest = op_.out_c - op_.in_c;
      if (rest > 0) add(rest, op_.out_h, op_.out_w);
      add(op_.in_c, op_.out_h, op_.out_w);
      break;
    }
    case OpKind::MatMul:
      if (op_.detail == "qk") add(3 * op_.batch * op_.k_dim, op_.m, 1);
      else if (op_.detail == "av") { add(op_.in_c, op_.in_h, op_.in_w); add(3 * op_.batch * op_.n, op_.m, 1); }
      else { add(op_.batch * op_.m * op_.k_dim, 1, 1); add(op_.batch * op_.k_dim * op_.n, 1, 1); }
      break;
    default: add(op_.in_c, op_.in_h, op_.in_w); break;
  }
  return ins;
}

void OpKernel::conv(const Tensor& x, Tensor& y) {
  const int64_t g = op_.groups, cg = op_.in_c / g, og = op_.out_c / g, k = op_.k, s = op_.stride, p = op_.pad;
  const int64_t H = x.h, W = x.w, OH = y.h, OW = y.w, N = OH * OW, kd = cg * k * k;
  const bool direct = k == 1 && s == 1 && p == 0;
  for (int64_t gi = 0; gi < g; ++gi) {
    const float* src = x.v.data() + gi * cg * H * W;
    const float* colp = src;
    if (!direct) {  // im2col (Caffe layout): row (c,ky,kx), column (oy,ox); zeros in the padding
      float* col = col_.data();
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t ky = 0; ky < k; ++ky)
          for (int64_t kx = 0; kx < k; ++kx) {
            float* row = col + ((c * k + ky) * k + kx) * N;
            for (int64_t oy = 0; oy < OH; ++oy) {
              const int64_t iy = oy * s - p + ky;
              float* dst = row + oy * OW;
              if (iy < 0 || iy >= H) {
                std::fill(dst, dst + OW, 0.f);
                continue;
              }
              const float* in_row = src + (c * H + iy) * W;
              for (int64_t ox = 0; ox < OW; ++ox) {
                const int64_t ix = ox * s - p + kx;
                dst[ox] = (ix >= 0 && ix < W) ? in_row[ix] : 0.f;
              }
            }
          }
      colp = col;
    }
    CMap wm(weight_.v.data() + gi * og * kd, og, kd);
    CMap cm(colp, kd, N);
    MMap ym(y.v.data() + gi * og * N, og, N);
    ym.noalias() = wm * cm;
  }
  if (!bias_.v.empty())
    for (int64_t c = 0; c < op_.out_c; ++c) MArr(y.v.data() + c * N, N) += bias_.v[static_cast<size_t>(c)];
}

void OpKernel::depthwise(const Tensor& x, Tensor& y) {
  const int64_t k = op_.k, s = op_.stride, p = op_.pad, H = x.h, W = x.w, OH = y.h, OW = y.w;
  for (int64_t c = 0; c < op_.out_c; ++c) {
    float* out = y.v.data() + c * OH * OW;
    std::fill(out, out + OH * OW, bias_.v.empty() ? 0.f : bias_.v[static_cast<size_t>(c)]);
    const float* in = x.v.data() + c * H * W;
    const float* wk = weight_.v.data() + c * k * k;
    for (int64_t ky = 0; ky < k; ++ky)
      for (int64_t kx = 0; kx < k; ++kx) {
        const float wv = wk[ky * k + kx];
        // Output columns whose tap lands inside the row: padding taps contribute zero.
        const int64_t lo = std::max<int64_t>(0, (p - kx + s - 1) / s);
        const int64_t hi = std::min<int64_t>(OW - 1, (W - 1 + p - kx) / s);
        for (int64_t oy = 0; oy < OH; ++oy) {
          const int64_t iy = oy * s - p + ky;
          if (iy < 0 || iy >= H) continue;
          const float* in_row = in + iy * W;
          float* o = out + oy * OW;
          for (int64_t ox = lo; ox <= hi; ++ox) o[ox] += wv * in_row[ox * s - p + kx];
        }
      }
  }
}

void OpKernel::linear(const Tensor& x, Tensor& y) {
  if (x.elems() != op_.m * op_.k_dim) bad(op_, "input size");
  CMap xm(x.v.data(), op_.m, op_.k_dim);
  CMap wm(weight_.v.data(), op_.n, op_.k_dim);
  MMap ym(y.v.data(), op_.m, op_.n);
  ym.noalias() = xm * wm.transpose();
  if (!bias_.v.empty()) ym.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias_.v.data(), op_.n);
}

void OpKernel::matmul(const std::vector<const Tensor*>& ins, Tensor& y) {
  const int64_t b = op_.batch, m = op_.m, kd = op_.k_dim, n = op_.n;
  if (op_.detail == "qk") {  // per head: Q_h [t x hd] · K_h^T, scaled by 1/sqrt(hd)
    const int64_t d = b * kd;
    const float* qkv = ins.at(0)->v.data();
    const float scale = 1.f / std::sqrt(static_cast<float>(kd));
    for (int64_t h = 0; h < b; ++h) {
      CStrided q(qkv + h * kd, m, kd, Eigen::OuterStride<>(3 * d));
      CStrided kk(qkv + d + h * kd, n, kd, Eigen::OuterStride<>(3 * d));
      MMap sm(y.v.data() + h * m * n, m, n);
      sm.noalias() = (q * kk.transpose()) * scale;
    }
  } else if (op_.detail == "av") {  // per head: P_h [t x t] · V_h [t x hd] into columns of head h
    const int64_t d = b * n;
    const float* probs = ins.at(0)->v.data();
    const float* qkv = ins.at(1)->v.data();
    for (int64_t h = 0; h < b; ++h) {
      CMap pm(probs + h * m * kd, m, kd);
      CStrided v(qkv + 2 * d + h * n, kd, n, Eigen::OuterStride<>(3 * d));
      MStrided ym(y.v.data() + h * n, m, n, Eigen::OuterStride<>(d));
      ym.noalias() = pm * v;
    }
  } else {
    for (int64_t h = 0; h < b; ++h) {
      CMap am(ins.at(0)->v.data() + h * m * kd, m, kd);
      CMap bm(ins.at(1)->v.data() + h * kd * n, kd, n);
      MMap ym(y.v.data() + h * m * n, m, n);
      ym.noalias() = am * bm;
    }
  }
}

void OpKernel::pool(const Tensor& x, Tensor& y) {
  const int64_t H = x.h, W = x.w, OH = y.h, OW = y.w;
  const bool is_max = op_.kind == OpKind::MaxPool;
  const bool adaptive = op_.detail == "adaptive";
  const int64_t k = op_.k, s = op_.stride;
  const int64_t p = op_.detail == "darknet" ? (k - 1) / 2 : op_.pad;
  for (int64_t c = 0; c < y.c; ++c) {
    const float* in = x.v.data() + c * H * W;
    float* out = y.v.data() + c * OH * OW;
    for (int64_t oy = 0; oy < OH; ++oy) {
      int64_t y0, y1;
      if (adaptive) y0 = oy * H / OH, y1 = ((oy + 1) * H + OH - 1) / OH;
      else y0 = std::max<int64_t>(0, oy * s - p), y1 = std::min<int64_t>(H, oy * s - p + k);
      for (int64_t ox = 0; ox < OW; ++ox) {
        int64_t x0, x1;
        if (adaptive) x0 = ox * W / OW, x1 = ((ox + 1) * W + OW - 1) / OW;
        else x0 = std::max<int64_t>(0, ox * s - p), x1 = std::min<int64_t>(W, ox * s - p + k);
        float acc = is_max ? -INFINITY : 0.f;
        for (int64_t iy = y0; iy < y1; ++iy)
          for (int64_t ix = x0; ix < x1; ++ix) acc = is_max ? std::max(acc, in[iy * W + ix]) : acc + in[iy * W + ix];
        out[oy * OW + ox] = is_max ? acc : acc / static_cast<float>(std::max<int64_t>(1, (y1 - y0) * (x1 - x0)));
      }
    }
  }
}

void OpKernel::run(const std::vector<const Tensor*>& ins, Tensor& y) {
  const Tensor& x = *ins.at(0);
  const int64_t n_out = y.elems();
  switch (op_.kind) {
    case OpKind::Conv2d:
      if (op_.groups == op_.in_c && op_.out_c == op_.in_c) depthwise(x, y);
      else conv(x, y);
      return;
    case OpKind::Linear: linear(x, y); return;
    case OpKind::MatMul: matmul(ins, y); return;
    case OpKind::MaxPool:
    case OpKind::AvgPool: pool(x, y); return;
    case OpKind::BatchNorm: {
      const int64_t hw = y.h * y.w;
      for (int64_t c = 0; c < y.c; ++c)
        MArr(y.v.data() + c * hw, hw) = CArr(x.v.data() + c * hw, hw) * weight_.v[static_cast<size_t>(c)] +
                                        aux_.v[static_cast<size_t>(c)];
      return;
    }
    case OpKind::LayerNorm: {  // per token over dim (token-major)
      const int64_t d = y.c;
      auto g = Eigen::Map<const Eigen::ArrayXf>(weight_.v.data(), d), b = Eigen::Map<const Eigen::ArrayXf>(aux_.v.data(), d);
      for (int64_t t = 0; t < y.h; ++t) {
        CArr xi(x.v.data() + t * d, d);
        const float mean = xi.mean();
        const float var = (xi - mean).square().mean();
        MArr(y.v.data() + t * d, d) = (xi - mean) * (1.f / std::sqrt(var + 1e-5f)) * g + b;
      }
      return;
    }
    case OpKind::Activation: {
      CArr a(x.v.data(), n_out);
      MArr o(y.v.data(), n_out);
      const std::string& f = op_.detail;
      if (f == "relu") o = a.max(0.f);
      else if (f == "relu6") o = a.max(0.f).min(6.f);
      else if (f == "leaky") o = a.max(0.1f * a);  // = x > 0 ? x : 0.1x, branch-free
      else if (f == "hswish") o = a * (a + 3.f).max(0.f).min(6.f) * (1.f / 6.f);
      else if (f == "hsigmoid") o = (a + 3.f).max(0.f).min(6.f) * (1.f / 6.f);
      else if (f == "sigmoid") o = a.logistic();
      else if (f == "silu") o = a * a.logistic();
      else if (f == "tanh") o = a.tanh();
      else if (f == "gelu") o = 0.5f * a * (1.f + (0.7978845608f * (a + 0.044715f * a.cube())).tanh());
      else bad(op_, "unknown activation");
      return;
    }
    case OpKind::Softmax: {  // over rows of length in_h (attention: keys per query)
      const int64_t len = op_.in_h, rows = n_out / len;
      for (int64_t r = 0; r < rows; ++r) {
        CArr xi(x.v.data() + r * len, len);
        MArr o(y.v.data() + r * len, len);
        o = (xi - xi.maxCoeff()).exp();
        o *= 1.f / o.sum();
      }
      return;
    }
    case OpKind::Add: MArr(y.v.data(), n_out) = CArr(x.v.data(), n_out) + CArr(ins.at(1)->v.data(), n_out); return;
    case OpKind::Mul: {
      const int64_t hw = y.h * y.w;
      const float* gate = ins.at(1)->v.data();
      for (int64_t c = 0; c < y.c; ++c) MArr(y.v.data() + c * hw, hw) = CArr(x.v.data() + c * hw, hw) * gate[c];
      return;
    }
    case OpKind::Concat: {
      float* dst = y.v.data();
      for (const Tensor* t : ins) dst = std::copy(t->v.begin(), t->v.end(), dst);
      if (dst != y.v.data() + n_out) bad(op_, "parts do not fill the output");
      return;
    }
    case OpKind::Upsample: {
      const int64_t f = op_.stride, H = x.h, W = x.w;
      for (int64_t c = 0; c < y.c; ++c)
        for (int64_t oy = 0; oy < y.h; ++oy) {
          const float* in = x.v.data() + (c * H + oy / f) * W;
          float* o = y.v.data() + (c * y.h + oy) * y.w;
          for (int64_t ox = 0; ox < y.w; ++ox) o[ox] = in[ox / f];
        }
      return;
    }
    case OpKind::Embedding: {
      const int64_t d = y.c;
      if (op_.detail == "class_token") {  // token 0 = learned class token, then the input tokens
        std::copy(aux_.v.begin(), aux_.v.end(), y.v.begin());
        std::copy(x.v.begin(), x.v.end(), y.v.begin() + d);
        return;
      }
      const int64_t rows = aux_.h;
      for (int64_t t = 0; t < y.h; ++t) {  // gather: token ids (1-wide input) or positions
        int64_t r = x.c == 1 ? static_cast<int64_t>(std::fabs(x.v[static_cast<size_t>(t)]) * static_cast<float>(rows)) % rows
                             : t % rows;
        std::copy_n(aux_.v.data() + r * d, d, y.v.data() + t * d);
      }
      return;
    }
    case OpKind::Reshape:
      if (op_.detail == "patches_to_tokens") {  // CHW -> tokens x C
        const int64_t hw = x.h * x.w;
        MMap(y.v.data(), hw, x.c) = CMap(x.v.data(), x.c, hw).transpose();
      } else {
        std::copy_n(x.v.data(), std::min(x.elems(), n_out), y.v.data());
      }
      return;
  }
  bad(op_, "unsupported op");
}

}  // namespace ce::calib
