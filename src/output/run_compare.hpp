#pragma once
// `carbonedge compare A B`: the pure part. Two run directories (outputs of `carbonedge run`) or two
// sweep directories read back as their summaries; for every policy present in both, every run-level
// metric of the registry (output/metric_registry.hpp) with A, B, B − A and (B − A) / |A|; the
// policies found on one side only; the policy whose total carbon changed most (docs/outputs.md).
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ce {

// A run or sweep directory read back: one summary.json per entry, in the run's policy order.
struct RunSummaries {
  std::string dir;
  bool sweep = false;
  std::string name;  // run.json's (or sweep.json's) experiment name, "" when absent
  long long seed = -1;  // run.json's seed; -1 for a sweep (each point has its own)
  // A run: (label, summary). A sweep: ("<point>/<label>", summary) over points/<point>/, by point.
  std::vector<std::pair<std::string, nlohmann::json>> entries;
};

// Reads DIR: a run directory (run.json and <label>/summary.json) or a sweep directory (sweep.json
// and points/<index>/). Throws InputError, one line naming the path and what is expected, when it is
// neither, holds no summary, or a file is not valid JSON.
RunSummaries read_run_summaries(const std::string& dir);

// One metric of one policy on both sides. NaN where the value is null or absent.
struct MetricDelta {
  std::string metric, unit;
  double a, b;
  double delta() const { return b - a; }  // NaN when either is
  double relative() const;                 // (b − a) / |a|; 0 when equal; NaN when a is 0 and b is not
};

struct PolicyDelta {
  std::string policy;
  std::vector<MetricDelta> metrics;  // registry order
};

struct RunComparison {
  std::vector<PolicyDelta> both;            // in A's order
  std::vector<std::string> only_a, only_b;  // in each side's order
  std::string most_changed;  // largest |relative change| of carbon_g ("" when none is defined)
  double most_changed_relative = 0;
};

// The registry's run-level numeric metrics (summary.json keys without '*', vs_reference.* where
// both summaries have them) for every entry present in both.
RunComparison compare_runs(const RunSummaries& a, const RunSummaries& b);

// Columns policy, metric, unit, a, b, delta, relative (—: undefined), then the policies on one side
// only and the most-changed line.
std::string compare_table(const RunComparison& c);
// RFC 4180: policy,metric,unit,a,b,delta,relative_delta; one row per metric of each policy in
// both; empty cells where undefined. Numbers in shortest round-trip form.
std::string compare_csv(const RunComparison& c);

}  // namespace ce
