// `carbonedge compare` without the CLI: reading run and sweep directories back, and the comparison
// (run_compare.hpp, docs/outputs.md "carbonedge compare").
#include "output/run_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "core/csv_writer.hpp"
#include "core/error.hpp"
#include "output/metric_registry.hpp"

namespace fs = std::filesystem;

namespace ce {

using nlohmann::json;

namespace {

constexpr const char* kExpected =
    "expected a directory written by `carbonedge run` (run.json, <policy>/summary.json) or `carbonedge sweep` "
    "(sweep.json, points/)";

json read_json(const fs::path& file) {
  std::ifstream in(file);
  if (!in) fail_in_file(file.string(), "cannot be read");
  try {
    json j = json::parse(in);
    if (!j.is_object()) fail_in_file(file.string(), "expected a JSON object");
    return j;
  } catch (const json::parse_error& e) {
    fail_in_file(file.string(), fmt::format("not valid JSON ({})", e.what()));
  }
}

// The policies of a run directory with a summary: run.json's `policies` order first (the
// experiment's), then any other <dir>/<label>/summary.json by name.
void read_run_dir(const fs::path& dir, const json& run, const std::string& prefix, RunSummaries& out) {
  std::vector<std::string> labels;
  if (auto it = run.find("policies"); it != run.end() && it->is_array())
    for (const auto& p : *it)
      if (p.is_string()) labels.push_back(p.get<std::string>());
  std::vector<std::string> others;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && fs::exists(e.path() / "summary.json") &&
        std::find(labels.begin(), labels.end(), e.path().filename().string()) == labels.end())
      others.push_back(e.path().filename().string());
  std::sort(others.begin(), others.end());
  labels.insert(labels.end(), others.begin(), others.end());
  for (const auto& label : labels)
    if (fs::exists(dir / label / "summary.json"))
      out.entries.emplace_back(prefix + label, read_json(dir / label / "summary.json"));
}

double value_of(const json& summary, const std::string& key) {
  const json* v = find_metric(summary, key);
  return v && v->is_number() ? v->get<double>() : std::numeric_limits<double>::quiet_NaN();
}

const json* find_entry(const RunSummaries& r, const std::string& name) {
  for (const auto& [n, s] : r.entries)
    if (n == name) return &s;
  return nullptr;
}

std::string number(double x, const char* spec) { return std::isnan(x) ? "—" : fmt::format(fmt::runtime(spec), x); }

std::string relative_text(double r) {
  return std::isnan(r) ? "—" : r == 0 ? "0%" : fmt::format("{:+.4g}%", r * 100);
}
std::string delta_text(double d) { return std::isnan(d) ? "—" : d == 0 ? "0" : fmt::format("{:+.6g}", d); }

}  // namespace

RunSummaries read_run_summaries(const std::string& dir) {
  const fs::path d(dir);
  std::error_code ec;
  if (!fs::is_directory(d, ec)) fail_in_file(dir, std::string("not a directory; ") + kExpected);
  RunSummaries r;
  r.dir = dir;
  if (fs::exists(d / "run.json")) {
    const json run = read_json(d / "run.json");
    r.name = run.value("name", "");
    r.seed = run.value("seed", -1LL);
    read_run_dir(d, run, "", r);
    if (r.entries.empty()) fail_in_file(dir, "no <policy>/summary.json (an incomplete run?); " + std::string(kExpected));
    return r;
  }
  if (!fs::exists(d / "sweep.json")) fail_in_file(dir, std::string("neither run.json nor sweep.json; ") + kExpected);
  const json sweep = read_json(d / "sweep.json");
  r.sweep = true;
  r.name = sweep.value("experiment", "");
  // A policy whose configuration an earlier point already simulated is not simulated again: its
  // result is that point's (sweep.json `reused`: [{point, from: {label: earlier point}}]; point
  // directories are the indices, zero-padded).
  std::map<long long, std::vector<std::pair<std::string, long long>>> reused;  // point → (label, from)
  if (auto it = sweep.find("reused"); it != sweep.end() && it->is_array())
    for (const auto& x : *it)
      if (x.contains("point") && x["point"].is_number_integer() && x.contains("from") && x["from"].is_object())
        for (const auto& [label, from] : x["from"].items())
          if (from.is_number_integer()) reused[x["point"].get<long long>()].emplace_back(label, from.get<long long>());
  auto index_of = [](const std::string& name) {
    return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos && name.size() < 18
               ? std::stoll(name)
               : -1LL;
  };
  std::vector<std::string> points;  // finished points: points/<index>/ with its run.json, or reused ones
  std::map<long long, std::string> dir_of;
  if (fs::is_directory(d / "points", ec))
    for (const auto& e : fs::directory_iterator(d / "points")) {
      const std::string name = e.path().filename().string();
      if (!e.is_directory()) continue;
      dir_of[index_of(name)] = name;
      if (fs::exists(e.path() / "run.json") || reused.count(index_of(name))) points.push_back(name);
    }
  std::sort(points.begin(), points.end());
  for (const auto& p : points) {
    if (fs::exists(d / "points" / p / "run.json"))
      read_run_dir(d / "points" / p, read_json(d / "points" / p / "run.json"), p + "/", r);
    auto it = reused.find(index_of(p));
    if (it == reused.end()) continue;
    for (const auto& [label, from] : it->second) {
      auto src_dir = dir_of.find(from);
      if (src_dir == dir_of.end() || fs::exists(d / "points" / p / label / "summary.json")) continue;
      const fs::path src = d / "points" / src_dir->second / label / "summary.json";
      if (fs::exists(src)) r.entries.emplace_back(p + "/" + label, read_json(src));
    }
  }
  if (r.entries.empty())
    fail_in_file(dir, "a sweep directory without any finished point (points/<index>/<policy>/summary.json)");
  return r;
}

double MetricDelta::relative() const {
  if (a == b) return 0;  // also 0 → 0
  if (std::isnan(a) || std::isnan(b) || a == 0) return std::numeric_limits<double>::quiet_NaN();
  return (b - a) / std::fabs(a);
}

RunComparison compare_runs(const RunSummaries& a, const RunSummaries& b) {
  RunComparison c;
  for (const auto& [name, sa] : a.entries) {
    const json* sb = find_entry(b, name);
    if (!sb) {
      c.only_a.push_back(name);
      continue;
    }
    PolicyDelta p;
    p.policy = name;
    for (const MetricDef& d : metric_registry()) {
      const MetricScope scope = metric_scope(d.key);
      if ((scope != MetricScope::Run && scope != MetricScope::Reference) || d.aggregation == Aggregation::Attribute)
        continue;
      if (!find_metric(sa, d.key) && !find_metric(*sb, d.key)) continue;  // vs_reference without a reference
      p.metrics.push_back({d.key, d.unit, value_of(sa, d.key), value_of(*sb, d.key)});
      if (d.key == "carbon_g") {
        const double rel = p.metrics.back().relative();
        if (!std::isnan(rel) && std::fabs(rel) > std::fabs(c.most_changed_relative)) {
          c.most_changed = name;
          c.most_changed_relative = rel;
        }
      }
    }
    c.both.push_back(std::move(p));
  }
  for (const auto& [name, sb] : b.entries)
    if (!find_entry(a, name)) c.only_b.push_back(name);
  return c;
}

std::string compare_table(const RunComparison& c) {
  std::vector<std::array<std::string, 7>> rows;
  rows.push_back({"policy", "metric", "unit", "A", "B", "B-A", "relative"});
  for (const auto& p : c.both)
    for (const auto& m : p.metrics)
      rows.push_back({p.policy, m.metric, m.unit, number(m.a, "{:.8g}"), number(m.b, "{:.8g}"),
                      delta_text(m.delta()), relative_text(m.relative())});
  std::array<size_t, 7> width{};
  auto cells = [](const std::string& s) {  // display width: "—" is one column, three bytes
    size_t n = 0;
    for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;  // not a UTF-8 continuation byte
    return n;
  };
  for (const auto& r : rows)
    for (size_t i = 0; i < 7; ++i) width[i] = std::max(width[i], cells(r[i]));
  std::string s;
  for (const auto& r : rows) {
    for (size_t i = 0; i < 7; ++i) {
      const std::string pad(width[i] - cells(r[i]), ' ');
      s += i < 3 ? r[i] + pad : pad + r[i];  // names left-aligned, numbers right-aligned
      s += i < 6 ? "  " : "\n";
    }
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string l;
    for (const auto& n : v) l += (l.empty() ? "" : ", ") + n;
    return l;
  };
  if (!c.only_a.empty()) s += "only in A: " + list(c.only_a) + "\n";
  if (!c.only_b.empty()) s += "only in B: " + list(c.only_b) + "\n";
  if (c.both.empty()) {
    s += "no policy is in both A and B\n";
  } else if (c.most_changed.empty()) {
    s += "most changed: none (carbon_g equal in A and B for every policy in both)\n";
  } else {
    for (const auto& p : c.both)
      if (p.policy == c.most_changed)
        for (const auto& m : p.metrics)
          if (m.metric == "carbon_g")
            s += fmt::format("most changed: {}, carbon_g {} ({:.8g} → {:.8g} g)\n", p.policy,
                             relative_text(c.most_changed_relative), m.a, m.b);
  }
  return s;
}

std::string compare_csv(const RunComparison& c) {
  std::string s = "policy,metric,unit,a,b,delta,relative_delta\n";
  auto num = [](double x) { return std::isnan(x) ? std::string() : fmt::format("{}", x); };
  for (const auto& p : c.both)
    for (const auto& m : p.metrics) {
      s += csv_field(p.policy);
      for (const std::string& f : {m.metric, m.unit, num(m.a), num(m.b), num(m.delta()), num(m.relative())})
        append_csv_field(s, f);
      s += "\n";
    }
  return s;
}

}  // namespace ce
