// The built-in metrics, one entry each (see metric_registry.hpp for what each field drives).
// The order of this table is the order of comparison.csv's columns and of the printed table's.
#include "output/metric_registry.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace ce {

using nlohmann::json;

namespace {

using A = Aggregation;

// --- vs_reference helpers (the reference's figures are read from its summary) ---
// A summary number, NaN where it is null (a policy that completed nothing has no mean accuracy).
double number(const json& j, const char* key) {
  const json& v = j.at(key);
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}
double delta(const ReferenceInput& r, const char* key) { return number(r.row, key) - number(r.reference, key); }
json or_null(double x) { return std::isnan(x) ? json(nullptr) : json(x); }
json ratio_or_null(double num, double den) {
  return den == 0.0 || std::isnan(num) || std::isnan(den) ? json(nullptr) : json(num / den);
}

// A mean accuracy, or null where no served variant has one: a model without an ImageNet accuracy
// (BERT, YOLO, a custom model without top1) counts 0, and a mean of 0 would read as "always wrong"
// (the table prints —, comparison.csv an empty cell). NaN (nothing completed) is null too.
json accuracy_or_null(double mean) { return mean > 0 ? json(mean) : json(nullptr); }

// Per-consumer fields shared by hosts and links.
json zone(const RunMetrics&, const ConsumerMetrics& c) { return c.zone; }
json energy(const RunMetrics&, const ConsumerMetrics& c) { return c.energy_j; }
json carbon(const RunMetrics&, const ConsumerMetrics& c) { return c.carbon_g; }
json idle_energy(const RunMetrics&, const ConsumerMetrics& c) { return c.idle_energy_j; }
json dynamic_energy(const RunMetrics&, const ConsumerMetrics& c) { return c.energy_j - c.idle_energy_j; }
json dynamic_carbon(const RunMetrics&, const ConsumerMetrics& c) { return c.carbon_g - c.idle_carbon_g; }
json tasks(const RunMetrics&, const ConsumerMetrics& c) { return c.tasks; }

// clang-format off
std::vector<MetricDef> builtin_metrics() {
  return {
  // key, unit, aggregation, track, comparison.csv column, printed-table column, doc, value
  {"span_s", "s", A::Max, kUntracked, "", {}, "simulated span: max(carbon.duration + the longest workload deadline, last completion)",
   RunValue([](const RunMetrics& m) -> json { return m.span_s; })},
  {"requests_arrived", "requests", A::Count, kUntracked, "", {}, "requests that arrived",
   RunValue([](const RunMetrics& m) -> json { return m.arrived; })},
  {"requests_completed", "requests", A::Count, 1, "requests_completed", {"requests", 9},
   "requests whose result came back to their source",
   RunValue([](const RunMetrics& m) -> json { return m.completed; })},
  {"requests_rejected", "requests", A::Count, 2, "", {}, "requests for which the policy found no host",
   RunValue([](const RunMetrics& m) -> json { return m.rejected; })},
  {"requests_failed", "requests", A::Count, 3, "", {}, "requests whose host or source was turned off under them",
   RunValue([](const RunMetrics& m) -> json { return m.failed; })},
  {"energy_j", "J", A::Total, 4, "energy_j", {"energy_J", 12, "{:.2f}"}, "all hosts and links, idle included",
   RunValue([](const RunMetrics& m) -> json { return m.energy_j; })},
  {"carbon_g", "g", A::Total, 5, "carbon_g", {"carbon_g", 11, "{:.4f}"}, "all hosts and links, idle included",
   RunValue([](const RunMetrics& m) -> json { return m.carbon_g; })},
  {"idle_energy_j", "J", A::Total, kUntracked, "", {}, "idle baseline of every host and link",
   RunValue([](const RunMetrics& m) -> json { return m.idle_energy_j; })},
  {"idle_carbon_g", "g", A::Total, kUntracked, "", {}, "idle baseline of every host and link",
   RunValue([](const RunMetrics& m) -> json { return m.idle_carbon_g; })},
  {"replica_energy_j", "J", A::Total, kUntracked, "", {},
   "of the idle baseline: model replicas held in memory and loaded (experiments with replicas:)",
   RunValue([](const RunMetrics& m) -> json { return m.replica_energy_j; })},
  {"replica_carbon_g", "g", A::Total, kUntracked, "", {},
   "of the idle baseline: model replicas held in memory and loaded (experiments with replicas:)",
   RunValue([](const RunMetrics& m) -> json { return m.replica_carbon_g; })},
  {"availability", "1", A::Share, kUntracked, "", {}, "requests_completed / requests_arrived",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.availability); })},
  {"accuracy_loss", "1", A::Ratio, kUntracked, "", {},
   "1 − Σ top-1 delivered / Σ top-1 requested over completed requests (models with a top-1)",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.accuracy_loss); })},
  {"accuracy_loss_during_failures", "1", A::Ratio, kUntracked, "", {},
   "the same over the completed requests that arrived while a host was down",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.accuracy_loss_during_failures); })},
  {"requests_during_failures", "requests", A::Count, kUntracked, "", {},
   "requests that arrived while some host was down (failures:)",
   RunValue([](const RunMetrics& m) -> json { return m.requests_during_failures; })},
  {"lost_during_failures", "requests", A::Count, kUntracked, "", {}, "of those, failed or rejected",
   RunValue([](const RunMetrics& m) -> json { return m.lost_during_failures; })},
  {"late_during_failures", "requests", A::Count, kUntracked, "", {}, "of those, completed after their SLO",
   RunValue([](const RunMetrics& m) -> json { return m.late_during_failures; })},
  {"failovers", "failures", A::Count, kUntracked, "", {}, "Σ per_service failovers: recoveries (MTTR samples)",
   RunValue([](const RunMetrics& m) -> json { return m.failovers; })},
  {"unrestored", "failures", A::Count, kUntracked, "", {}, "Σ per_service unrestored",
   RunValue([](const RunMetrics& m) -> json { return m.unrestored; })},
  {"mttr_ms.mean", "ms", A::Mean, kUntracked, "", {},
   "time from a failure to the hit service's next completed request, over every recovery",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.mttr_mean_ms); })},
  {"mttr_ms.p50", "ms", A::Percentile, kUntracked, "", {}, "its lower median",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.mttr_p50_ms); })},
  {"mttr_ms.max", "ms", A::Max, kUntracked, "", {}, "its maximum",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.mttr_max_ms); })},
  {"mttr_ms.wait_mean", "ms", A::Mean, kUntracked, "", {},
   "of mttr_ms.mean: from the failure to the service's first request after it (the gap in its requests)",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.mttr_wait_mean_ms); })},
  {"mttr_ms.recovery_p50", "ms", A::Percentile, kUntracked, "", {},
   "lower median over recoveries of MTTR − wait: the recovery seen right after the failure",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.recovery_p50_ms); })},
  {"replica_loads", "loads", A::Count, kUntracked, "", {}, "model loads that finished (experiments with replicas:)",
   RunValue([](const RunMetrics& m) -> json { return m.replica_loads; })},
  {"unsupported_placements", "requests", A::Count, kUntracked, "", {},
   "requests rejected because their policy placed them on an accelerator without a table for their model "
   "(docs/inputs.md \"Accelerators\")",
   RunValue([](const RunMetrics& m) -> json { return m.unsupported_placements; })},
  {"dynamic_energy_j", "J", A::Total, kUntracked, "dynamic_energy_j", {},
   "Σ of every request's dynamic share (completed and failed) = total − idle",
   RunValue([](const RunMetrics& m) -> json { return m.dynamic_energy_j; })},
  {"dynamic_carbon_g", "g", A::Total, 6, "dynamic_carbon_g", {"dyn_carb_g", 11, "{:.4f}"},
   "Σ of every request's dynamic share (completed and failed) = total − idle",
   RunValue([](const RunMetrics& m) -> json { return m.dynamic_carbon_g; })},
  {"embodied_carbon_g", "g", A::Total, kUntracked, "", {}, "amortised embodied carbon of hosts that declare it",
   RunValue([](const RunMetrics& m) -> json { return m.embodied_g; })},
  {"gco2_per_inference", "g", A::PerInference, 7, "gco2_per_inference", {"gCO2/inf", 13, "{:.6g}"},
   "carbon_g / requests_completed",
   RunValue([](const RunMetrics& m) -> json { return m.gco2_per_inference; })},
  {"dynamic_gco2_per_inference", "g", A::PerInference, kUntracked, "dynamic_gco2_per_inference",
   {"dyn_gCO2/inf", 13, "{:.6g}"}, "dynamic_carbon_g / requests_completed: what the policy's work cost",
   RunValue([](const RunMetrics& m) -> json { return m.dynamic_gco2_per_inference; })},
  {"idle_share_per_request_j", "J", A::PerInference, kUntracked, "", {},
   "(total − completed requests' dynamic) / completed",
   RunValue([](const RunMetrics& m) -> json { return m.idle_share_j; })},
  {"idle_share_per_request_g", "g", A::PerInference, kUntracked, "", {},
   "(total − completed requests' dynamic) / completed",
   RunValue([](const RunMetrics& m) -> json { return m.idle_share_g; })},
  {"inferences_per_gco2", "requests/g", A::Ratio, 8, "inferences_per_gco2", {},
   "requests_completed / carbon_g (the CarbonEdge paper's carbon efficiency)",
   RunValue([](const RunMetrics& m) -> json { return m.inferences_per_gco2; })},
  {"latency_ms.mean", "ms", A::Mean, 11, "latency_mean_ms", {}, "mean latency, arrival → result back at the source (requests without a deadline)",
   RunValue([](const RunMetrics& m) -> json { return m.latency_mean_ms; })},
  {"latency_ms.p50", "ms", A::Percentile, kUntracked, "", {}, "median latency",
   RunValue([](const RunMetrics& m) -> json { return m.latency_p50_ms; })},
  {"latency_ms.p95", "ms", A::Percentile, 12, "latency_p95_ms", {"p95_ms", 11, "{:.2f}"}, "95th-percentile latency",
   RunValue([](const RunMetrics& m) -> json { return m.latency_p95_ms; })},
  {"latency_ms.p99", "ms", A::Percentile, 13, "latency_p99_ms", {}, "99th-percentile latency",
   RunValue([](const RunMetrics& m) -> json { return m.latency_p99_ms; })},
  {"latency_ms.max", "ms", A::Max, kUntracked, "", {}, "largest latency",
   RunValue([](const RunMetrics& m) -> json { return m.latency_max_ms; })},
  {"network_ms.mean", "ms", A::Mean, kUntracked, "", {},
   "mean one-way network latency of completed requests: the input's transfer from the device to the first host "
   "(distance latency and link sharing included; 0 when served on the device)",
   RunValue([](const RunMetrics& m) -> json { return m.network_mean_ms; })},
  {"network_ms.p95", "ms", A::Percentile, kUntracked, "", {}, "95th percentile of the same",
   RunValue([](const RunMetrics& m) -> json { return m.network_p95_ms; })},
  {"slo_violation_rate", "1", A::Share, 9, "slo_violation_rate", {"SLO_viol", 9, "{:.1f}", 100, "%"},
   "share of completed requests without a deadline whose latency exceeded their SLO",
   RunValue([](const RunMetrics& m) -> json { return m.slo_violation_rate; })},
  {"slo_unreachable_requests", "requests", A::Count, kUntracked, "", {},
   "requests placed although no candidate host could meet their SLO even unloaded (geographic policies)",
   RunValue([](const RunMetrics& m) -> json { return m.slo_unreachable_requests; })},
  {"slo_unreachable_users", "devices", A::Count, kUntracked, "", {},
   "distinct source devices with a request no candidate host could serve within its SLO",
   RunValue([](const RunMetrics& m) -> json { return m.slo_unreachable_users; })},
  {"deferrable_completed", "requests", A::Count, kUntracked, "", {},
   "completed requests that had a workload deadline (deferrable)",
   RunValue([](const RunMetrics& m) -> json { return m.deferrable_completed; })},
  {"deadline_violations", "requests", A::Count, kUntracked, "", {},
   "completed deferrable requests whose result came back after their deadline",
   RunValue([](const RunMetrics& m) -> json { return m.deadline_violations; })},
  {"deferrable_latency_ms.p50", "ms", A::Percentile, kUntracked, "", {},
   "median latency of deferrable requests, deferral included (null: none completed)",
   RunValue([](const RunMetrics& m) -> json { return m.deferrable_latency_p50_ms; })},
  {"deferrable_latency_ms.p95", "ms", A::Percentile, kUntracked, "", {},
   "95th-percentile latency of deferrable requests, deferral included (null: none completed)",
   RunValue([](const RunMetrics& m) -> json { return m.deferrable_latency_p95_ms; })},
  {"deferrable_latency_ms.max", "ms", A::Max, kUntracked, "", {},
   "largest latency of a deferrable request, deferral included (null: none completed)",
   RunValue([](const RunMetrics& m) -> json { return m.deferrable_latency_max_ms; })},
  {"batch_items_completed", "inferences", A::Count, kUntracked, "", {},
   "inferences of batch jobs completed (workload batch_job: Σ the items of their completed requests)",
   RunValue([](const RunMetrics& m) -> json { return m.batch_items_completed; })},
  {"batch_energy_j", "J", A::Total, kUntracked, "", {},
   "dynamic energy of the batch jobs' requests (completed or failed)",
   RunValue([](const RunMetrics& m) -> json { return m.batch_energy_j; })},
  {"batch_carbon_g", "g", A::Total, kUntracked, "batch_carbon_g", {},
   "dynamic carbon of the batch jobs' requests (completed or failed): what a time-shifting policy moves",
   RunValue([](const RunMetrics& m) -> json { return m.batch_carbon_g; })},
  {"jobs_rejected", "jobs", A::Count, kUntracked, "", {},
   "batch jobs rejected: no variant fits their hosts, or they cannot finish by their deadline on all their workers",
   RunValue([](const RunMetrics& m) -> json { return m.jobs_rejected; })},
  {"jobs_late", "jobs", A::Count, kUntracked, "", {},
   "batch jobs with a request completed after the job's deadline",
   RunValue([](const RunMetrics& m) -> json { return m.jobs_late; })},
  {"oracle_batch_carbon_g", "g", A::Total, kUntracked, "", {},
   "lower bound of batch_carbon_g: each job's cheapest plan over its window with the actual intensities "
   "(LP relaxation, Clp; the same for every policy of a run; 0 without batch jobs)",
   RunValue([](const RunMetrics& m) -> json { return m.oracle_batch_carbon_g; })},
  {"regret_vs_oracle", "1", A::Share, kUntracked, "regret_vs_oracle", {},
   "batch_carbon_g / oracle_batch_carbon_g − 1 (null without batch jobs)",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.regret_vs_oracle); })},
  {"total_regret_vs_oracle", "1", A::Share, kUntracked, "", {},
   "carbon_g / (carbon_g − batch_carbon_g + oracle_batch_carbon_g) − 1: the whole run's carbon against the "
   "same run with the batch part at the bound (null without batch jobs)",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.total_regret_vs_oracle); })},
  {"llm.requests_completed", "requests", A::Count, kUntracked, "", {},
   "completed language-model requests (the ones the llm.* figures describe)",
   RunValue([](const RunMetrics& m) -> json { return m.llm_completed; })},
  {"llm.ttft_ms.p50", "ms", A::Percentile, kUntracked, "ttft_p50_ms", {},
   "median time to first token: arrival → the first output token (null: no LLM request completed)",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.ttft_p50_ms); })},
  {"llm.ttft_ms.p95", "ms", A::Percentile, kUntracked, "", {}, "95th-percentile time to first token",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.ttft_p95_ms); })},
  {"llm.ttft_ms.p99", "ms", A::Percentile, kUntracked, "", {}, "99th-percentile time to first token",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.ttft_p99_ms); })},
  {"llm.tpot_ms.p50", "ms", A::Percentile, kUntracked, "tpot_p50_ms", {},
   "median time per output token: (last − first token) / (output tokens − 1), over requests of two tokens or more",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.tpot_p50_ms); })},
  {"llm.tpot_ms.p95", "ms", A::Percentile, kUntracked, "", {}, "95th-percentile time per output token",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.tpot_p95_ms); })},
  {"llm.tpot_ms.p99", "ms", A::Percentile, kUntracked, "", {}, "99th-percentile time per output token",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.tpot_p99_ms); })},
  {"llm.ttft_slo_violations", "requests", A::Count, kUntracked, "", {},
   "completed LLM requests whose time to first token exceeded their ttft_slo",
   RunValue([](const RunMetrics& m) -> json { return m.ttft_violations; })},
  {"llm.tpot_slo_violations", "requests", A::Count, kUntracked, "", {},
   "completed LLM requests whose time per output token exceeded their tpot_slo",
   RunValue([](const RunMetrics& m) -> json { return m.tpot_violations; })},
  {"llm.prompt_tokens", "tokens", A::Total, kUntracked, "", {}, "prompt tokens of the completed LLM requests",
   RunValue([](const RunMetrics& m) -> json { return m.prompt_tokens; })},
  {"llm.output_tokens", "tokens", A::Total, kUntracked, "", {}, "output tokens of the completed LLM requests",
   RunValue([](const RunMetrics& m) -> json { return m.output_tokens; })},
  {"llm.output_tokens_per_s", "tokens/s", A::Ratio, kUntracked, "", {},
   "output tokens of completed LLM requests per second of the run's span",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.output_tokens_per_s); })},
  {"llm.energy_per_token_j", "J", A::Ratio, kUntracked, "energy_per_token_j", {},
   "the run's energy (all hosts and links, idle included) per output token of completed LLM requests",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.energy_per_token_j); })},
  {"llm.carbon_per_token_g", "g", A::Ratio, kUntracked, "carbon_per_token_g", {},
   "the run's carbon per output token of completed LLM requests",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.carbon_per_token_g); })},
  {"llm.dynamic_energy_per_token_j", "J", A::Ratio, kUntracked, "", {},
   "the completed LLM requests' own dynamic energy per output token",
   RunValue([](const RunMetrics& m) -> json { return or_null(m.dynamic_energy_per_token_j); })},
  {"mean_top1", "%", A::Mean, 10, "mean_top1", {"top1%", 7, "{:.2f}"},
   "mean ImageNet top-1 accuracy of the variants that served completed requests (null: none has one)",
   RunValue([](const RunMetrics& m) -> json { return accuracy_or_null(m.mean_top1); })},
  {"mean_top5", "%", A::Mean, 16, "mean_top5", {},
   "mean ImageNet top-5 accuracy of the variants that served completed requests (null: none has one)",
   RunValue([](const RunMetrics& m) -> json { return accuracy_or_null(m.mean_top5); })},

  {"per_host.*.zone", "", A::Attribute, kUntracked, "", {}, "the host's carbon zone", ConsumerValue(zone)},
  {"per_host.*.energy_j", "J", A::Total, kUntracked, "", {}, "the host's energy, idle included", ConsumerValue(energy)},
  {"per_host.*.carbon_g", "g", A::Total, 15, "", {}, "the host's carbon, idle included", ConsumerValue(carbon)},
  {"per_host.*.idle_energy_j", "J", A::Total, kUntracked, "", {}, "the host's idle baseline",
   ConsumerValue(idle_energy)},
  {"per_host.*.dynamic_energy_j", "J", A::Total, kUntracked, "", {}, "energy − idle", ConsumerValue(dynamic_energy)},
  {"per_host.*.dynamic_carbon_g", "g", A::Total, kUntracked, "", {}, "carbon − idle", ConsumerValue(dynamic_carbon)},
  {"per_host.*.tasks", "stages", A::Count, kUntracked, "", {}, "stages executed", ConsumerValue(tasks)},
  {"per_host.*.task_share", "1", A::Share, 14, "", {}, "the host's share of the stages executed on all hosts",
   ConsumerValue([](const RunMetrics& m, const ConsumerMetrics& c) -> json {
     const uint64_t total = m.host_tasks;  // summed once: a per-host loop here made summaries O(hosts²)
     return total ? static_cast<double>(c.tasks) / static_cast<double>(total) : 0.0;
   })},
  {"per_host.*.embodied_carbon_g", "g", A::Total, kUntracked, "", {}, "the host's amortised embodied carbon",
   ConsumerValue([](const RunMetrics&, const ConsumerMetrics& c) -> json { return c.embodied_g; })},

  {"per_link.*.zone", "", A::Attribute, kUntracked, "", {}, "the link's carbon zone", ConsumerValue(zone)},
  {"per_link.*.energy_j", "J", A::Total, kUntracked, "", {}, "the link's energy, idle included", ConsumerValue(energy)},
  {"per_link.*.carbon_g", "g", A::Total, kUntracked, "", {}, "the link's carbon, idle included", ConsumerValue(carbon)},
  {"per_link.*.idle_energy_j", "J", A::Total, kUntracked, "", {}, "the link's idle baseline",
   ConsumerValue(idle_energy)},
  {"per_link.*.dynamic_energy_j", "J", A::Total, kUntracked, "", {}, "energy − idle", ConsumerValue(dynamic_energy)},
  {"per_link.*.dynamic_carbon_g", "g", A::Total, kUntracked, "", {}, "carbon − idle", ConsumerValue(dynamic_carbon)},
  {"per_link.*.tasks", "transfers", A::Count, kUntracked, "", {}, "transfers carried", ConsumerValue(tasks)},

  {"per_model.*.requests", "requests", A::Count, kUntracked, "", {}, "completed requests the variant served",
   ModelValue([](const RunMetrics&, uint64_t n) -> json { return n; })},
  {"per_model.*.share", "1", A::Share, 17, "", {}, "the variant's share of all completed requests",
   ModelValue([](const RunMetrics& m, uint64_t n) -> json {
     return m.completed ? static_cast<double>(n) / static_cast<double>(m.completed) : 0.0;
   })},

  {"per_service.*.requests", "requests", A::Count, kUntracked, "", {}, "requests that arrived for the service",
   ServiceValue([](const RunMetrics&, const ServiceMetrics& s) -> json { return s.arrived; })},
  {"per_service.*.availability", "1", A::Share, kUntracked, "", {}, "its completed / arrived requests",
   ServiceValue([](const RunMetrics&, const ServiceMetrics& s) -> json { return or_null(s.availability); })},
  {"per_service.*.mean_top1", "%", A::Mean, kUntracked, "", {}, "top-1 accuracy of the variants that served it",
   ServiceValue([](const RunMetrics&, const ServiceMetrics& s) -> json { return accuracy_or_null(s.mean_top1); })},
  {"per_service.*.failovers", "failures", A::Count, kUntracked, "", {},
   "failures of the host that last served it, recovered from (MTTR samples)",
   ServiceValue([](const RunMetrics&, const ServiceMetrics& s) -> json { return s.failovers; })},
  {"per_service.*.unrestored", "failures", A::Count, kUntracked, "", {}, "failures that hit it, not recovered by the end",
   ServiceValue([](const RunMetrics&, const ServiceMetrics& s) -> json { return s.unrestored; })},
  {"per_service.*.mttr_mean_ms", "ms", A::Mean, kUntracked, "", {}, "mean time from a failure to its next completed request",
   ServiceValue([](const RunMetrics&, const ServiceMetrics& s) -> json { return or_null(s.mttr_mean_ms); })},
  {"per_service.*.mttr_wait_mean_ms", "ms", A::Mean, kUntracked, "", {},
   "of mttr_mean_ms: from the failure to its first request after it",
   ServiceValue([](const RunMetrics&, const ServiceMetrics& s) -> json { return or_null(s.mttr_wait_mean_ms); })},
  {"per_service.*.mttr_max_ms", "ms", A::Max, kUntracked, "", {}, "longest time from a failure to its next completed request",
   ServiceValue([](const RunMetrics&, const ServiceMetrics& s) -> json { return or_null(s.mttr_max_ms); })},

  {"vs_reference.policy", "", A::Attribute, kUntracked, "", {}, "the experiment's metrics.reference",
   ReferenceValue([](const ReferenceInput& r) -> json { return r.label; })},
  {"vs_reference.delta_carbon_g", "g", A::VsReference, kUntracked, "", {}, "carbon_g minus the reference's",
   ReferenceValue([](const ReferenceInput& r) -> json { return delta(r, "carbon_g"); })},
  {"vs_reference.carbon_change", "1", A::VsReference, 19, "carbon_change_vs_ref", {},
   "delta_carbon_g relative to the reference's carbon_g (null if that is 0)",
   ReferenceValue([](const ReferenceInput& r) -> json {
     return ratio_or_null(delta(r, "carbon_g"), number(r.reference, "carbon_g"));
   })},
  {"vs_reference.delta_network_ms", "ms", A::VsReference, kUntracked, "", {},
   "network_ms.mean minus the reference's (e.g. the latency a placement adds over nearest)",
   ReferenceValue([](const ReferenceInput& r) -> json {
     auto mean = [](const json& j) {  // null where a summary (an older one) has no network_ms
       return j.contains("network_ms") ? j["network_ms"].value("mean", std::nan("")) : std::nan("");
     };
     return or_null(mean(r.row) - mean(r.reference));
   })},
  {"vs_reference.delta_top1_pp", "pp", A::VsReference, kUntracked, "delta_top1_vs_ref_pp", {},
   "mean_top1 minus the reference's (percentage points)",
   ReferenceValue([](const ReferenceInput& r) -> json { return or_null(delta(r, "mean_top1")); })},
  {"vs_reference.delta_top5_pp", "pp", A::VsReference, kUntracked, "", {},
   "mean_top5 minus the reference's (percentage points)",
   ReferenceValue([](const ReferenceInput& r) -> json { return or_null(delta(r, "mean_top5")); })},
  {"vs_reference.cee_top1", "pp/g", A::VsReference, 18, "cee_top1", {"CEE_top1", 12, "{:.4g}"},
   "carbon-emission efficiency: delta_top1_pp / delta_carbon_g (null where ΔCO2 = 0)",
   ReferenceValue([](const ReferenceInput& r) -> json {
     return ratio_or_null(delta(r, "mean_top1"), delta(r, "carbon_g"));
   })},
  {"vs_reference.cee_top5", "pp/g", A::VsReference, kUntracked, "cee_top5", {},
   "carbon-emission efficiency: delta_top5_pp / delta_carbon_g (null where ΔCO2 = 0)",
   ReferenceValue([](const ReferenceInput& r) -> json {
     return ratio_or_null(delta(r, "mean_top5"), delta(r, "carbon_g"));
   })},
  };
}
// clang-format on

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

bool is_prefix_path(const std::string& a, const std::string& b) {  // a is a proper dotted prefix of b
  return b.size() > a.size() && starts_with(b, a) && b[a.size()] == '.';
}

void check(bool ok, const MetricDef& d, const std::string& what) {
  if (!ok) throw std::invalid_argument("metric '" + d.key + "': " + what);
}

void validate(const MetricDef& d, const std::vector<MetricDef>& existing) {
  check(!d.key.empty(), d, "empty key");
  const auto path = metric_path(d.key);
  for (const auto& seg : path) check(!seg.empty(), d, "empty path segment");
  check(d.key != "policy" && d.key != "policy_type", d, "'policy' and 'policy_type' are the summary's identity");
  const MetricScope scope = metric_scope(d.key);
  switch (scope) {
    case MetricScope::Run:
      check(d.key.find('*') == std::string::npos, d, "'*' is only for per_host.*, per_link.*, per_model.*");
      check(std::holds_alternative<RunValue>(d.value), d, "a run metric needs a RunValue");
      break;
    case MetricScope::Host:
    case MetricScope::Link:
      check(path.size() == 3 && path[1] == "*", d, "expected per_host.*.<leaf> or per_link.*.<leaf>");
      check(std::holds_alternative<ConsumerValue>(d.value), d, "a per-host/link metric needs a ConsumerValue");
      break;
    case MetricScope::Model:
      check(path.size() == 3 && path[1] == "*", d, "expected per_model.*.<leaf>");
      check(std::holds_alternative<ModelValue>(d.value), d, "a per-model metric needs a ModelValue");
      break;
    case MetricScope::Service:
      check(path.size() == 3 && path[1] == "*", d, "expected per_service.*.<leaf>");
      check(std::holds_alternative<ServiceValue>(d.value), d, "a per-service metric needs a ServiceValue");
      break;
    case MetricScope::Reference:
      check(path.size() == 2, d, "expected vs_reference.<leaf>");
      check(std::holds_alternative<ReferenceValue>(d.value), d, "a vs_reference metric needs a ReferenceValue");
      break;
  }
  std::visit([&](const auto& f) { check(static_cast<bool>(f), d, "no value function"); }, d.value);
  const bool per_item = scope == MetricScope::Host || scope == MetricScope::Link || scope == MetricScope::Model ||
                        scope == MetricScope::Service;
  check(!per_item || (d.column.empty() && d.table.header.empty()), d,
        "a per-host/link/model metric has one value per item: no comparison or table column");
  check(d.track >= 0, d, "track must be >= 0");
  check(d.table.header.empty() || d.table.width > 0, d, "a table column needs a width");
  check(d.table.header.empty() || d.aggregation != Aggregation::Attribute, d, "a label cannot be a table column");
  for (const auto& e : existing) {
    check(e.key != d.key, d, "already registered");
    check(!is_prefix_path(e.key, d.key) && !is_prefix_path(d.key, e.key), d,
          "clashes with '" + e.key + "' (a value cannot also be an object)");
    check(d.column.empty() || e.column != d.column, d, "comparison.csv column '" + d.column + "' is taken");
  }
  check(d.column != "policy" && d.column != "policy_type", d, "comparison.csv column name is reserved");
}

size_t& builtin_count() {
  static size_t n = 0;
  return n;
}

std::vector<MetricDef>& registry() {
  static std::vector<MetricDef> r = [] {
    std::vector<MetricDef> v;
    for (auto& d : builtin_metrics()) {
      validate(d, v);
      v.push_back(std::move(d));
    }
    builtin_count() = v.size();
    return v;
  }();
  return r;
}

}  // namespace

const char* aggregation_name(Aggregation a) {
  switch (a) {
    case A::Attribute: return "attribute";
    case A::Count: return "count";
    case A::Total: return "total";
    case A::PerInference: return "per inference";
    case A::Mean: return "mean over completed requests";
    case A::Percentile: return "percentile over completed requests";
    case A::Max: return "maximum";
    case A::Share: return "share";
    case A::Ratio: return "ratio";
    case A::VsReference: return "versus the reference policy";
  }
  return "?";
}

MetricScope metric_scope(const std::string& key) {
  if (starts_with(key, "per_host.")) return MetricScope::Host;
  if (starts_with(key, "per_link.")) return MetricScope::Link;
  if (starts_with(key, "per_model.")) return MetricScope::Model;
  if (starts_with(key, "per_service.")) return MetricScope::Service;
  if (starts_with(key, "vs_reference.")) return MetricScope::Reference;
  return MetricScope::Run;
}

std::vector<std::string> metric_path(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

const std::vector<MetricDef>& metric_registry() { return registry(); }

void register_metric(MetricDef def) {
  auto& r = registry();
  validate(def, r);
  r.push_back(std::move(def));
}

bool unregister_metric(const std::string& key) {
  auto& r = registry();
  for (auto it = r.begin() + static_cast<std::ptrdiff_t>(builtin_count()); it != r.end(); ++it)
    if (it->key == key) {
      r.erase(it);
      return true;
    }
  return false;
}

const json* find_metric(const json& summary, const std::string& key) {
  const json* v = &summary;
  for (const auto& seg : metric_path(key)) {
    if (!v->is_object()) return nullptr;
    auto it = v->find(seg);
    if (it == v->end()) return nullptr;
    v = &*it;
  }
  return v;
}

}  // namespace ce
