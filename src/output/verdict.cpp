// The verdict line under the printed table (verdict.hpp, docs/outputs.md "The printed table").
#include "output/verdict.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "output/metric_registry.hpp"

namespace ce {

namespace {

double number_or_nan(const nlohmann::json& summary, const char* key) {
  const nlohmann::json* v = find_metric(summary, key);
  return v && v->is_number() ? v->get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::string names(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& n : v) s += (s.empty() ? "" : sep) + n;
  return s;
}

// a dominates b: no worse on every axis, better on one (lower carbon and p95, higher accuracy).
bool dominates(const VerdictPoint& a, const VerdictPoint& b, bool accuracy) {
  const bool no_worse = a.gco2_per_inference <= b.gco2_per_inference && a.p95_ms <= b.p95_ms &&
                        (!accuracy || a.top1 >= b.top1);
  const bool better = a.gco2_per_inference < b.gco2_per_inference || a.p95_ms < b.p95_ms ||
                      (accuracy && a.top1 > b.top1);
  return no_worse && better;
}

}  // namespace

VerdictPoint verdict_point(const std::string& policy, const nlohmann::json& summary) {
  VerdictPoint p;
  p.policy = policy;
  const nlohmann::json* n = find_metric(summary, "requests_completed");
  p.completed = n && n->is_number() && n->get<double>() > 0 ? static_cast<uint64_t>(n->get<double>()) : 0;
  p.gco2_per_inference = number_or_nan(summary, "gco2_per_inference");
  p.p95_ms = number_or_nan(summary, "latency_ms.p95");
  p.top1 = number_or_nan(summary, "mean_top1");
  return p;
}

Verdict make_verdict(const std::vector<VerdictPoint>& points) {
  Verdict v;
  std::vector<VerdictPoint> in;
  for (const auto& p : points)
    if (p.completed == 0 || std::isnan(p.gco2_per_inference) || std::isnan(p.p95_ms)) v.no_completed.push_back(p.policy);
    else in.push_back(p);
  if (in.empty()) return v;
  v.carbon = in.front().gco2_per_inference;
  v.p95_ms = in.front().p95_ms;
  for (const auto& p : in) {
    v.carbon = std::min(v.carbon, p.gco2_per_inference);
    v.p95_ms = std::min(v.p95_ms, p.p95_ms);
  }
  // Accuracy is an axis only when every policy has one and they are not all equal (same model).
  bool all_have = true, differ = false;
  for (const auto& p : in) {
    all_have = all_have && !std::isnan(p.top1);
    differ = differ || p.top1 != in.front().top1;
  }
  v.with_accuracy = all_have && differ;
  for (const auto& p : in) {
    if (p.gco2_per_inference == v.carbon) v.lowest_carbon.push_back(p.policy);
    if (p.p95_ms == v.p95_ms) v.lowest_p95.push_back(p.policy);
    bool dominated = false;
    for (const auto& q : in) dominated = dominated || dominates(q, p, v.with_accuracy);
    if (!dominated) v.pareto.push_back(p.policy);
  }
  return v;
}

std::string verdict_line(const Verdict& v) {
  std::string s = "verdict: ";
  if (v.pareto.empty()) {
    s += "no policy completed a request";
  } else {
    s += fmt::format("lowest carbon/inference {} ({:.6g} g); lowest p95 latency {} ({:.2f} ms); Pareto (carbon/"
                     "inference, p95{}): {}",
                     names(v.lowest_carbon, " = "), v.carbon, names(v.lowest_p95, " = "), v.p95_ms,
                     v.with_accuracy ? ", top-1" : "", names(v.pareto, ", "));
    if (!v.no_completed.empty()) s += "; no completed request: " + names(v.no_completed, ", ");
  }
  return s + "\n";
}

}  // namespace ce
