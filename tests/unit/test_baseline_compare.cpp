// `carbonedge regress`'s pure logic: picking tracked metrics out of summary.json, reading a
// baseline file, comparing metric maps under per-metric tolerances, and the table of what moved.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "output/baseline_compare.hpp"
#include "output/metric_registry.hpp"

using namespace ce;
using nlohmann::json;

namespace {

json summary() {
  return json::parse(R"({
    "policy": "green", "carbon_g": 10.0, "energy_j": 3600.0, "requests_completed": 50,
    "slo_violation_rate": 0.0, "latency_ms": {"p95": 250.0, "mean": 200.0},
    "per_host": {"a": {"zone": "GB", "task_share": 0.25, "tasks": 5}, "b": {"zone": "FR", "task_share": 0.75, "tasks": 15}},
    "flag": true, "missing": null})");
}

Baseline baseline_of(const PolicyMetrics& m) {
  Baseline b;
  b.experiment = "exp";
  b.metrics = m;
  return b;
}

}  // namespace

TEST_CASE("numeric leaves are flattened with dots — strings, booleans and nulls are skipped", "[regress]") {
  MetricMap m = numeric_leaves(summary());
  CHECK(m.at("latency_ms.p95") == 250.0);
  CHECK(m.at("per_host.b.task_share") == 0.75);
  CHECK(m.at("requests_completed") == 50);
  CHECK(m.count("policy") == 0);
  CHECK(m.count("per_host.a.zone") == 0);
  CHECK(m.count("flag") == 0);
  CHECK(m.count("missing") == 0);
}

TEST_CASE("track patterns: '*' matches exactly one path segment", "[regress]") {
  CHECK(metric_matches("per_host.*.task_share", "per_host.node-green.task_share"));
  CHECK_FALSE(metric_matches("per_host.*.task_share", "per_host.node-green.tasks"));
  CHECK_FALSE(metric_matches("per_host.*", "per_host.a.task_share"));
  CHECK(metric_matches("carbon_g", "carbon_g"));
  CHECK_FALSE(metric_matches("carbon_g", "dynamic_carbon_g"));
  MetricMap t = tracked_metrics(summary(), {"carbon_g", "per_host.*.task_share", "not_there"});
  CHECK(t.size() == 3);
  CHECK(t.at("per_host.a.task_share") == 0.25);
}

TEST_CASE("an unchanged run passes — a metric beyond its tolerance is reported", "[regress]") {
  Baseline b = baseline_of({{"green", {{"carbon_g", 10.0}, {"latency_ms.p95", 250.0}}}});
  b.tolerance.default_relative = 0.01;
  Comparison same = compare_to_baseline(b, {{"green", {{"carbon_g", 10.0}, {"latency_ms.p95", 250.0}}}});
  CHECK(same.ok());
  CHECK(same.compared == 2);

  Comparison within = compare_to_baseline(b, {{"green", {{"carbon_g", 10.09}, {"latency_ms.p95", 248.0}}}});
  CHECK(within.ok());

  Comparison moved = compare_to_baseline(b, {{"green", {{"carbon_g", 10.2}, {"latency_ms.p95", 250.0}}}});
  REQUIRE(moved.moved.size() == 1);
  CHECK(moved.moved[0].metric == "carbon_g");
  CHECK(moved.moved[0].old_value == 10.0);
  CHECK(moved.moved[0].new_value == 10.2);
  CHECK_FALSE(moved.moved[0].missing);
}

TEST_CASE("per-metric and per-policy tolerances override the default", "[regress]") {
  Tolerances t;
  t.default_relative = 1e-6;
  t.relative = {{"latency_ms.p95", 0.05}, {"green/carbon_g", 0.1}, {"per_host.*.task_share", 0.2}};
  CHECK(t.relative_for("green", "carbon_g") == 0.1);
  CHECK(t.relative_for("mono", "carbon_g") == 1e-6);
  CHECK(t.relative_for("mono", "latency_ms.p95") == 0.05);
  CHECK(t.relative_for("mono", "per_host.x.task_share") == 0.2);

  Baseline b = baseline_of({{"green", {{"carbon_g", 10.0}}}, {"mono", {{"carbon_g", 10.0}}}});
  b.tolerance = t;
  Comparison c = compare_to_baseline(b, {{"green", {{"carbon_g", 10.5}}}, {"mono", {{"carbon_g", 10.5}}}});
  REQUIRE(c.moved.size() == 1);
  CHECK(c.moved[0].policy == "mono");
  CHECK(c.moved[0].tolerance == 1e-6);
}

TEST_CASE("zero-valued metrics use the absolute floor", "[regress]") {
  Baseline b = baseline_of({{"p", {{"slo_violation_rate", 0.0}}}});
  b.tolerance.absolute = 1e-9;
  CHECK(compare_to_baseline(b, {{"p", {{"slo_violation_rate", 1e-12}}}}).ok());
  CHECK_FALSE(compare_to_baseline(b, {{"p", {{"slo_violation_rate", 0.02}}}}).ok());
}

TEST_CASE("new metrics are ignored — missing tracked metrics and policies fail", "[regress]") {
  Baseline b = baseline_of({{"p", {{"carbon_g", 1.0}}}, {"q", {{"carbon_g", 2.0}}}});
  Comparison extra = compare_to_baseline(
      b, {{"p", {{"carbon_g", 1.0}, {"carbon_efficiency", 3.0}}}, {"q", {{"carbon_g", 2.0}}}, {"r", {{"carbon_g", 9.0}}}});
  CHECK(extra.ok());

  Comparison missing = compare_to_baseline(b, {{"p", {{"energy_j", 1.0}}}});
  REQUIRE(missing.moved.size() == 2);
  CHECK(missing.moved[0].policy == "p");
  CHECK(missing.moved[0].missing);
  CHECK(missing.moved[1].policy == "q");
  CHECK(missing.moved[1].metric == "*");
  std::string table = format_changes(missing);
  CHECK(table.find("missing") != std::string::npos);
  CHECK(table.find("policy missing") != std::string::npos);
}

TEST_CASE("the table lists old, new, change and tolerance of each moved metric", "[regress]") {
  Baseline b = baseline_of({{"green", {{"carbon_g", 10.0}, {"energy_j", 0.0}}}});
  b.tolerance.default_relative = 0.01;
  Comparison c = compare_to_baseline(b, {{"green", {{"carbon_g", 12.5}, {"energy_j", 3.0}}}});
  std::string table = format_changes(c);
  INFO(table);
  CHECK(table.rfind("policy", 0) == 0);
  for (const char* col : {"metric", "old", "new", "change", "tolerance"}) CHECK(table.find(col) != std::string::npos);
  CHECK(table.find("+25%") != std::string::npos);    // 10 -> 12.5
  CHECK(table.find("+3 (abs)") != std::string::npos);  // from 0: absolute change
  CHECK(table.find("1%") != std::string::npos);
}

TEST_CASE("baseline files round-trip and bad ones name the key at fault", "[regress]") {
  Baseline b = baseline_of({{"green", {{"carbon_g", 0.1 + 0.2}, {"per_host.a.task_share", 1.0}}}});
  b.seed = 42;
  b.tolerance.relative["latency_ms.p95"] = 1e-3;
  b.track = {"carbon_g", "per_host.*.task_share"};
  Baseline back = parse_baseline(json::parse(baseline_json(b).dump()), "f.json");
  CHECK(back.experiment == "exp");
  CHECK(back.seed == 42);
  CHECK(back.track == b.track);
  CHECK(back.tolerance.relative.at("latency_ms.p95") == 1e-3);
  CHECK(back.metrics.at("green").at("carbon_g") == 0.1 + 0.2);  // exact: JSON keeps every double digit

  auto error_of = [](const std::string& text) {
    try {
      parse_baseline(json::parse(text), "base.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string ok_head = R"("format": "carbonedge-baseline/1", "experiment": "e")";
  CHECK(error_of("[]").find("base.json") != std::string::npos);
  CHECK(error_of(R"({"experiment": "e", "metrics": {}})").find("'format'") != std::string::npos);
  CHECK(error_of("{" + ok_head + "}").find("'metrics'") != std::string::npos);
  CHECK(error_of("{" + ok_head + R"(, "metrics": {"p": {"carbon_g": "x"}}})").find("'metrics.p.carbon_g'") !=
        std::string::npos);
  CHECK(error_of("{" + ok_head + R"(, "metrics": {}, "tolerance": {"relative": {"carbon_g": -1}}})")
            .find("'tolerance.relative.carbon_g'") != std::string::npos);
  CHECK(error_of("{" + ok_head + R"(, "metrics": {}, "tolerances": {}})").find("'tolerances'") != std::string::npos);
  CHECK(error_of("{" + ok_head + R"(, "metrics": {}})") == "no error");
}

TEST_CASE("a new baseline tracks the metric registry's tracked entries, each present in summary.json", "[regress]") {
  const std::vector<std::string> track = default_tracked_metrics();
  CHECK(Baseline{}.track == track);
  for (const auto& key : track) {
    bool registered = false;
    for (const auto& d : metric_registry())
      if (d.key == key) registered = d.track > 0;
    CHECK(registered);
  }
  // Its patterns pick the per-host and per-model leaves of a real-shaped summary.
  MetricMap t = tracked_metrics(summary(), track);
  CHECK(t.count("per_host.a.task_share") == 1);
  CHECK(t.count("per_host.a.tasks") == 0);
  CHECK(t.count("latency_ms.p95") == 1);
}
