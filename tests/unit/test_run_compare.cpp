// `carbonedge compare`'s pure part (src/output/run_compare.hpp): every run-level registry metric of
// every policy in both sides with B − A and the relative change; policies on one side only; the
// most-changed policy; run and sweep directories read back, and bad ones refused in one line.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "output/metric_registry.hpp"
#include "output/run_compare.hpp"

using namespace ce;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json summary(double carbon, uint64_t completed = 10) {
  return {{"policy", "p"},
          {"requests_completed", completed},
          {"carbon_g", carbon},
          {"latency_ms", {{"p95", 100.0}}},
          {"gco2_per_inference", completed ? json(carbon / static_cast<double>(completed)) : json(nullptr)}};
}

RunSummaries side(std::vector<std::pair<std::string, json>> entries) {
  RunSummaries r;
  r.dir = "x";
  r.entries = std::move(entries);
  return r;
}

const MetricDelta& metric(const PolicyDelta& p, const std::string& key) {
  for (const auto& m : p.metrics)
    if (m.metric == key) return m;
  FAIL("no metric " << key);
  throw;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char t[] = "/tmp/ce-run-compare-XXXXXX";
    REQUIRE(mkdtemp(t));
    path = t;
  }
  ~TempDir() { fs::remove_all(path); }
  void file(const fs::path& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel) << text;
  }
};

std::string error_of(const std::string& dir) {
  try {
    read_run_summaries(dir);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("compare_runs: A, B, delta and relative change of every policy in both", "[output][compare]") {
  const RunComparison c = compare_runs(side({{"mono", summary(2.0)}, {"rr", summary(4.0)}, {"old", summary(1.0)}}),
                                       side({{"rr", summary(3.0)}, {"mono", summary(2.5)}, {"new", summary(1.0)}}));
  REQUIRE(c.both.size() == 2);
  CHECK(c.both[0].policy == "mono");  // A's order
  CHECK(c.only_a == std::vector<std::string>{"old"});
  CHECK(c.only_b == std::vector<std::string>{"new"});
  const MetricDelta& carbon = metric(c.both[0], "carbon_g");
  CHECK(carbon.a == 2.0);
  CHECK(carbon.b == 2.5);
  CHECK(carbon.delta() == 0.5);
  CHECK(carbon.relative() == 0.25);
  CHECK(carbon.unit == "g");
  // rr moved −25%, mono +25%: equal sizes, the first in A's order is named.
  CHECK(c.most_changed == "mono");
  CHECK(c.most_changed_relative == 0.25);
  // Every run-level registry metric present in a summary is listed, in registry order; absent
  // on both sides (vs_reference without a reference, the many keys these summaries lack) is not.
  std::vector<std::string> keys;
  for (const auto& m : c.both[0].metrics) keys.push_back(m.metric);
  CHECK(keys == std::vector<std::string>{"requests_completed", "carbon_g", "gco2_per_inference", "latency_ms.p95"});

  const std::string table = compare_table(c);
  CHECK(table.find("only in A: old\n") != std::string::npos);
  CHECK(table.find("only in B: new\n") != std::string::npos);
  CHECK(table.find("most changed: mono, carbon_g +25% (2 → 2.5 g)\n") != std::string::npos);
  const std::string csv = compare_csv(c);
  CHECK(csv.substr(0, csv.find('\n')) == "policy,metric,unit,a,b,delta,relative_delta");
  CHECK(csv.find("\nrr,carbon_g,g,4,3,-1,-0.25\n") != std::string::npos);
}

TEST_CASE("compare_runs: null and zero values give empty or — cells, never a division by zero",
          "[output][compare]") {
  // B completed nothing: its per-inference figure is null.
  const RunComparison c = compare_runs(side({{"p", summary(2.0)}}), side({{"p", summary(0.0, 0)}}));
  const MetricDelta& per_inf = metric(c.both[0], "gco2_per_inference");
  CHECK(std::isnan(per_inf.b));
  CHECK(std::isnan(per_inf.delta()));
  CHECK(std::isnan(per_inf.relative()));
  CHECK(compare_csv(c).find("\np,gco2_per_inference,g,0.2,,,\n") != std::string::npos);
  CHECK(compare_table(c).find("—") != std::string::npos);
  // From 0: relative undefined; 0 → 0 is no change.
  CHECK(std::isnan(MetricDelta{"x", "g", 0.0, 1.0}.relative()));
  CHECK(MetricDelta{"x", "g", 0.0, 0.0}.relative() == 0);
  // Nothing changed: no policy is named.
  const RunComparison same = compare_runs(side({{"p", summary(2.0)}}), side({{"p", summary(2.0)}}));
  CHECK(same.most_changed.empty());
  CHECK(compare_table(same).find("most changed: none") != std::string::npos);
  CHECK(compare_table(compare_runs(side({{"a", summary(1)}}), side({{"b", summary(1)}})))
            .find("no policy is in both A and B\n") != std::string::npos);
}

TEST_CASE("read_run_summaries: run and sweep directories, bad ones in one line naming the path",
          "[output][compare]") {
  TempDir t;
  t.file("run/run.json", R"({"name": "qs", "seed": 7, "policies": ["rr", "mono"]})");
  t.file("run/mono/summary.json", summary(2.0).dump());
  t.file("run/rr/summary.json", summary(3.0).dump());
  t.file("run/extra/summary.json", summary(1.0).dump());  // not in run.json: after, by name
  const RunSummaries r = read_run_summaries((t.path / "run").string());
  CHECK_FALSE(r.sweep);
  CHECK(r.name == "qs");
  CHECK(r.seed == 7);
  REQUIRE(r.entries.size() == 3);
  CHECK(r.entries[0].first == "rr");
  CHECK(r.entries[1].first == "mono");
  CHECK(r.entries[2].first == "extra");
  CHECK(r.entries[1].second.at("carbon_g") == 2.0);

  t.file("sweep/sweep.json", R"({"experiment": "/x/sweep_small.yaml"})");
  for (const char* p : {"0001", "0000"}) {
    t.file(std::string("sweep/points/") + p + "/run.json", R"({"name": "s", "seed": 1})");
    t.file(std::string("sweep/points/") + p + "/mono/summary.json", summary(2.0).dump());
  }
  t.file("sweep/points/0002.partial-99/mono/summary.json", summary(2.0).dump());  // unfinished: skipped
  const RunSummaries s = read_run_summaries((t.path / "sweep").string());
  CHECK(s.sweep);
  REQUIRE(s.entries.size() == 2);
  CHECK(s.entries[0].first == "0000/mono");
  CHECK(s.entries[1].first == "0001/mono");

  const std::string missing = (t.path / "nope").string();
  CHECK(error_of(missing).find(missing + ": not a directory") == 0);
  fs::create_directories(t.path / "plain");
  CHECK(error_of((t.path / "plain").string()).find("neither run.json nor sweep.json") != std::string::npos);
  t.file("empty_run/run.json", "{}");
  CHECK(error_of((t.path / "empty_run").string()).find("no <policy>/summary.json") != std::string::npos);
  t.file("broken/run.json", "{\"name\": ");
  CHECK(error_of((t.path / "broken").string()).find("broken/run.json: not valid JSON") != std::string::npos);
  t.file("empty_sweep/sweep.json", "{}");
  CHECK(error_of((t.path / "empty_sweep").string()).find("without any finished point") != std::string::npos);
  for (const char* d : {"nope", "plain", "empty_run", "broken", "empty_sweep"})
    CHECK(error_of((t.path / d).string()).find('\n') == std::string::npos);
}
