#pragma once
// `carbonedge regress`: the pure part. A baseline file records, per policy, the metrics of a run
// that we want to keep still (numeric leaves of summary.json chosen by `track` patterns) and how
// far each may move (relative tolerance, with per-metric overrides editable by hand). Comparing a
// new run is a pure function of two metric maps; reading the run is the CLI's job.
//
// Baseline file (JSON, docs/regression.md):
//   {"format": "carbonedge-baseline/1", "experiment": NAME, "seed": N,
//    "track": ["carbon_g", "latency_ms.p95", "per_host.*.task_share", ...],
//    "tolerance": {"default_relative": 1e-6, "absolute": 1e-9,
//                  "relative": {"latency_ms.p95": 1e-4, "ce-green/carbon_g": 0.01}},
//    "metrics": {"<policy>": {"<metric>": value, ...}, ...}}
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ce {

using MetricMap = std::map<std::string, double>;            // metric path -> value
using PolicyMetrics = std::map<std::string, MetricMap>;     // policy label -> metrics

// Every numeric leaf of a JSON object as a double, keyed by its '.'-joined path (latency_ms.p95,
// per_host.node-green.task_share). Strings, booleans and nulls are not metrics and are skipped.
MetricMap numeric_leaves(const nlohmann::json& j);

// `pattern` is a metric path where a '*' segment matches any one segment (per_host.*.task_share).
bool metric_matches(const std::string& pattern, const std::string& metric);

// What a new baseline tracks unless its file says otherwise: the metric registry's entries with
// `track` > 0 (output/metric_registry.hpp), in their `track` order.
std::vector<std::string> default_tracked_metrics();

// The leaves of `summary` that match any of `track`.
MetricMap tracked_metrics(const nlohmann::json& summary, const std::vector<std::string>& track);

struct Tolerances {
  double default_relative = 1e-6;  // |new − old| ≤ rel·|old| passes
  double absolute = 1e-9;          // differences this small always pass (metrics whose value is 0)
  std::map<std::string, double> relative;  // "metric", "policy/metric" or a '*' pattern -> rel

  // Order: "policy/metric" exact, then "metric" exact, then the first matching pattern (either
  // form), then default_relative.
  double relative_for(const std::string& policy, const std::string& metric) const;
};

struct Baseline {
  std::string experiment;  // the experiment's name (run.json "name")
  int64_t seed = -1;       // seed the metrics were produced with; -1 = not recorded
  std::vector<std::string> track = default_tracked_metrics();
  Tolerances tolerance;
  PolicyMetrics metrics;
};

// Throws InputError naming `file` and the key at fault.
Baseline parse_baseline(const nlohmann::json& j, const std::string& file);
Baseline load_baseline(const std::string& file);  // read + parse; InputError if unreadable
nlohmann::json baseline_json(const Baseline& b);

struct MetricChange {
  std::string policy, metric;
  double old_value = 0, new_value = 0;
  bool missing = false;    // tracked metric (or whole policy, metric "*") absent from the new run
  double tolerance = 0;    // relative tolerance that applied
};

struct Comparison {
  size_t compared = 0;               // metrics compared
  std::vector<MetricChange> moved;   // beyond tolerance, or missing; in baseline order
  bool ok() const { return moved.empty(); }
};

// Compares every metric of the baseline with `current` (metrics the baseline does not track are
// ignored, so new metrics in summary.json never fail a run).
Comparison compare_to_baseline(const Baseline& b, const PolicyMetrics& current);

// The table of moved metrics: policy, metric, old, new, change, tolerance.
std::string format_changes(const Comparison& c);

}  // namespace ce
