#pragma once
// An accelerator host kind (docs/inputs.md "Accelerators"): a device (edge GPU, NPU, Edge TPU) whose
// cost is measured per model, per batch size and per power mode instead of derived from flops.
// Read from platforms/accelerators/<name>.yaml, which a host names with `accelerator:`.
//
//  - power modes (nvpmodel's MAXN/15W/…) are the host's pstates, in the file's order; a policy
//    switches them with SetPstate. Each has its idle wall power;
//  - per model and mode, a table over batch sizes: the latency of a batch of that size running
//    alone, and the device's wall power meanwhile. Between table points both are interpolated
//    linearly; the last point is the largest batch the model runs at;
//  - sharing: `ps` — batches running at once share the device equally (GPU time slicing: the
//    processor-sharing model of arXiv 2201.07312, validated there within a few %); `exclusive` —
//    one batch at a time, FIFO across models, plus the model's `switch` time when the previous
//    batch was of another model (the Edge TPU's parameter-cache swap, same paper).
// A batch's dynamic energy is (power − idle) × latency at the mode in force when it starts,
// whatever it shares the device with: under processor sharing it runs k times longer at 1/k of
// that power.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ce {

struct BatchTable {
  std::vector<uint32_t> batch;  // strictly increasing, from 1
  std::vector<double> latency;  // s, non-decreasing
  std::vector<double> power;    // W wall, >= the mode's idle power
};

// Cost of one batch running alone on the device.
struct BatchCost {
  double seconds = 0;
  double power_w = 0;  // wall power while it runs
};

struct AcceleratorModel {
  double switch_s = 0;              // exclusive sharing: model swap-in time
  // Device memory one request of a batch needs beyond the weights (activations, I/O buffers); with
  // the device's memory it caps the batch: weights + n × this <= memory. 0: not limited.
  double activation_bytes = 0;
  std::vector<BatchTable> by_mode;  // [mode]
  uint32_t max_batch() const { return by_mode.empty() ? 1 : by_mode[0].batch.back(); }
};

struct PowerMode {
  std::string name;
  double idle_w = 0;
  std::string source;
};

// A device's LLM engine in one power mode (the `llm:` section, docs/inputs.md "LLM serving"): an
// iteration of continuous batching takes overhead + max(FLOPs / flops, bytes read / bandwidth)
// (a roofline: decode reads the weights and KV cache, prefill multiplies through them) and the device
// draws prefill_w while an iteration holds prompt tokens, decode_w otherwise (Splitwise's
// phase-constant power). Rates by weight precision, index = models' WeightPrecision (fp16, int8,
// int4): what the device's kernels reach, not its datasheet peaks.
struct LlmModeRates {
  double bandwidth[3] = {0, 0, 0};  // B/s
  double flops[3] = {0, 0, 0};      // FLOP/s
  double overhead_s[3] = {0, 0, 0};
  double prefill_w = 0, decode_w = 0;  // wall W, >= the mode's idle
  std::string source;
};

struct AcceleratorSpec {
  enum class Sharing : uint8_t { Ps, Exclusive };
  std::string name, file, source;
  Sharing sharing = Sharing::Ps;
  double memory_bytes = 0;  // 0: not given
  std::vector<PowerMode> modes;
  std::map<std::string, AcceleratorModel> models;  // by zoo model name
  std::vector<LlmModeRates> llm;  // [mode]; empty: the device runs no language model

  const AcceleratorModel* find(const std::string& model) const {
    auto it = models.find(model);
    return it == models.end() ? nullptr : &it->second;
  }
  int mode_index(const std::string& name) const;  // -1 if none
  std::string mode_names() const;                 // "MaxQ, MAXN" (for errors)
  // A batch of `batch` requests alone on the device, interpolated between the table's points
  // (clamped to its first and last).
  static BatchCost cost(const BatchTable& t, uint32_t batch);
};

// Loads and checks a profile; every error names the file and key (InputError).
std::shared_ptr<const AcceleratorSpec> load_accelerator(const std::string& path);

// The flop rate sim/ gives an accelerator's SimGrid host in every mode: executions are sized as
// seconds × this, so the device's speed never depends on the mode a batch did not start in.
constexpr double kAcceleratorSpeed = 1e9;

}  // namespace ce
