#include "accounting/run_metrics.hpp"

#include <algorithm>
#include <limits>

#include "models/model_profile.hpp"

namespace ce {

RunMetrics compute_metrics(const SimResult& sim, const RunAccountant& acc, const ZoneTimelines& /*carbon*/,
                           const PlatformSpec& p) {
  const RunTally& r = acc.tally();
  std::vector<const ConsumerSeries*> consumers;  // hosts first (platform order), then links
  for (const auto& cs : sim.hosts) consumers.push_back(&cs);
  for (const auto& cs : acc.link_series()) consumers.push_back(&cs);
  RunMetrics m;
  m.span_s = sim.end_s;
  m.arrived = sim.arrived;
  m.completed = r.completed;
  m.rejected = r.rejected;
  m.failed = r.failed;
  for (size_t c = 0; c < consumers.size(); ++c) {
    const ConsumerSeries& cs = *consumers[c];
    ConsumerMetrics cm;
    cm.name = cs.name;
    cm.zone = cs.zone;
    cm.is_link = cs.is_link;
    cm.tasks = cs.tasks;
    const ConsumerTotals& t = acc.totals().at(c);
    cm.energy_j = t.energy_j;
    cm.carbon_g = t.carbon_g;
    cm.idle_energy_j = t.idle_energy_j;
    cm.idle_carbon_g = t.idle_carbon_g;
    if (!cs.is_link && c < p.hosts.size() && p.hosts[c].lifetime_s > 0)
      cm.embodied_g = p.hosts[c].embodied_kgco2e * 1000.0 * sim.end_s / p.hosts[c].lifetime_s;
    m.energy_j += cm.energy_j;
    m.carbon_g += cm.carbon_g;
    m.idle_energy_j += cm.idle_energy_j;
    m.idle_carbon_g += cm.idle_carbon_g;
    m.embodied_g += cm.embodied_g;
    if (!cm.is_link) m.host_tasks += cm.tasks;
    m.consumers.push_back(std::move(cm));
  }
  m.warnings = sim.warnings;
  m.dynamic_energy_j = r.dynamic_energy_j;
  m.dynamic_carbon_g = r.dynamic_carbon_g;
  m.completed_dynamic_energy_j = r.completed_dynamic_energy_j;
  m.completed_dynamic_carbon_g = r.completed_dynamic_carbon_g;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double* x : {&m.idle_share_j, &m.idle_share_g, &m.gco2_per_inference, &m.dynamic_gco2_per_inference,
                    &m.slo_violation_rate, &m.mean_top1, &m.mean_top5})
    *x = nan;  // nothing completed: no per-inference figure exists (JSON null, empty CSV cell)
  if (r.completed) {
    const double n = static_cast<double>(r.completed);
    m.idle_share_j = (m.energy_j - m.completed_dynamic_energy_j) / n;
    m.idle_share_g = (m.carbon_g - m.completed_dynamic_carbon_g) / n;
    m.gco2_per_inference = m.carbon_g / n;
    m.dynamic_gco2_per_inference = m.dynamic_carbon_g / n;
    m.inferences_per_gco2 = m.carbon_g > 0 ? n / m.carbon_g : 0;
    m.slo_violation_rate = static_cast<double>(r.slo_violations) / n;
    m.mean_top1 = r.top1_sum / n;
    m.mean_top5 = r.top5_sum / n;
    for (const auto& [model, count] : r.served_per_model) m.served_per_model[model->name] += count;
  }
  m.latency_mean_ms = r.latency.mean() * 1e3;
  m.latency_p50_ms = r.latency.quantile(0.50) * 1e3;
  m.latency_p95_ms = r.latency.quantile(0.95) * 1e3;
  m.latency_p99_ms = r.latency.quantile(0.99) * 1e3;
  m.latency_max_ms = r.latency.max() * 1e3;
  if (!sim.decision_ns.empty()) {
    std::vector<double> d = sim.decision_ns;
    std::sort(d.begin(), d.end());
    double s = 0;
    for (double x : d) s += x;
    m.decision_mean_us = s / static_cast<double>(d.size()) / 1e3;
    m.decision_p99_us = d[std::min(d.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(d.size())))] / 1e3;
  }
  return m;
}

}  // namespace ce
