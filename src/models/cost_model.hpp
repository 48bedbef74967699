#pragma once
// How long rows [first, last] of a model take on a host, at the host's pstate 0. Two paths:
//  * rates (always available): Σ MACs / rate(host, row type) + layer_overhead per row;
//  * op costs (a calibrated host, `op_costs`, and a model with row_ops, i.e. zoo models): each
//    row is the sum over its primitive ops of per_mac·MACs + per_byte·bytes + fixed of the op's
//    class. layer_overhead is not added there: the per-op `fixed` terms already carry dispatch
//    costs. An op whose class the host does not list falls back to MACs / rate(row type).
// Policies use it to predict; sim/ turns it into a SimGrid flop amount (time × pstate-0 speed),
// so slower pstates stretch it by the speed ratio.
#include <cstddef>
#include <string>

#include "config/platform_spec.hpp"
#include "models/model_profile.hpp"

namespace ce {

// MAC/s of `host` for rows of `type`: rates[type], else rates["default"], else speed / 2
// (one MAC = two flops) at pstate 0.
double mac_rate(const HostSpec& host, const std::string& type);
double stage_seconds(const HostSpec& host, const ModelProfile& m, size_t first, size_t last);
constexpr double kNominalPromptTokens = 1024, kNominalOutputTokens = 128;
// On an accelerator host (HostSpec::accelerator) it is the device's table instead: the latency of a
// batch of 1 in the host's initial power mode, times the stage's share of the model's MACs (1 for
// the whole model); +inf when the device has no table for the model (a stage placed there is
// rejected, docs/inputs.md "Accelerators").
// A language model (ModelProfile::llm) costs per request, by its tokens (models/llm_cost.hpp): here,
// for policies' estimates, a nominal request of kNominalPromptTokens and kNominalOutputTokens alone
// on an LLM engine host in its initial mode; +inf on any other host, and for any other model on an
// LLM engine host.
// SimGrid execution amount (flops at the host's pstate-0 speed) for the same rows.
double stage_flops(const HostSpec& host, const ModelProfile& m, size_t first, size_t last);
// A batch of `batch` stages of rows [first, last] of m on accelerator host `host` in power mode
// `mode`: the table's latency × stage_share, and the device's power while it runs alone.
BatchCost accelerator_cost(const HostSpec& host, const ModelProfile& m, size_t first, size_t last, uint32_t batch,
                           uint32_t mode);
// Dynamic energy (J above the idle power) of rows [first, last] of m running alone on `host` in
// pstate (power mode) `pstate`, where the device itself says what it draws: an accelerator's table
// at batch 1, an LLM engine's nominal request (kNominal*: its prefill and decode phases' power).
// NaN on a flop-rated host, whose pstate power model the caller applies (HostSpec::power_w).
double stage_dynamic_energy(const HostSpec& host, const ModelProfile& m, size_t first, size_t last, uint32_t pstate);
// Rows [first, last]'s share of the model's MACs (1 for the whole model).
double stage_share(const ModelProfile& m, size_t first, size_t last);
// Bytes of weights a stage must hold in memory (fp32 parameters; a language model's at its precision).
double stage_weight_bytes(const ModelProfile& m, size_t first, size_t last);

// Cost class of a primitive op (the key of HostSpec::op_costs): conv (dense conv2d), dwconv
// (depthwise), gconv (other grouped conv), linear, matmul, pool, norm (batch/layer norm),
// act (relu-like activations), act_exp (exp-based: silu, sigmoid, gelu, tanh, softmax),
// memory (add, mul, concat, upsample, embedding, reshape: data movement).
std::string op_cost_class(const OpShape& op);
// fp32 bytes an op reads and writes: inputs + outputs + parameters, plus the im2col matrix
// (written, then read) of a dense/grouped conv that is not a plain 1x1.
double op_bytes_moved(const OpShape& op);
// Seconds of one op under `c`.
inline double op_seconds(const OpCost& c, const OpShape& op) {
  return c.per_mac * static_cast<double>(op.macs) + c.per_byte * op_bytes_moved(op) + c.fixed;
}
// Seconds of one row (index i of m) on host: the op path when it applies, else the rates path.
double row_seconds(const HostSpec& host, const ModelProfile& m, size_t i);

}  // namespace ce
