#include "models/cost_model.hpp"

namespace ce {

double mac_rate(const HostSpec& host, const std::string& type) {
  if (auto it = host.rates.find(type); it != host.rates.end()) return it->second;
  if (auto it = host.rates.find("default"); it != host.rates.end()) return it->second;
  return host.pstates.at(0).speed / 2.0;
}

double stage_seconds(const HostSpec& host, const ModelProfile& m, size_t first, size_t last) {
  double t = 0;
  for (size_t i = first; i <= last && i < m.layers.size(); ++i) {
    const LayerProfile& l = m.layers[i];
    t += static_cast<double>(l.macs) / mac_rate(host, l.type) + host.layer_overhead_s;
  }
  return t;
}

double stage_flops(const HostSpec& host, const ModelProfile& m, size_t first, size_t last) {
  return stage_seconds(host, m, first, last) * host.pstates.at(0).speed;
}

double stage_weight_bytes(const ModelProfile& m, size_t first, size_t last) {
  double b = 0;
  for (size_t i = first; i <= last && i < m.layers.size(); ++i) b += static_cast<double>(m.layers[i].params) * 4.0;
  return b;
}

}  // namespace ce
