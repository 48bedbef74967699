#include "accounting/run_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <limits>
#include <utility>

#include "models/model_profile.hpp"

namespace ce {

DecisionTiming decision_timing(const std::vector<double>& ns) {
  DecisionTiming t;
  t.sampled = ns.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  t.first_us = ns.empty() ? nan : ns.front() / 1e3;
  t.mean_us = t.trimmed_mean_us = t.p50_us = t.p99_us = t.max_us = nan;
  if (ns.size() < 2) return t;
  std::vector<std::pair<double, double>> w;  // (ns, decisions it stands for), first excluded
  w.reserve(ns.size() - 1);
  double total = 0, sum = 0;
  for (size_t i = 1; i < ns.size(); ++i) {
    const double weight = i < kDecisionTimedAll ? 1.0 : static_cast<double>(kDecisionTimedEvery);
    w.emplace_back(ns[i], weight);
    total += weight;
    sum += weight * ns[i];
  }
  std::sort(w.begin(), w.end());
  t.mean_us = sum / total / 1e3;
  t.max_us = w.back().first / 1e3;
  // Nearest rank on the weights: the smallest sample whose cumulative weight reaches q × total.
  auto quantile = [&](double q) {
    double cum = 0;
    for (const auto& [x, weight] : w)
      if ((cum += weight) >= q * total) return x / 1e3;
    return w.back().first / 1e3;
  };
  t.p50_us = quantile(0.50);
  t.p99_us = quantile(0.99);
  // The mean of the decisions at or below p99: what a decision costs once the rare preempted ones
  // (which can carry most of the plain mean) are set aside; always <= p99.
  double kept = 0, kept_sum = 0;
  for (const auto& [x, weight] : w)
    if (x / 1e3 <= t.p99_us) {
      kept += weight;
      kept_sum += weight * x;
    }
  t.trimmed_mean_us = kept_sum / kept / 1e3;
  return t;
}

namespace {

void add_resilience(RunMetrics& m, const ResilienceTally& res) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.availability = m.arrived ? static_cast<double>(m.completed) / static_cast<double>(m.arrived) : nan;
  m.requests_during_failures = res.during_arrived();
  m.accuracy_loss = res.ref_all() > 0 ? 1 - res.top1_all() / res.ref_all() : nan;
  m.accuracy_loss_during_failures = res.ref_during() > 0 ? 1 - res.top1_during() / res.ref_during() : nan;
  m.lost_during_failures = res.during_lost();
  m.late_during_failures = res.during_late();
  std::vector<double> all, recovery;
  double wait_sum = 0;
  for (const ServiceTally& t : res.services()) {
    for (double w : t.wait_s) wait_sum += w;
    for (size_t k = 0; k < t.mttr_s.size(); ++k) recovery.push_back(t.mttr_s[k] - t.wait_s[k]);
    ServiceMetrics s;
    s.name = t.name;
    s.arrived = t.arrived;
    s.completed = t.completed;
    s.availability = t.arrived ? static_cast<double>(t.completed) / static_cast<double>(t.arrived) : nan;
    s.mean_top1 = t.completed ? t.top1_sum / static_cast<double>(t.completed) : nan;
    s.failovers = t.mttr_s.size();
    s.unrestored = t.unrestored;
    s.mttr_mean_ms = s.mttr_max_ms = s.mttr_wait_mean_ms = nan;
    if (!t.mttr_s.empty()) {
      double wait = 0;
      for (double w : t.wait_s) wait += w;
      s.mttr_wait_mean_ms = wait / static_cast<double>(t.wait_s.size()) * 1e3;
      double sum = 0, mx = 0;
      for (double x : t.mttr_s) {
        sum += x;
        mx = std::max(mx, x);
      }
      s.mttr_mean_ms = sum / static_cast<double>(t.mttr_s.size()) * 1e3;
      s.mttr_max_ms = mx * 1e3;
    }
    all.insert(all.end(), t.mttr_s.begin(), t.mttr_s.end());
    m.failovers += s.failovers;
    m.unrestored += s.unrestored;
    m.services.push_back(std::move(s));
  }
  m.mttr_mean_ms = m.mttr_p50_ms = m.mttr_max_ms = m.mttr_wait_mean_ms = m.recovery_p50_ms = nan;
  if (!all.empty()) {
    std::sort(recovery.begin(), recovery.end());
    m.recovery_p50_ms = recovery[(recovery.size() - 1) / 2] * 1e3;
    m.mttr_wait_mean_ms = wait_sum / static_cast<double>(all.size()) * 1e3;
    std::sort(all.begin(), all.end());
    double sum = 0;
    for (double x : all) sum += x;
    m.mttr_mean_ms = sum / static_cast<double>(all.size()) * 1e3;
    m.mttr_p50_ms = all[(all.size() - 1) / 2] * 1e3;  // the lower median: an observed value
    m.mttr_max_ms = all.back() * 1e3;
  }
}

}  // namespace

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
  // Every request is accounted for, in every run: the simulation ends the ones still in flight
  // (or deferred) as failed, so completed + failed + rejected = arrived with none left over.
  if (m.completed + m.failed + m.rejected != m.arrived)
    throw std::logic_error(fmt::format("accounting: {} requests arrived but {} completed + {} failed + {} rejected",
                                       m.arrived, m.completed, m.failed, m.rejected));
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
    m.replica_energy_j += t.replica_energy_j;
    m.replica_carbon_g += t.replica_carbon_g;
    m.embodied_g += cm.embodied_g;
    if (!cm.is_link) m.host_tasks += cm.tasks;
    m.consumers.push_back(std::move(cm));
  }
  m.warnings = sim.warnings;
  m.replica_loads = sim.replica_loads;
  m.unsupported_placements = sim.unsupported_placements;
  add_resilience(m, acc.resilience());
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
    // Over the requests judged by their SLO (those without a deadline); NaN when all had one.
    const uint64_t interactive = r.latency.count();
    m.slo_violation_rate = interactive ? static_cast<double>(r.slo_violations) / static_cast<double>(interactive) : nan;
    m.mean_top1 = r.top1_sum / n;
    m.mean_top5 = r.top5_sum / n;
    for (const auto& [model, count] : r.served_per_model) m.served_per_model[model->name] += count;
  }
  m.latency_mean_ms = r.latency.mean() * 1e3;
  m.latency_p50_ms = r.latency.quantile(0.50) * 1e3;
  m.latency_p95_ms = r.latency.quantile(0.95) * 1e3;
  m.latency_p99_ms = r.latency.quantile(0.99) * 1e3;
  m.latency_max_ms = r.latency.max() * 1e3;
  m.network_mean_ms = r.network.mean() * 1e3;
  m.network_p95_ms = r.network.quantile(0.95) * 1e3;
  m.deferrable_completed = r.deferrable_latency.count();
  m.deadline_violations = r.deadline_violations;
  const bool any_deferrable = m.deferrable_completed > 0;
  m.deferrable_latency_p50_ms = any_deferrable ? r.deferrable_latency.quantile(0.50) * 1e3 : nan;
  m.deferrable_latency_p95_ms = any_deferrable ? r.deferrable_latency.quantile(0.95) * 1e3 : nan;
  m.deferrable_latency_max_ms = any_deferrable ? r.deferrable_latency.max() * 1e3 : nan;
  m.batch_items_completed = r.batch_items_completed;
  m.batch_energy_j = r.batch_dynamic_energy_j;
  m.batch_carbon_g = r.batch_dynamic_carbon_g;
  m.jobs_rejected = r.rejected_jobs.size();
  m.jobs_late = r.late_jobs.size();
  m.slo_unreachable_requests = r.slo_unreachable;
  m.slo_unreachable_users = r.slo_unreachable_sources.size();
  m.llm_completed = r.llm_completed;
  m.ttft_violations = r.ttft_violations;
  m.tpot_violations = r.tpot_violations;
  m.prompt_tokens = r.prompt_tokens;
  m.output_tokens = r.output_tokens;
  const bool llm = r.llm_completed > 0, multi = r.tpot.count() > 0;
  m.ttft_p50_ms = llm ? r.ttft.quantile(0.50) * 1e3 : nan;
  m.ttft_p95_ms = llm ? r.ttft.quantile(0.95) * 1e3 : nan;
  m.ttft_p99_ms = llm ? r.ttft.quantile(0.99) * 1e3 : nan;
  m.tpot_p50_ms = multi ? r.tpot.quantile(0.50) * 1e3 : nan;
  m.tpot_p95_ms = multi ? r.tpot.quantile(0.95) * 1e3 : nan;
  m.tpot_p99_ms = multi ? r.tpot.quantile(0.99) * 1e3 : nan;
  m.output_tokens_per_s = m.span_s > 0 ? r.output_tokens / m.span_s : nan;
  m.energy_per_token_j = llm ? m.energy_j / r.output_tokens : nan;
  m.carbon_per_token_g = llm ? m.carbon_g / r.output_tokens : nan;
  m.dynamic_energy_per_token_j = llm ? r.llm_dynamic_energy_j / r.output_tokens : nan;
  set_oracle_bound(m, 0);
  m.decision = decision_timing(sim.decision_ns);
  return m;
}

void set_oracle_bound(RunMetrics& m, double oracle_batch_carbon_g) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.oracle_batch_carbon_g = oracle_batch_carbon_g;
  const bool some = oracle_batch_carbon_g > 0;
  m.regret_vs_oracle = some ? m.batch_carbon_g / oracle_batch_carbon_g - 1 : nan;
  const double oracle_total = m.carbon_g - m.batch_carbon_g + oracle_batch_carbon_g;
  m.total_regret_vs_oracle = some && oracle_total > 0 ? m.carbon_g / oracle_total - 1 : nan;
}

}  // namespace ce
