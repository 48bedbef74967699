#include "calibration/forward_pass.hpp"

#include <algorithm>
#include <stdexcept>

namespace ce::calib {

namespace {
// (A push loop rather than `ins = {...}`: GCC 12 raises a false -Wnonnull on the latter.)
void push_all(std::vector<const Tensor*>& v, std::initializer_list<const Tensor*> l) {
  for (const Tensor* t : l) v.push_back(t);
}
}  // namespace

Tensor* ForwardPass::fresh(int64_t c, int64_t h, int64_t w) {
  tensors_.push_back(std::make_unique<Tensor>(c, h, w));
  fill_random(*tensors_.back(), seed_ + tensors_.size());
  live_.push_back({tensors_.back().get()});
  ++fresh_inputs_;
  return tensors_.back().get();
}

ForwardPass::Live* ForwardPass::find(int64_t c, int64_t h, int64_t w, const Tensor* exclude, bool unconsumed_only) {
  for (auto it = live_.rbegin(); it != live_.rend(); ++it)
    if (!it->replaced && it->t != exclude && it->t->same_shape(c, h, w) && !(unconsumed_only && it->consumed))
      return &*it;
  return nullptr;
}

ForwardPass::ForwardPass(const ModelProfile& m, uint64_t seed) : seed_(seed) {
  Tensor* cur = nullptr;
  auto live_of = [&](const Tensor* t) -> Live* {
    for (auto& l : live_)
      if (l.t == t) return &l;
    return nullptr;
  };
  auto input_of_shape = [&](int64_t c, int64_t h, int64_t w) -> Tensor* {
    if (cur && cur->same_shape(c, h, w) && !live_of(cur)->replaced) return cur;
    if (Live* l = find(c, h, w, nullptr, false)) return l->t;
    return fresh(c, h, w);
  };
  for (size_t r = 1; r < m.row_ops.size(); ++r) {
    Tensor* row_input = cur;
    for (const OpShape& op : m.row_ops[r]) {
      kernels_.push_back(std::make_unique<OpKernel>(op, seed_ + 7919 * kernels_.size()));
      std::vector<const Tensor*> ins;
      switch (op.kind) {
        case OpKind::Add: {
          Tensor* a = input_of_shape(op.out_c, op.out_h, op.out_w);
          const Tensor* b = nullptr;
          if (Live* l = find(op.out_c, op.out_h, op.out_w, a, true)) b = l->t;
          else if (row_input && row_input != a && row_input->same_shape(op.out_c, op.out_h, op.out_w)) b = row_input;
          else if (Live* l2 = find(op.out_c, op.out_h, op.out_w, a, false)) b = l2->t;
          else b = fresh(op.out_c, op.out_h, op.out_w);
          push_all(ins, {a, b});
          break;
        }
        case OpKind::Mul: {
          const Tensor* gate = cur;
          if (!gate || gate->elems() != op.out_c) gate = input_of_shape(op.out_c, 1, 1);
          Live* x = find(op.out_c, op.out_h, op.out_w, gate, false);
          push_all(ins, {x ? x->t : fresh(op.out_c, op.out_h, op.out_w), gate});
          break;
        }
        case OpKind::Concat: {
          std::vector<const Tensor*> parts;
          int64_t ch = 0;
          for (bool unconsumed_only : {true, false}) {
            for (auto it = live_.rbegin(); it != live_.rend() && ch < op.out_c; ++it) {
              const Tensor* t = it->t;
              if (it->replaced || (unconsumed_only && it->consumed) || t->h != op.out_h || t->w != op.out_w) continue;
              if (std::find(parts.begin(), parts.end(), t) != parts.end() || ch + t->c > op.out_c) continue;
              parts.insert(parts.begin(), t);
              ch += t->c;
            }
          }
          if (ch != op.out_c) parts.push_back(fresh(op.out_c - ch, op.out_h, op.out_w));
          ins = std::move(parts);
          break;
        }
        case OpKind::MatMul:
          if (op.detail == "av")
            push_all(ins, {input_of_shape(op.in_c, op.in_h, op.in_w), input_of_shape(3 * op.batch * op.n, op.m, 1)});
          else if (op.detail == "qk")
            push_all(ins, {input_of_shape(3 * op.batch * op.k_dim, op.m, 1)});
          else
            push_all(ins, {input_of_shape(op.batch * op.m * op.k_dim, 1, 1), fresh(op.batch * op.k_dim * op.n, 1, 1)});
          break;
        default: {
          // Linear flattens an image (c*h*w features): accept any tensor of the right size.
          Tensor* x = nullptr;
          if (op.kind == OpKind::Linear && cur && cur->elems() == op.m * op.k_dim) x = cur;
          else x = input_of_shape(op.in_c, op.in_h, op.in_w);
          push_all(ins, {x});
          break;
        }
      }
      for (const Tensor* t : ins)
        if (Live* l = live_of(t)) {
          l->consumed = true;
          if (op.kind == OpKind::BatchNorm || op.kind == OpKind::Activation) l->replaced = true;
        }
      tensors_.push_back(std::make_unique<Tensor>(make_output(op)));
      cur = tensors_.back().get();
      live_.push_back({cur});
      steps_.push_back({kernels_.back().get(), ins, cur});
    }
  }
  if (steps_.empty()) throw std::logic_error("forward pass of " + m.name + ": the model has no row_ops");
}

void ForwardPass::run() {
  for (auto& s : steps_) s.kernel->run(s.ins, *s.out);
}

double ForwardPass::checksum() const {
  const Tensor& out = *steps_.back().out;
  double s = 0;
  for (float v : out.v) s += v;
  return s;
}

}  // namespace ce::calib
