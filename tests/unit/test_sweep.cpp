// Pure logic of `carbonedge sweep`: parsing the sweep: section (with errors naming file and key),
// expanding grid × zip × seeds into points, point directory names, flattening summaries and the
// results.csv layout, and the resume record.
#include <catch2/catch.hpp>

#include "config/experiment.hpp"
#include "core/error.hpp"
#include "sweep/slurm_scripts.hpp"
#include "sweep/sweep_results.hpp"
#include "sweep/sweep_spec.hpp"

using namespace ce;
using nlohmann::json;

namespace {

SweepSpec parse(const std::string& yaml, uint64_t seed = 5) { return parse_sweep(YAML::Load(yaml), "exp.yaml", seed); }

// The InputError message parse() throws, or "" when it does not throw.
std::string parse_error(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("sweep grid is a cartesian product with the last key fastest and seeds innermost", "[sweep]") {
  auto spec = parse("sweep:\n  grid: {policies.green.w_C: [0, 0.25, 0.5], workload.rate: [5, 10]}\n  replicates: 2\n");
  auto pts = expand_sweep(spec);
  REQUIRE(pts.size() == 12);
  CHECK(swept_keys(spec) == std::vector<std::string>{"policies.green.w_C", "workload.rate"});
  CHECK(pts[0].overrides() == std::vector<std::string>{"policies.green.w_C=0", "workload.rate=5"});
  CHECK(pts[0].seed == 5);
  CHECK(pts[1].overrides() == pts[0].overrides());
  CHECK(pts[1].seed == 6);  // replicates: seed, seed+1
  CHECK(pts[2].overrides() == std::vector<std::string>{"policies.green.w_C=0", "workload.rate=10"});
  CHECK(pts[4].overrides() == std::vector<std::string>{"policies.green.w_C=0.25", "workload.rate=5"});
  CHECK(pts[11].overrides() == std::vector<std::string>{"policies.green.w_C=0.5", "workload.rate=10"});
  for (size_t i = 0; i < pts.size(); ++i) CHECK(pts[i].index == i);
}

TEST_CASE("sweep zip advances lists together and multiplies with the grid", "[sweep]") {
  auto spec = parse(
      "sweep:\n  grid: {workload.rate: [1, 2]}\n"
      "  zip: {carbon.start: [2023-01-01T00:00:00Z, 2023-07-01T00:00:00Z], platform.hosts.node-green.region: [FR, "
      "DE]}\n"
      "  seeds: [9, 1]\n");
  auto pts = expand_sweep(spec);
  REQUIRE(pts.size() == 2 * 2 * 2);
  CHECK(swept_keys(spec).back() == "platform.hosts.node-green.region");
  CHECK(pts[0].overrides() == std::vector<std::string>{"workload.rate=1", "carbon.start=2023-01-01T00:00:00Z",
                                                       "platform.hosts.node-green.region=FR"});
  CHECK(pts[0].seed == 9);
  CHECK(pts[1].seed == 1);
  CHECK(pts[2].overrides()[2] == "platform.hosts.node-green.region=DE");
  CHECK(pts[2].overrides()[1] == "carbon.start=2023-07-01T00:00:00Z");
  CHECK(pts[4].overrides()[0] == "workload.rate=2");
}

TEST_CASE("sweep without replicates uses the experiment's seed once", "[sweep]") {
  auto pts = expand_sweep(parse("sweep:\n  grid: {workload.rate: [1, 2, 3]}\n", 42));
  REQUIRE(pts.size() == 3);
  for (const auto& p : pts) CHECK(p.seed == 42);
  auto only_seeds = expand_sweep(parse("sweep:\n  replicates: 3\n", 7));
  REQUIRE(only_seeds.size() == 3);
  CHECK(only_seeds[2].seed == 9);
  CHECK(only_seeds[2].overrides().empty());
}

TEST_CASE("sweep values that are not plain scalars survive the trip through --set", "[sweep]") {
  auto pts =
      expand_sweep(parse("sweep:\n  grid:\n    policies.a.hosts: [[h1, h2], [h3]]\n"
                         "    workload.note: ['a: b', '[x']\n"));
  REQUIRE(pts.size() == 4);
  // Each override, applied as --set does, gives back the value written in the sweep section.
  YAML::Node doc = YAML::Load("policies: {a: {hosts: []}}\nworkload: {}\n");
  for (const auto& o : pts[1].overrides()) apply_override(doc, o, "exp.yaml");
  REQUIRE(doc["policies"]["a"]["hosts"].IsSequence());
  CHECK(doc["policies"]["a"]["hosts"][1].as<std::string>() == "h2");
  CHECK(doc["workload"]["note"].as<std::string>() == "[x");
  for (const auto& o : pts[0].overrides()) apply_override(doc, o, "exp.yaml");
  CHECK(doc["workload"]["note"].as<std::string>() == "a: b");
}

TEST_CASE("bad sweep sections fail with the file and the key", "[sweep]") {
  CHECK_THAT(parse_error("name: x\n"), Catch::Contains("exp.yaml") && Catch::Contains("no `sweep:` section"));
  CHECK_THAT(parse_error("sweep: {gird: {a: [1]}}\n"), Catch::Contains("sweep.gird") && Catch::Contains("unknown key"));
  CHECK_THAT(parse_error("sweep: {grid: {workload.rate: 5}}\n"),
             Catch::Contains("sweep.grid.workload.rate") && Catch::Contains("list of values"));
  CHECK_THAT(parse_error("sweep: {grid: {workload.rate: []}}\n"), Catch::Contains("lists no values"));
  CHECK_THAT(parse_error("sweep: {zip: {a.b: [1, 2], c.d: [1, 2, 3]}}\n"),
             Catch::Contains("sweep.zip.c.d") && Catch::Contains("same length"));
  CHECK_THAT(parse_error("sweep: {grid: {a.b: [1]}, zip: {a.b: [2]}}\n"), Catch::Contains("swept twice"));
  CHECK_THAT(parse_error("sweep: {replicates: 0}\n"), Catch::Contains("sweep.replicates"));
  CHECK_THAT(parse_error("sweep: {replicates: 2, seeds: [1]}\n"), Catch::Contains("not both"));
  CHECK_THAT(parse_error("sweep: {seeds: [1, x]}\n"), Catch::Contains("sweep.seeds") && Catch::Contains("'x'"));
  CHECK_THAT(parse_error("sweep: {seeds: [4, 4]}\n"), Catch::Contains("listed twice"));
  CHECK_THAT(parse_error("sweep: {grid: {seed: [1, 2]}}\n"), Catch::Contains("replicates"));
  CHECK_THAT(parse_error("sweep: {grid: {a..b: [1]}}\n"), Catch::Contains("not a key path"));
  CHECK_THAT(parse_error("sweep: {grid: {a.b: [1, ~]}}\n"), Catch::Contains("empty value"));
  CHECK_THAT(parse_error("sweep: {}\n"), Catch::Contains("is empty"));
  CHECK(parse_error("sweep: {grid: {a.b: [1]}}\n").empty());
}

TEST_CASE("point directory names sort in point order", "[sweep]") {
  CHECK(point_dir_name(7, 40) == "0007");
  CHECK(point_dir_name(9999, 10000) == "9999");
  CHECK(point_dir_name(3, 10001) == "00003");
  CHECK(point_dir_name(123456, 200000) == "123456");
}

TEST_CASE("summaries flatten to their numeric leaves", "[sweep]") {
  json s = json::parse(R"({"policy": "green", "carbon_g": 0.1, "tasks": 3, "ok": true,
      "latency_ms": {"p95": 12.5}, "per_host": {"node-green": {"task_share": 1.0, "zone": "Z"}}, "v": [4, 5]})");
  auto f = flatten_numeric(s);
  CHECK(f.size() == 6);
  CHECK(f.at("carbon_g") == "0.1");
  CHECK(f.at("tasks") == "3");
  CHECK(f.at("latency_ms.p95") == "12.5");
  CHECK(f.at("per_host.node-green.task_share") == "1.0");
  CHECK(f.at("v.1") == "5");
  CHECK(f.count("policy") == 0);
  CHECK(f.count("per_host.node-green.zone") == 0);
  // Full precision: the text reads back to the very same double.
  double third = 1.0 / 3.0;
  CHECK(std::stod(flatten_numeric(json{{"x", third}}).at("x")) == third);
}

TEST_CASE("results.csv has point then swept keys then seed and policy then sorted metrics with blanks for gaps",
          "[sweep]") {
  auto spec =
      parse("sweep:\n  grid: {policies.green.w_C: [0, 0.5]}\n  zip: {carbon.start: ['2023-01-01T00:00:00Z']}\n");
  auto pts = expand_sweep(spec);
  std::vector<SweepResultRow> rows;
  for (const auto& p : pts) {
    json mono = {{"policy", "mono"}, {"policy_type", "monolithic"}, {"carbon_g", 2.5}, {"latency_ms", {{"p95", 7}}}};
    json green = {{"policy", "green"}, {"policy_type", "carbonedge"}, {"carbon_g", 1.25}, {"extra", 1}};
    for (auto& r : point_rows(p, {mono, green})) rows.push_back(r);
  }
  std::string csv = results_csv(swept_keys(spec), rows);
  CHECK(csv ==
        "point,policies.green.w_C,carbon.start,seed,policy,policy_type,carbon_g,extra,latency_ms.p95\n"
        "0,0,2023-01-01T00:00:00Z,5,mono,monolithic,2.5,,7\n"
        "0,0,2023-01-01T00:00:00Z,5,green,carbonedge,1.25,1,\n"
        "1,0.5,2023-01-01T00:00:00Z,5,mono,monolithic,2.5,,7\n"
        "1,0.5,2023-01-01T00:00:00Z,5,green,carbonedge,1.25,1,\n");
  CHECK(csv_field("[a, b]") == "\"[a, b]\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

TEST_CASE("a sweep record only matches the same experiment and overrides and points", "[sweep]") {
  auto pts = expand_sweep(parse("sweep: {grid: {a.b: [1, 2]}}\n"));
  json rec = sweep_record("/x/exp.yaml", "abc123", {"k=v"}, {"a.b"}, pts);
  CHECK(sweep_record_mismatch(rec, sweep_record("/elsewhere/exp.yaml", "abc123", {"k=v"}, {"a.b"}, pts)).empty());
  CHECK_THAT(sweep_record_mismatch(rec, sweep_record("/x/exp.yaml", "def456", {"k=v"}, {"a.b"}, pts)),
             Catch::Contains("experiment file changed"));
  CHECK_THAT(sweep_record_mismatch(rec, sweep_record("/x/exp.yaml", "abc123", {}, {"a.b"}, pts)),
             Catch::Contains("--set"));
  auto other = expand_sweep(parse("sweep: {grid: {a.b: [1, 3]}}\n"));
  CHECK_THAT(sweep_record_mismatch(rec, sweep_record("/x/exp.yaml", "abc123", {"k=v"}, {"a.b"}, other)),
             Catch::Contains("points differ"));
}

TEST_CASE("Slurm array ranges and batch scripts", "[sweep][slurm]") {
  CHECK(array_ranges({0, 1, 2, 5, 7, 8}) == "0-2,5,7-8");
  CHECK(array_ranges({3}) == "3");
  CHECK(array_ranges({}).empty());
  CHECK(shell_quote("it's /a b") == "'it'\\''s /a b'");
  auto s = slurm_scripts("'/bin/carbonedge' sweep 'e.yaml' --out '/o'", "/o/slurm", "exp");
  CHECK_THAT(
      s.points,
      Catch::StartsWith("#!/bin/sh\n") && Catch::Contains("#SBATCH --output=/o/slurm/logs/point-%a.log") &&
          Catch::EndsWith("exec '/bin/carbonedge' sweep 'e.yaml' --out '/o' --only-point \"$SLURM_ARRAY_TASK_ID\"\n"));
  CHECK_THAT(s.merge,
             Catch::Contains("#SBATCH --job-name=ce-exp-merge") && Catch::EndsWith("--out '/o' --merge-only\n"));
}
