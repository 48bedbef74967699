#pragma once
// Turns a RunResult into the numbers a researcher compares: totals that always include idle
// power, per-consumer carbon from the exact interval integral, per-request shares, latency.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "accounting/carbon_integral.hpp"
#include "carbon/carbon_catalog.hpp"
#include "config/platform_spec.hpp"
#include "accounting/run_accountant.hpp"
#include "records/run_records.hpp"

namespace ce {

struct ConsumerMetrics {
  std::string name, zone;
  bool is_link = false;
  uint64_t tasks = 0;
  double energy_j = 0, carbon_g = 0;
  double idle_energy_j = 0, idle_carbon_g = 0;  // at idle (or off) power: the part no request caused
  double embodied_g = 0;  // embodied carbon amortised over the span (hosts with `embodied`)
};

// Wall-clock time per arrival decision (timing.json). sim/ times the first kDecisionTimedAll
// decisions, then every kDecisionTimedEvery-th (simulation.cpp present(): reading the clock on
// every decision would cost more than many decisions). Each later sample stands for
// kDecisionTimedEvery decisions, so the statistics weight it that much: mean and quantiles then
// describe the same population, every decision of the run, not the warm-up's overweighted sample.
constexpr size_t kDecisionTimedAll = 4096;
constexpr size_t kDecisionTimedEvery = 64;  // must match simulation.cpp's `& 63`
struct DecisionTiming {
  uint64_t sampled = 0;   // decisions timed (the first included)
  double first_us = 0;    // the run's first decision: cold caches, a policy's lazy set-up; kept apart
  // Over the other samples, weighted (NaN when there are none). The mean can exceed p99 when under
  // 1% of the samples are long (an OS preemption or page fault inside the timed call: max shows
  // it); trimmed_mean is the mean of the samples <= p99, the robust figure for a policy's cost.
  double mean_us = 0, trimmed_mean_us = 0, p50_us = 0, p99_us = 0, max_us = 0;
};
// From SimResult::decision_ns, in the order sim/ took them.
DecisionTiming decision_timing(const std::vector<double>& decision_ns);

// One service (a requested model name) under failures (accounting/resilience_tally.hpp).
struct ServiceMetrics {
  std::string name;
  uint64_t arrived = 0, completed = 0;
  double availability = 0;     // completed / arrived (NaN when none arrived)
  double mean_top1 = 0;        // of its completed requests' variants (NaN when none completed)
  uint64_t failovers = 0;      // failures that hit it and that it recovered from (MTTR samples)
  uint64_t unrestored = 0;     // failures that hit it, not recovered by the end
  double mttr_mean_ms = 0, mttr_max_ms = 0;  // NaN without a sample
  double mttr_wait_mean_ms = 0;              // of mttr_mean_ms: from the failure to its next request
};

struct RunMetrics {
  double span_s = 0;
  uint64_t arrived = 0, completed = 0, rejected = 0, failed = 0;
  double energy_j = 0, carbon_g = 0;    // all hosts and links, idle included
  double idle_energy_j = 0, idle_carbon_g = 0;        // Σ consumers at idle (or off) power
  // Of idle: model replicas held in memory and loaded (`replicas:`; 0 without), the carbon cost of
  // keeping replicas warm and reloading them.
  double replica_energy_j = 0, replica_carbon_g = 0;
  uint64_t replica_loads = 0;  // loads that finished (SimResult::replica_loads)
  uint64_t unsupported_placements = 0;  // SimResult::unsupported_placements
  // Σ over every request that ran (completed or failed) of its dynamic share; equals
  // energy − idle (the accounting invariant, checked by tests/golden/test_energy_invariant.cpp).
  double dynamic_energy_j = 0, dynamic_carbon_g = 0;
  double completed_dynamic_energy_j = 0, completed_dynamic_carbon_g = 0;
  // Per completed request: (total − completed requests' dynamic) / completed. NaN (null in JSON)
  // when nothing completed, as are the per-inference figures below.
  double idle_share_j = 0, idle_share_g = 0;
  double embodied_g = 0;
  double inferences_per_gco2 = 0, gco2_per_inference = 0;
  double dynamic_gco2_per_inference = 0;  // dynamic_carbon_g / completed: what the policy's work cost
  double latency_mean_ms = 0, latency_p50_ms = 0, latency_p95_ms = 0, latency_p99_ms = 0, latency_max_ms = 0;
  double slo_violation_rate = 0;
  double network_mean_ms = 0, network_p95_ms = 0;  // one-way network latency (RunTally::network)
  // Requests with a workload `deadline:` (deferrable): how many completed, how many of those after
  // their deadline, and their latency (arrival → result, deferral included; NaN when none). The
  // latency figures above are those of the requests without a deadline.
  uint64_t deferrable_completed = 0, deadline_violations = 0;
  double deferrable_latency_p50_ms = 0, deferrable_latency_p95_ms = 0, deferrable_latency_max_ms = 0;
  // Batch jobs (workload batch_job; 0 without): inferences completed, the dynamic energy and carbon
  // of their requests, jobs with a request rejected (cannot finish) or completed late. The oracle
  // bound of their carbon (policy/oracle_bound.hpp, set by the caller: the same for every policy)
  // and the regrets: batch_carbon_g / oracle_batch_carbon_g − 1, and the run's carbon over the
  // same carbon with the batch part replaced by the bound, − 1 (NaN without jobs).
  double batch_items_completed = 0, batch_energy_j = 0, batch_carbon_g = 0;
  uint64_t jobs_rejected = 0, jobs_late = 0;
  // Requests placed although no candidate host could meet their SLO even unloaded (Plan::
  // beyond_slo_reach), and the distinct source devices (user locations) they came from.
  uint64_t slo_unreachable_requests = 0, slo_unreachable_users = 0;
  double oracle_batch_carbon_g = 0, regret_vs_oracle = 0, total_regret_vs_oracle = 0;
  // Language models (RunTally's LLM part): NaN percentiles and per-token figures without an LLM
  // request completed. energy/carbon per token: the run's whole energy and carbon (idle and every
  // other request included) per output token; dynamic: the LLM requests' own per output token.
  uint64_t llm_completed = 0, ttft_violations = 0, tpot_violations = 0;
  double ttft_p50_ms = 0, ttft_p95_ms = 0, ttft_p99_ms = 0, tpot_p50_ms = 0, tpot_p95_ms = 0, tpot_p99_ms = 0;
  double prompt_tokens = 0, output_tokens = 0, output_tokens_per_s = 0;
  double energy_per_token_j = 0, carbon_per_token_g = 0, dynamic_energy_per_token_j = 0;
  double mean_top1 = 0, mean_top5 = 0;  // NaN when nothing completed  // accuracy (%) averaged over completed requests
  std::map<std::string, uint64_t> served_per_model;  // variant name → completed requests
  DecisionTiming decision;  // wall clock: timing.json only, never summary.json
  std::vector<ConsumerMetrics> consumers;
  // Resilience (accounting/resilience_tally.hpp): completed / arrived; the requests that arrived
  // while some host was down, and of them those lost (failed or rejected) or late; recoveries over
  // every service, their MTTR (NaN without one), and failures not recovered from by the end.
  double availability = 0;
  uint64_t requests_during_failures = 0, lost_during_failures = 0, late_during_failures = 0;
  uint64_t failovers = 0, unrestored = 0;
  double mttr_mean_ms = 0, mttr_p50_ms = 0, mttr_max_ms = 0;
  double mttr_wait_mean_ms = 0;  // of mttr_mean_ms: from the failure to the service's next request
  double recovery_p50_ms = 0;    // lower median over recoveries of MTTR − wait (NaN without one)
  // 1 − Σ top-1 delivered / Σ top-1 requested over completed requests (services with a top-1):
  // all of them, and those that arrived while a host was down (NaN when none).
  double accuracy_loss = 0, accuracy_loss_during_failures = 0;
  std::vector<ServiceMetrics> services;  // the requested names, in workload order
  uint64_t host_tasks = 0;
  std::vector<std::string> warnings;  // the simulation's (SimResult::warnings)  // Σ stages executed over all hosts (per-host shares divide by it)
};

// From what sim/ handed over (hosts, end of the run) and what the accountant observed (every
// consumer's totals, summed as its samples came; tallies). Needs acc.finish() first.
RunMetrics compute_metrics(const SimResult& r, const RunAccountant& acc, const ZoneTimelines& carbon,
                           const PlatformSpec& p);
// Fills oracle_batch_carbon_g and the regrets from the bound (NaN regrets when the bound is not > 0).
void set_oracle_bound(RunMetrics& m, double oracle_batch_carbon_g);

}  // namespace ce
