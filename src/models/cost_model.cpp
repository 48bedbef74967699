#include "models/cost_model.hpp"

#include <limits>

#include "models/llm_cost.hpp"

#include <algorithm>
#include <limits>

namespace ce {

double mac_rate(const HostSpec& host, const std::string& type) {
  if (auto it = host.rates.find(type); it != host.rates.end()) return it->second;
  if (auto it = host.rates.find("default"); it != host.rates.end()) return it->second;
  return host.pstates.at(0).speed / 2.0;
}

std::string op_cost_class(const OpShape& op) {
  switch (op.kind) {
    case OpKind::Conv2d:
      if (op.groups == 1) return "conv";
      if (op.groups == op.in_c && op.out_c == op.in_c) return "dwconv";
      return "gconv";
    case OpKind::Linear: return "linear";
    case OpKind::MatMul: return "matmul";
    case OpKind::MaxPool:
    case OpKind::AvgPool: return "pool";
    case OpKind::BatchNorm:
    case OpKind::LayerNorm: return "norm";
    case OpKind::Activation:
      if (op.detail == "silu" || op.detail == "sigmoid" || op.detail == "gelu" || op.detail == "tanh")
        return "act_exp";
      return "act";
    case OpKind::Softmax: return "act_exp";
    default: return "memory";
  }
}

double op_bytes_moved(const OpShape& op) {
  const double out = static_cast<double>(op.out_elems);
  const double in_img = static_cast<double>(op.in_c * op.in_h * op.in_w);
  double in = in_img;
  switch (op.kind) {
    case OpKind::Conv2d:
      if (!(op.k == 1 && op.stride == 1 && op.pad == 0) && op.groups != op.in_c)
        in += 2.0 * static_cast<double>(op.batch * op.k_dim * op.n);  // im2col write + read
      break;
    case OpKind::Linear: in = static_cast<double>(op.m * op.k_dim); break;
    case OpKind::MatMul: in = static_cast<double>(op.batch * (op.m * op.k_dim + op.k_dim * op.n)); break;
    case OpKind::Add: in = 2.0 * out; break;
    case OpKind::Mul: in = out + static_cast<double>(op.out_c); break;
    case OpKind::Concat:
    case OpKind::Embedding: in = out; break;
    default: break;
  }
  return 4.0 * (in + out + static_cast<double>(op.params));
}

double row_seconds(const HostSpec& host, const ModelProfile& m, size_t i) {
  const LayerProfile& l = m.layers[i];
  const bool op_path = !host.op_costs.empty() && m.row_ops.size() == m.layers.size() && !m.row_ops[i].empty();
  if (!op_path) return static_cast<double>(l.macs) / mac_rate(host, l.type) + host.layer_overhead_s;
  double t = 0;
  for (const OpShape& op : m.row_ops[i]) {
    auto it = host.op_costs.find(op_cost_class(op));
    t += it != host.op_costs.end() ? op_seconds(it->second, op)
                                   : static_cast<double>(op.macs) / mac_rate(host, l.type);
  }
  return t;
}

double stage_share(const ModelProfile& m, size_t first, size_t last) {
  // Rows [1, last row] — the whole model — sum the same MACs in the same order as all of them (row 0,
  // the input, has none): exactly 1, the table's own latency.
  const size_t end = std::min(last + 1, m.layers.size());
  double part = 0, all = 0;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const auto macs = static_cast<double>(m.layers[i].macs);
    all += macs;
    if (i >= first && i < end) part += macs;
  }
  if (all > 0) return part / all;
  return m.layers.empty() ? 1.0 : static_cast<double>(end - std::min(first, end)) / static_cast<double>(m.layers.size());
}

BatchCost accelerator_cost(const HostSpec& host, const ModelProfile& m, size_t first, size_t last, uint32_t batch,
                           uint32_t mode) {
  const AcceleratorModel* am = host.accelerator->find(m.name);
  if (am == nullptr) return {std::numeric_limits<double>::infinity(), 0};
  BatchCost c = AcceleratorSpec::cost(am->by_mode.at(mode), batch);
  c.seconds *= stage_share(m, first, last);
  return c;
}

double stage_seconds(const HostSpec& host, const ModelProfile& m, size_t first, size_t last) {
  const bool engine = host.scheduler == "llm";
  if (m.llm || engine) {
    if (!m.llm || !engine) return std::numeric_limits<double>::infinity();
    const LlmRequestCost c = llm_request_alone(host.accelerator->llm.at(host.initial_pstate), m, kNominalPromptTokens,
                                               kNominalOutputTokens);
    return (first <= kLlmPrefillRow ? c.ttft_s : 0) + (last >= kLlmDecodeRow ? c.decode_s : 0);
  }
  if (host.accelerator) return accelerator_cost(host, m, first, last, 1, host.initial_pstate).seconds;
  double t = 0;
  for (size_t i = first; i <= last && i < m.layers.size(); ++i) t += row_seconds(host, m, i);
  return t;
}

double stage_dynamic_energy(const HostSpec& host, const ModelProfile& m, size_t first, size_t last, uint32_t pstate) {
  if (!host.accelerator) return std::numeric_limits<double>::quiet_NaN();
  const double idle = host.pstates.at(pstate).idle_w;
  if (host.scheduler == "llm") {
    if (!m.llm) return std::numeric_limits<double>::infinity();
    const LlmModeRates& r = host.accelerator->llm.at(pstate);
    const LlmRequestCost c = llm_request_alone(r, m, kNominalPromptTokens, kNominalOutputTokens);
    const double pre = first <= kLlmPrefillRow ? c.ttft_s * (r.prefill_w - idle) : 0;
    const double dec = last >= kLlmDecodeRow ? c.decode_s * (r.decode_w - idle) : 0;
    return pre + dec;
  }
  const BatchCost c = accelerator_cost(host, m, first, last, 1, pstate);
  return (c.power_w - idle) * c.seconds;
}

double stage_flops(const HostSpec& host, const ModelProfile& m, size_t first, size_t last) {
  return stage_seconds(host, m, first, last) * host.pstates.at(0).speed;
}

double stage_weight_bytes(const ModelProfile& m, size_t first, size_t last) {
  if (m.llm) return llm_weight_bytes(m);  // one stage holds all of a language model, at its precision
  double b = 0;
  for (size_t i = first; i <= last && i < m.layers.size(); ++i) b += static_cast<double>(m.layers[i].params) * 4.0;
  return b;
}

}  // namespace ce
