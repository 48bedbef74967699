#pragma once
// An end-to-end forward pass of a zoo model on real tensors: the row_ops of every row, in order,
// each on the kernel of calibration/op_kernels.hpp, with every op's input taken from an earlier
// op's output (the plan is built once; run() re-executes it). How inputs are wired:
//  * a single-input op reads the previous op's output when its recorded input shape matches,
//    else the most recent live tensor of that shape (a ResNet downsample reads the block input,
//    a Fire expand3x3 the squeeze output, a YOLO route an earlier row's output);
//  * batch-norm and activations replace their input (it is no longer a candidate, as in-place);
//  * add: the previous op's output plus a parallel branch's unconsumed result of the same shape
//    (ResNet downsample), else the row's input (residual), else the most recent same-shape tensor;
//  * mul (squeeze-excite): the most recent tensor of the gated shape times the gate;
//  * concat: the most recent tensors with the output's H,W whose channels sum to out_c;
//  * attention: Q·K^T reads the packed QKV tensor, A·V the softmax output and the QKV tensor.
// The only tensor made up is the model input (random), plus any op input no earlier tensor
// matches (counted in fresh_inputs; 1 = just the model input).
#include <memory>
#include <vector>

#include "calibration/op_kernels.hpp"
#include "models/model_profile.hpp"

namespace ce::calib {

class ForwardPass {
 public:
  ForwardPass(const ModelProfile& m, uint64_t seed);
  void run();
  double checksum() const;   // depends on the final output (keeps the work observable)
  int fresh_inputs() const { return fresh_inputs_; }
  size_t op_count() const { return steps_.size(); }

 private:
  struct Live {
    Tensor* t;
    bool consumed = false, replaced = false;
  };
  struct Step {
    OpKernel* kernel;
    std::vector<const Tensor*> ins;
    Tensor* out;
  };
  Tensor* fresh(int64_t c, int64_t h, int64_t w);
  Live* find(int64_t c, int64_t h, int64_t w, const Tensor* exclude, bool unconsumed_only);

  std::vector<std::unique_ptr<Tensor>> tensors_;
  std::vector<std::unique_ptr<OpKernel>> kernels_;
  std::vector<Live> live_;
  std::vector<Step> steps_;
  uint64_t seed_;
  int fresh_inputs_ = 0;
};

}  // namespace ce::calib
