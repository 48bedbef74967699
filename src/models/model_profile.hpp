#pragma once
// A DNN as the simulator sees it: a chain of partitionable rows (layers for chain nets, blocks for
// nets with skip connections). Row 0 is the input tensor, so a cut "after row k" ships
// rows[k].out_elems * bytes_per_elem bytes, and k = 0 means "offload everything".
#include <cstdint>
#include <string>
#include <vector>

#include "models/op_shape.hpp"

namespace ce {

struct LlmArchitecture;

// A language model's weight precision (the zoo's LLM variants: name, name-int8, name-int4).
enum class WeightPrecision : uint8_t { Fp16, Int8, Int4 };
const char* precision_name(WeightPrecision p);
// A language model's rows: 0 the prompt, 1 its prefill, 2 its decode steps. A plan may cut after
// the prefill (phase splitting: the prompt's KV cache is shipped to the decode host).
constexpr size_t kLlmPrefillRow = 1, kLlmDecodeRow = 2;
// Bytes per weight as stored, group scales included: 2, 1, and 4.5 bits (int4 with one fp16 scale
// per 32 weights, llama.cpp Q4_0 / MLC q4f16_1's layout).
double bytes_per_weight(WeightPrecision p);

struct LayerProfile {
  std::string name;
  std::string type;  // conv, dwconv, dense, pool, bottleneck, basicblock, inverted_residual, mbconv,
                     // fire, transformer_block, embedding, input, ... (cost rates are keyed by it)
  uint64_t macs = 0;
  uint64_t params = 0;
  uint64_t out_elems = 0;
  // Extra elements a cut after this row must ship besides out_elems (YOLO route layers reuse
  // earlier outputs). 0 for plain chains.
  uint64_t extra_live_elems = 0;
};

struct ModelProfile {
  std::string name;    // e.g. resnet50
  std::string family;  // e.g. resnet (variants of one family are interchangeable for model selection)
  std::vector<LayerProfile> layers;  // layers[0] is the input row
  double top1 = 0;                   // ImageNet top-1 accuracy in percent (0 when not applicable)
  double top5 = 0;
  int bytes_per_elem = 4;            // fp32
  // Parallel to layers (kept out of LayerProfile so it stays a 6-field aggregate): row_ops[k] =
  // the primitive ops of layers[k] with their shapes; their macs/params sum to the row's. Filled
  // for zoo models (for kernel-level calibration); empty for models given only as totals.
  std::vector<std::vector<OpShape>> row_ops;
  // A decoder-only language model (models/llm_zoo.cpp): its architecture and weight precision. Its
  // cost depends on each request's prompt and output tokens, so it runs only on hosts with an LLM
  // engine (`scheduler: llm`); top1 holds its quality score (MMLU, percent). nullptr: not an LLM.
  const LlmArchitecture* llm = nullptr;
  WeightPrecision precision = WeightPrecision::Fp16;

  uint64_t total_macs() const;
  uint64_t total_params() const;
  // Bytes shipped when the model is cut after row k (0 <= k < layers.size()).
  double cut_bytes(size_t k) const;
  size_t row_count() const { return layers.size(); }  // including the input row
};

}  // namespace ce
