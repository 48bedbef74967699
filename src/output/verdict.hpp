#pragma once
// The one-line verdict under the table `carbonedge run` prints: which policy emits least carbon per
// inference, which has the lowest p95 latency, and the Pareto set over (carbon per inference, p95
// latency[, top-1 accuracy when the policies' accuracies differ]). Totals are mostly idle power, so
// the table's columns look alike; the verdict says what the comparison found (docs/outputs.md).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ce {

// What the verdict reads of one policy's summary. NaN = null (nothing completed, no accuracy).
struct VerdictPoint {
  std::string policy;
  uint64_t completed = 0;
  double gco2_per_inference = std::numeric_limits<double>::quiet_NaN();
  double p95_ms = std::numeric_limits<double>::quiet_NaN();
  double top1 = std::numeric_limits<double>::quiet_NaN();
};
// From a summary.json (gco2_per_inference, latency_ms.p95, mean_top1, requests_completed).
VerdictPoint verdict_point(const std::string& policy, const nlohmann::json& summary);

struct Verdict {
  std::vector<std::string> lowest_carbon;  // every policy at the minimum (ties), in input order
  double carbon = 0;                       // that minimum, g per inference
  std::vector<std::string> lowest_p95;
  double p95_ms = 0;
  std::vector<std::string> pareto;         // not dominated, in input order (equal points both stay)
  bool with_accuracy = false;              // accuracy was an axis of the Pareto set
  std::vector<std::string> no_completed;   // left out: no completed request, so no figures
};

// Policies with no completed request (or a null figure) take no part: their p95 of 0 would win.
Verdict make_verdict(const std::vector<VerdictPoint>& points);
// "verdict: lowest carbon/inference A (x g); lowest p95 latency B (y ms); Pareto (…): A, B\n".
std::string verdict_line(const Verdict& v);

}  // namespace ce
