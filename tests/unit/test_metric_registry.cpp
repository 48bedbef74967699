// The metric registry (src/output/metric_registry.hpp) and the one CSV writer (core/csv_writer.hpp):
// a metric registered in one place reaches summary.json, comparison.csv, the printed table and the
// regress baseline's default list; labels with commas and quotes keep comparison.csv's columns.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/csv.hpp"
#include "core/csv_writer.hpp"
#include "output/baseline_compare.hpp"
#include "output/metric_registry.hpp"
#include "output/reference_metrics.hpp"
#include "output/results_writer.hpp"

using namespace ce;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Removes what a test registered, however the test ends.
struct Registered {
  std::vector<std::string> keys;
  void add(MetricDef d) {
    const std::string key = d.key;
    register_metric(std::move(d));
    keys.push_back(key);
  }
  ~Registered() {
    for (const auto& k : keys) unregister_metric(k);
  }
};

PolicySpec policy(const std::string& label, const std::string& type = "monolithic") {
  PolicySpec p;
  p.label = label;
  p.type = type;
  return p;
}

RunMetrics run_metrics() {
  RunMetrics m;
  m.span_s = 3600;
  m.arrived = 12;
  m.completed = 10;
  m.energy_j = 7200;
  m.carbon_g = 2.5;
  m.dynamic_carbon_g = 0.5;
  m.gco2_per_inference = 0.25;
  m.dynamic_gco2_per_inference = 0.05;
  m.latency_p95_ms = 120;
  m.slo_violation_rate = 0.1;
  m.mean_top1 = 76.13;
  m.served_per_model = {{"resnet50", 10}};
  ServiceMetrics svc;
  svc.name = "resnet";
  svc.arrived = 12;
  svc.completed = 10;
  svc.availability = 10.0 / 12;
  svc.mean_top1 = 76.13;
  svc.failovers = 1;
  svc.mttr_mean_ms = svc.mttr_max_ms = 150;
  m.services.push_back(svc);
  ConsumerMetrics h;
  h.name = "edge";
  h.zone = "GB";
  h.tasks = 10;
  h.energy_j = 7000;
  h.carbon_g = 2.4;
  ConsumerMetrics l;
  l.name = "wire";
  l.zone = "GB";
  l.is_link = true;
  l.tasks = 4;
  l.energy_j = 200;
  m.consumers = {h, l};
  m.host_tasks = 10;
  return m;
}

fs::path scratch_file(const std::string& name) {
  return fs::temp_directory_path() / ("ce-unit-registry-" + std::to_string(::getpid()) + "-" + name);
}

// comparison.csv written for `rows`, read back with the project's CsvReader.
std::vector<std::vector<std::string>> comparison_cells(const std::vector<std::pair<PolicySpec, json>>& rows) {
  const fs::path p = scratch_file("comparison.csv");
  write_comparison(p.string(), rows);
  std::vector<std::vector<std::string>> out;
  {
    CsvReader r(p.string());
    std::vector<std::string> f;
    while (r.next(f)) out.push_back(f);
  }
  fs::remove(p);
  return out;
}

std::vector<std::string> comparison_columns() {
  std::vector<std::string> cols;
  for (const auto& d : metric_registry())
    if (!d.column.empty()) cols.push_back(d.column);
  return cols;
}

// A summary as `carbonedge run` sees it: written, then read back from summary.json.
json summary_of(const RunMetrics& m, const PolicySpec& p) { return json::parse(summary_json(m, p).dump(2)); }

}  // namespace

TEST_CASE("the built-in registry gives the historical columns, table and tracked list", "[output][registry]") {
  CHECK(comparison_columns() ==
        std::vector<std::string>{"requests_completed", "energy_j", "carbon_g", "dynamic_energy_j",
                                 "dynamic_carbon_g", "gco2_per_inference", "dynamic_gco2_per_inference",
                                 "inferences_per_gco2", "latency_mean_ms", "latency_p95_ms", "latency_p99_ms",
                                 "slo_violation_rate", "batch_carbon_g", "regret_vs_oracle", "ttft_p50_ms", "tpot_p50_ms",
                                   "energy_per_token_j", "carbon_per_token_g", "mean_top1", "mean_top5",
                                 "carbon_change_vs_ref",
                                 "delta_top1_vs_ref_pp", "cee_top1", "cee_top5"});
  // The order baselines were first written with (experiments/ci/*.baseline.json "track").
  CHECK(default_tracked_metrics() ==
        std::vector<std::string>{"requests_completed", "requests_rejected", "requests_failed", "energy_j",
                                 "carbon_g", "dynamic_carbon_g", "gco2_per_inference", "inferences_per_gco2",
                                 "slo_violation_rate", "mean_top1", "latency_ms.mean", "latency_ms.p95",
                                 "latency_ms.p99", "per_host.*.task_share", "per_host.*.carbon_g", "mean_top5",
                                 "per_model.*.share", "vs_reference.cee_top1", "vs_reference.carbon_change"});
  std::vector<std::string> headers;
  for (const auto& d : metric_registry()) {
    CHECK_FALSE(d.doc.empty());
    if (d.aggregation != Aggregation::Attribute) CHECK_FALSE(d.unit.empty());
    if (!d.table.header.empty()) headers.push_back(d.table.header);
  }
  CHECK(headers == std::vector<std::string>{"requests", "energy_J", "carbon_g", "dyn_carb_g", "gCO2/inf",
                                            "dyn_gCO2/inf", "p95_ms", "SLO_viol", "top1%", "CEE_top1"});
}

TEST_CASE("summary.json holds every registered metric at its key", "[output][registry]") {
  const json s = summary_of(run_metrics(), policy("mono"));
  CHECK(s.at("policy") == "mono");
  CHECK(s.at("requests_completed").get<uint64_t>() == 10);
  CHECK(s.at("latency_ms").at("p95").get<double>() == 120);
  CHECK(s.at("per_host").at("edge").at("task_share").get<double>() == 1.0);
  CHECK(s.at("per_host").at("edge").at("zone") == "GB");
  CHECK(s.at("per_link").at("wire").at("tasks").get<uint64_t>() == 4);
  CHECK_FALSE(s.at("per_link").at("wire").contains("task_share"));
  CHECK(s.at("per_model").at("resnet50").at("share").get<double>() == 1.0);
  CHECK(s.at("per_service").at("resnet").at("mttr_mean_ms").get<double>() == 150);
  for (const auto& d : metric_registry()) {
    if (metric_scope(d.key) == MetricScope::Reference) continue;
    std::string key = d.key;
    if (metric_scope(key) == MetricScope::Host) key.replace(key.find('*'), 1, "edge");
    if (metric_scope(key) == MetricScope::Link) key.replace(key.find('*'), 1, "wire");
    if (metric_scope(key) == MetricScope::Model) key.replace(key.find('*'), 1, "resnet50");
    if (metric_scope(key) == MetricScope::Service) key.replace(key.find('*'), 1, "resnet");
    CHECK(find_metric(s, key) != nullptr);
  }
  // NaN (nothing completed) is written as null.
  RunMetrics none;
  none.mean_top1 = std::numeric_limits<double>::quiet_NaN();
  CHECK(summary_of(none, policy("x")).at("mean_top1").is_null());
  // Variants without an ImageNet accuracy (BERT, YOLO: top1 0) give null, not a mean of 0 — the
  // table prints —, comparison.csv an empty cell; a real accuracy stays as it is.
  RunMetrics bert = run_metrics();
  bert.mean_top1 = 0;
  bert.mean_top5 = 0;
  const json b = summary_of(bert, policy("bert"));
  CHECK(b.at("mean_top1").is_null());
  CHECK(b.at("mean_top5").is_null());
  CHECK(s.at("mean_top1").get<double>() == 76.13);
  const auto cells = comparison_cells({{policy("bert"), b}});
  const auto col = std::find(cells[0].begin(), cells[0].end(), "mean_top1") - cells[0].begin();
  CHECK(cells[1].at(static_cast<size_t>(col)).empty());
}

TEST_CASE("a metric added in a test touches one place: summary, comparison.csv, table, regress",
          "[output][registry]") {
  Registered reg;
  reg.add({"requests_per_kj", "requests/kJ", Aggregation::Ratio, kTracked, "requests_per_kj",
           {"req/kJ", 8, "{:.3f}"}, "completed requests per kilojoule",
           RunValue([](const RunMetrics& m) -> json { return m.completed / (m.energy_j / 1000); })});
  reg.add({"per_host.*.tasks_per_j", "tasks/J", Aggregation::Ratio, kUntracked, "", {}, "stages per joule",
           ConsumerValue([](const RunMetrics&, const ConsumerMetrics& c) -> json {
             return static_cast<double>(c.tasks) / c.energy_j;
           })});

  const RunMetrics m = run_metrics();
  const json s = summary_of(m, policy("mono"));
  CHECK(s.at("requests_per_kj").get<double>() == Approx(10 / 7.2));
  CHECK(s.at("per_host").at("edge").at("tasks_per_j").get<double>() == Approx(10.0 / 7000));
  CHECK_FALSE(s.at("per_link").at("wire").contains("tasks_per_j"));

  auto cells = comparison_cells({{policy("mono"), s}});
  REQUIRE(cells.size() == 2);
  CHECK(cells[0].back() == "requests_per_kj");  // appended after the built-in columns
  CHECK(cells[0].size() == 2 + comparison_columns().size());
  CHECK(std::stod(cells[1].back()) == Approx(10 / 7.2));

  const std::string table = comparison_table({{policy("mono"), s}});
  CHECK(table.find("  req/kJ\n") != std::string::npos);
  CHECK(table.find("   1.389\n") != std::string::npos);

  CHECK(default_tracked_metrics().back() == "requests_per_kj");
  CHECK(tracked_metrics(s, default_tracked_metrics()).count("requests_per_kj") == 1);

  // An untracked, column-less metric is in summary.json only.
  reg.add({"quiet_metric", "1", Aggregation::Total, kUntracked, "", {}, "a metric nobody lists",
           RunValue([](const RunMetrics&) -> json { return 1.5; })});
  const json s2 = summary_of(m, policy("mono"));
  CHECK(s2.at("quiet_metric").get<double>() == 1.5);
  CHECK(comparison_cells({{policy("mono"), s2}})[0].back() == "requests_per_kj");
  CHECK(default_tracked_metrics().back() == "requests_per_kj");
}

TEST_CASE("a vs_reference metric registered once is computed for every row", "[output][registry]") {
  Registered reg;
  reg.add({"vs_reference.top1_ratio", "1", Aggregation::VsReference, kUntracked, "top1_ratio_vs_ref", {},
           "mean_top1 over the reference's", ReferenceValue([](const ReferenceInput& r) -> json {
             return r.row.at("mean_top1").get<double>() / r.reference.at("mean_top1").get<double>();
           })});
  PolicyRows rows = {{policy("small"), json{{"mean_top1", 50.0}, {"mean_top5", 70.0}, {"carbon_g", 1.0}}},
                     {policy("big"), json{{"mean_top1", 75.0}, {"mean_top5", 90.0}, {"carbon_g", 2.0}}}};
  add_reference_metrics(rows, "small");
  CHECK(rows[1].second.at("vs_reference").at("top1_ratio").get<double>() == 1.5);
  CHECK(rows[1].second.at("vs_reference").at("cee_top1").get<double>() == 25.0);
  auto cells = comparison_cells(rows);
  CHECK(cells[0].back() == "top1_ratio_vs_ref");
  CHECK(cells[2].back() == "1.5");
}

TEST_CASE("registrations that would break an output are refused", "[output][registry]") {
  auto run = RunValue([](const RunMetrics&) -> json { return 0; });
  auto per_host = ConsumerValue([](const RunMetrics&, const ConsumerMetrics&) -> json { return 0; });
  CHECK_THROWS_AS(register_metric({"carbon_g", "g", Aggregation::Total, kUntracked, "", {}, "dup", run}),
                  std::invalid_argument);
  CHECK_THROWS_AS(register_metric({"x_new", "g", Aggregation::Total, kUntracked, "carbon_g", {}, "column taken", run}),
                  std::invalid_argument);
  CHECK_THROWS_AS(register_metric({"latency_ms", "ms", Aggregation::Mean, kUntracked, "", {}, "object clash", run}),
                  std::invalid_argument);
  CHECK_THROWS_AS(register_metric({"per_host.*.x_new", "1", Aggregation::Total, kUntracked, "", {}, "kind", run}),
                  std::invalid_argument);
  CHECK_THROWS_AS(
      register_metric({"per_host.*.x_new", "1", Aggregation::Total, kUntracked, "x_new", {}, "column", per_host}),
      std::invalid_argument);
  CHECK_THROWS_AS(register_metric({"x_new", "1", Aggregation::Total, kUntracked, "", {}, "kind", per_host}),
                  std::invalid_argument);
  CHECK_THROWS_AS(register_metric({"policy", "", Aggregation::Attribute, kUntracked, "", {}, "identity", run}),
                  std::invalid_argument);
  CHECK_FALSE(unregister_metric("carbon_g"));  // built-ins stay
  CHECK_FALSE(unregister_metric("x_new"));     // nothing was registered
  CHECK(find_metric(summary_of(run_metrics(), policy("p")), "x_new") == nullptr);
}

TEST_CASE("the printed table: null as —, percentages, CEE only with a reference", "[output][registry]") {
  json none = summary_of(RunMetrics{}, policy("idle"));
  for (const char* k : {"gco2_per_inference", "dynamic_gco2_per_inference", "slo_violation_rate", "mean_top1"})
    none[k] = nullptr;
  const json some = summary_of(run_metrics(), policy("busy"));
  const std::string t = comparison_table({{policy("idle"), none}, {policy("busy"), some}});
  CHECK(t ==
        "policy            requests     energy_J    carbon_g  dyn_carb_g      gCO2/inf  dyn_gCO2/inf      p95_ms  "
        "SLO_viol   top1%\n"
        "idle                     0         0.00      0.0000      0.0000             —             —        0.00"
        "         —       —\n"
        "busy                    10      7200.00      2.5000      0.5000          0.25          0.05      120.00"
        "     10.0%   76.13\n"
        // The verdict leaves out "idle": with nothing completed its p95 of 0 is no latency.
        "verdict: lowest carbon/inference busy (0.25 g); lowest p95 latency busy (120.00 ms); Pareto (carbon/"
        "inference, p95): busy; no completed request: idle\n");
  PolicyRows rows = {{policy("busy"), some}, {policy("busy2"), some}};
  rows[1].second["carbon_g"] = 3.5;
  add_reference_metrics(rows, "busy");
  const std::string r = comparison_table(rows);
  CHECK(r.substr(0, r.find('\n')).size() > t.substr(0, t.find('\n')).size());
  CHECK(r.find("    CEE_top1\n") != std::string::npos);
  CHECK(r.find("           —\n") != std::string::npos);  // the reference: ΔCO2 = 0
  CHECK(r.find("           0\n") != std::string::npos);  // same accuracy, more carbon
}

TEST_CASE("CSV fields are quoted per RFC 4180 and read back by CsvReader", "[output][csv]") {
  CHECK(csv_field("plain-label_1.5") == "plain-label_1.5");
  CHECK(csv_field("mono,lith") == "\"mono,lith\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("cr\r") == "\"cr\r\"");
  CHECK(csv_field("") == "");
  CHECK(csv_row({"a", "b,c", ""}) == "a,\"b,c\",\n");

  // A policy labelled with a comma, one with quotes, and a type with both keep every column.
  const json s = summary_of(run_metrics(), policy("x"));
  const std::vector<std::pair<PolicySpec, json>> rows = {
      {policy("mono,lith"), s}, {policy("the \"green\" one"), s}, {policy("plain", "odd,\"type\""), s}};
  const auto cells = comparison_cells(rows);
  REQUIRE(cells.size() == 4);
  const size_t width = 2 + comparison_columns().size();
  for (const auto& row : cells) CHECK(row.size() == width);
  CHECK(cells[1][0] == "mono,lith");
  CHECK(cells[2][0] == "the \"green\" one");
  CHECK(cells[3][0] == "plain");
  CHECK(cells[3][1] == "odd,\"type\"");
  CHECK(cells[1][2] == "10");  // requests_completed: the columns did not shift
}

TEST_CASE("every built-in metric and column is documented in docs/outputs.md", "[output][registry][docs]") {
  std::ifstream in(std::string(CE_TEST_SOURCE_DIR) + "/docs/outputs.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (const auto& d : metric_registry()) {
    const std::string leaf = metric_path(d.key).back();
    INFO(d.key);
    CHECK(doc.find(leaf) != std::string::npos);
    if (!d.column.empty()) CHECK(doc.find("`" + d.column + "`") != std::string::npos);
  }
}
