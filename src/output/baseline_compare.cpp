// Baseline comparison for `carbonedge regress` (see baseline_compare.hpp, docs/regression.md).
#include "output/baseline_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "output/metric_registry.hpp"

namespace ce {

namespace {

constexpr const char* kFormat = "carbonedge-baseline/1";

void collect_leaves(const nlohmann::json& j, const std::string& prefix, MetricMap& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    const auto& v = it.value();
    if (v.is_object()) collect_leaves(v, key, out);
    else if (v.is_number()) out[key] = v.get<double>();
  }
}

double number_at(const nlohmann::json& j, const std::string& file, const std::string& key) {
  if (!j.is_number()) fail_at_key(file, key, "expected a number");
  double v = j.get<double>();
  if (!std::isfinite(v) || v < 0) fail_at_key(file, key, "expected a finite number >= 0");
  return v;
}

std::string num(double v) { return fmt::format("{:.8g}", v); }

}  // namespace

MetricMap numeric_leaves(const nlohmann::json& j) {
  MetricMap out;
  if (j.is_object()) collect_leaves(j, "", out);
  return out;
}

bool metric_matches(const std::string& pattern, const std::string& metric) {
  if (pattern.find('*') == std::string::npos) return pattern == metric;
  auto p = metric_path(pattern), m = metric_path(metric);
  if (p.size() != m.size()) return false;
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != "*" && p[i] != m[i]) return false;
  return true;
}

std::vector<std::string> default_tracked_metrics() {
  // The registry's tracked entries, by their `track` rank, then registry order.
  std::vector<const MetricDef*> tracked;
  for (const MetricDef& d : metric_registry())
    if (d.track > 0) tracked.push_back(&d);
  std::stable_sort(tracked.begin(), tracked.end(),
                   [](const MetricDef* a, const MetricDef* b) { return a->track < b->track; });
  std::vector<std::string> keys;
  for (const MetricDef* d : tracked) keys.push_back(d->key);
  return keys;
}

MetricMap tracked_metrics(const nlohmann::json& summary, const std::vector<std::string>& track) {
  MetricMap out;
  for (const auto& [metric, value] : numeric_leaves(summary))
    for (const auto& pattern : track)
      if (metric_matches(pattern, metric)) {
        out[metric] = value;
        break;
      }
  return out;
}

double Tolerances::relative_for(const std::string& policy, const std::string& metric) const {
  if (auto it = relative.find(policy + "/" + metric); it != relative.end()) return it->second;
  if (auto it = relative.find(metric); it != relative.end()) return it->second;
  for (const auto& [key, tol] : relative) {
    size_t slash = key.find('/');
    if (slash == std::string::npos ? metric_matches(key, metric)
                                   : key.substr(0, slash) == policy && metric_matches(key.substr(slash + 1), metric))
      return tol;
  }
  return default_relative;
}

Baseline parse_baseline(const nlohmann::json& j, const std::string& file) {
  if (!j.is_object()) fail_in_file(file, "a baseline must be a JSON object (see docs/regression.md)");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "format" && it.key() != "experiment" && it.key() != "seed" && it.key() != "track" &&
        it.key() != "tolerance" && it.key() != "metrics" && it.key() != "note")
      fail_at_key(file, it.key(), "unknown key (allowed: format, experiment, seed, track, tolerance, metrics, note)");
  Baseline b;
  if (!j.contains("format") || j["format"] != kFormat)
    fail_at_key(file, "format", fmt::format("expected \"{}\"", kFormat));
  if (!j.contains("experiment") || !j["experiment"].is_string())
    fail_at_key(file, "experiment", "expected the experiment's name (a string)");
  b.experiment = j["experiment"].get<std::string>();
  if (j.contains("seed")) {
    if (!j["seed"].is_number_integer() || j["seed"].get<int64_t>() < 0)
      fail_at_key(file, "seed", "expected an integer >= 0");
    b.seed = j["seed"].get<int64_t>();
  }
  if (j.contains("track")) {
    if (!j["track"].is_array() || j["track"].empty()) fail_at_key(file, "track", "expected a non-empty list of metric paths");
    b.track.clear();
    for (size_t i = 0; i < j["track"].size(); ++i) {
      if (!j["track"][i].is_string()) fail_at_key(file, fmt::format("track.{}", i), "expected a metric path (string)");
      b.track.push_back(j["track"][i].get<std::string>());
    }
  }
  if (j.contains("tolerance")) {
    const auto& t = j["tolerance"];
    if (!t.is_object()) fail_at_key(file, "tolerance", "expected an object");
    for (auto it = t.begin(); it != t.end(); ++it) {
      const std::string key = "tolerance." + it.key();
      if (it.key() == "default_relative") b.tolerance.default_relative = number_at(it.value(), file, key);
      else if (it.key() == "absolute") b.tolerance.absolute = number_at(it.value(), file, key);
      else if (it.key() == "relative") {
        if (!it.value().is_object()) fail_at_key(file, key, "expected {metric: relative tolerance}");
        for (auto r = it.value().begin(); r != it.value().end(); ++r)
          b.tolerance.relative[r.key()] = number_at(r.value(), file, key + "." + r.key());
      } else {
        fail_at_key(file, key, "unknown key (allowed: default_relative, absolute, relative)");
      }
    }
  }
  if (!j.contains("metrics") || !j["metrics"].is_object())
    fail_at_key(file, "metrics", "expected {policy: {metric: value}}");
  for (auto p = j["metrics"].begin(); p != j["metrics"].end(); ++p) {
    if (!p.value().is_object()) fail_at_key(file, "metrics." + p.key(), "expected {metric: value}");
    MetricMap& m = b.metrics[p.key()];
    for (auto v = p.value().begin(); v != p.value().end(); ++v) {
      if (!v.value().is_number())
        fail_at_key(file, "metrics." + p.key() + "." + v.key(), "expected a number");
      m[v.key()] = v.value().get<double>();
    }
  }
  return b;
}

Baseline load_baseline(const std::string& file) {
  std::ifstream in(file);
  if (!in) fail_in_file(file, "cannot read the baseline (run with --update to create it)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    fail_in_file(file, fmt::format("not valid JSON ({})", e.what()));
  }
  return parse_baseline(j, file);
}

nlohmann::json baseline_json(const Baseline& b) {
  nlohmann::json j;
  j["format"] = kFormat;
  j["note"] = "written by `carbonedge regress --update`; track and tolerance may be edited by hand "
              "(docs/regression.md)";
  j["experiment"] = b.experiment;
  if (b.seed >= 0) j["seed"] = b.seed;
  j["track"] = b.track;
  j["tolerance"] = {{"default_relative", b.tolerance.default_relative},
                    {"absolute", b.tolerance.absolute},
                    {"relative", nlohmann::json::object()}};
  for (const auto& [k, v] : b.tolerance.relative) j["tolerance"]["relative"][k] = v;
  j["metrics"] = nlohmann::json::object();
  for (const auto& [policy, metrics] : b.metrics) {
    j["metrics"][policy] = nlohmann::json::object();
    for (const auto& [k, v] : metrics) j["metrics"][policy][k] = v;
  }
  return j;
}

Comparison compare_to_baseline(const Baseline& b, const PolicyMetrics& current) {
  Comparison c;
  for (const auto& [policy, metrics] : b.metrics) {
    auto run = current.find(policy);
    if (run == current.end()) {
      MetricChange ch;
      ch.policy = policy;
      ch.metric = "*";
      ch.missing = true;
      c.moved.push_back(ch);
      continue;
    }
    for (const auto& [metric, old_value] : metrics) {
      ++c.compared;
      MetricChange ch;
      ch.policy = policy;
      ch.metric = metric;
      ch.old_value = old_value;
      ch.tolerance = b.tolerance.relative_for(policy, metric);
      auto now = run->second.find(metric);
      if (now == run->second.end()) {
        ch.missing = true;
        c.moved.push_back(ch);
        continue;
      }
      ch.new_value = now->second;
      double diff = std::fabs(ch.new_value - old_value);
      double allowed = std::max(ch.tolerance * std::fabs(old_value), b.tolerance.absolute);
      if (!(diff <= allowed)) c.moved.push_back(ch);  // NaN counts as moved
    }
  }
  return c;
}

std::string format_changes(const Comparison& c) {
  std::vector<std::array<std::string, 6>> rows;
  rows.push_back({"policy", "metric", "old", "new", "change", "tolerance"});
  for (const auto& ch : c.moved) {
    std::string change, tol = fmt::format("{:.3g}%", ch.tolerance * 100);
    if (ch.missing) {
      rows.push_back({ch.policy, ch.metric, ch.metric == "*" ? "(policy)" : num(ch.old_value),
                      ch.metric == "*" ? "policy missing" : "missing", "-", ch.metric == "*" ? "-" : tol});
      continue;
    }
    if (ch.old_value != 0)
      change = fmt::format("{:+.4g}%", (ch.new_value - ch.old_value) / std::fabs(ch.old_value) * 100);
    else
      change = fmt::format("{:+.4g} (abs)", ch.new_value - ch.old_value);
    rows.push_back({ch.policy, ch.metric, num(ch.old_value), num(ch.new_value), change, tol});
  }
  std::array<size_t, 6> width{};
  for (const auto& r : rows)
    for (size_t i = 0; i < 6; ++i) width[i] = std::max(width[i], r[i].size());
  std::ostringstream out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < 6; ++i) {
      // Names left-aligned, numbers right-aligned.
      line += i < 2 ? fmt::format("{:<{}}", r[i], width[i]) : fmt::format("{:>{}}", r[i], width[i]);
      if (i < 5) line += "  ";
    }
    out << line << "\n";
  }
  return out.str();
}

}  // namespace ce
