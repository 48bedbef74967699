#pragma once
// `carbonedge calibrate --llm`: times decode (GEMV) and prefill (GEMM) at the real shapes of the
// decoder-only models (models/llm_architecture.hpp) on this CPU, per weight precision, and derives
// the effective decode bandwidth (weight bytes per second), a fixed per-token overhead where a
// two-parameter fit supports it, and the effective prefill FLOP/s. Layers of a model are
// identical, so one layer is timed and scaled by L; the smallest models are then run whole (all L
// layers' GEMVs and the LM head for one token) to check the prediction against a real token.
#include <map>
#include <string>
#include <vector>

#include "calibration/llm_kernels.hpp"
#include "calibration/timing.hpp"

namespace ce::calib {

struct LlmCalibrationOptions {
  std::vector<std::string> models;            // architectures timed (default: every llm_architectures())
  std::vector<std::string> prefill_models;    // GEMMs timed on these (empty = all of `models`)
  std::vector<int64_t> prefill_tokens;        // prompt lengths P
  int whole_models = 2;                       // the N smallest of `models` also run whole
  RepeatPolicy decode_reps, prefill_reps, whole_reps;
  int threads = 1;
  bool fast = false;
  uint64_t seed = 1;
  bool progress = true;

  static LlmCalibrationOptions full();
  static LlmCalibrationOptions fast_mode();
};

// One timed kernel: a layer's 7 GEMVs or the LM head (decode), or one matrix's GEMM (prefill).
struct LlmKernelTiming {
  std::string model, precision, phase, what;  // phase: decode | prefill; what: layer | lm_head | q | ...
  int64_t tokens = 1;
  double weights = 0, bytes = 0, flops = 0;   // weight count, weight bytes read, 2·tokens·weights
  TimingStats time;
};

// t = overhead + bytes / bandwidth, fitted over models with relative weights (1/t²): the models
// span 0.5-7.6 B parameters, and a plain fit would be decided by the largest ones alone.
struct DecodeFit {
  int samples = 0;
  double intercept_s = 0, bandwidth_two = 0;  // unconstrained two-parameter fit
  double bandwidth_one = 0;                   // fit through the origin
  double rms_rel_two = 0, rms_rel_one = 0;    // RMS relative residual of each
  bool overhead_kept = false;                 // intercept > 0 and it lowers the residual by ≥ 20 %
  double overhead_s() const { return overhead_kept ? intercept_s : 0; }
  double bandwidth() const { return overhead_kept ? bandwidth_two : bandwidth_one; }
  double predict(double bytes) const { return overhead_s() + bytes / bandwidth(); }
};
DecodeFit fit_decode(const std::vector<double>& bytes, const std::vector<double>& seconds);

// One model × precision at batch 1.
struct LlmModelDecode {
  std::string model, precision;
  uint32_t layers = 0;
  double weight_bytes = 0;      // streamed per token (llm_token_weights × bytes per weight)
  double layer_s = 0, head_s = 0;
  double sum_s() const { return layers * layer_s + head_s; }  // the fit's sample
  double predicted_s = 0;       // from the precision's fit
  bool whole = false;           // measured whole: every layer in memory, one token through all
  TimingStats whole_time;
  double checksum = 0;
};

struct LlmPrecisionProfile {
  DecodeFit decode;
  double prefill_flop = 0, prefill_s = 0;  // summed over the timed GEMMs (medians)
  double flops() const { return prefill_s > 0 ? prefill_flop / prefill_s : 0; }
};

struct LlmCalibrationResult {
  LlmCalibrationOptions options;
  int threads_requested = 1, threads_effective = 1;
  std::string simd, clock, started_utc, int8_kernel;
  double load_before = 0, load_after = 0, duration_s = 0;
  std::vector<LlmKernelTiming> timings;
  std::vector<LlmModelDecode> decode;
  std::map<std::string, LlmPrecisionProfile> profiles;  // "fp32", "int8"
};

LlmCalibrationResult run_llm_calibration(const LlmCalibrationOptions& opt);

}  // namespace ce::calib
