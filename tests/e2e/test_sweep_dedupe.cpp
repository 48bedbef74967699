// A sweep simulates each (policy, effective configuration) once (src/sweep/sweep_reuse.hpp): a
// sweep over a parameter of policy A simulates policy B once, and results.csv still has every row,
// B's with identical numbers. Also the `zone:` axis and the platform-wide region.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"
#include "sweep/sweep_reuse.hpp"

using namespace cetest;

namespace {

// Static intensities on the three-node platform, ~50 requests a point: a fraction of a second each.
std::string experiment(const std::string& sweep, const std::string& extra = "") {
  return "name: dedupe\nseed: 3\nplatform: " + source_dir() + "/platforms/carbonedge_docker_paper.yaml\n" +
         "carbon:\n  start: 2023-03-01T00:00:00Z\n  duration: 50s\n"
         "  static: {CE-HIGH: 620, CE-MEDIUM: 530, CE-GREEN: 380}\n"
         "workload: {type: poisson, rate: 1, model: mobilenet_v2, sources: {client: 1}}\n"
         "output: {requests: false, timeseries: false}\n"
         "policies:\n  mono: {type: monolithic, host: node-medium}\n"
         "  green: {type: carbonedge, mode: green, units: paper, hosts: [node-high, node-medium, node-green]}\n" +
         extra + "sweep:\n" + sweep;
}

std::string sweep_args(const std::string& exp, const std::string& out) {
  return "sweep " + exp + " --out " + out + " --data-root " + data_root() + " -j 2";
}

size_t policy_dirs(const std::string& out, const std::string& label) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(out + "/points")) n += fs::is_directory(e.path() / label);
  return n;
}

// results.csv rows of one policy with the `point` and swept-value columns blanked.
std::vector<std::vector<std::string>> policy_rows(const std::vector<std::vector<std::string>>& rows,
                                                  const std::string& label, size_t swept_columns) {
  std::vector<std::vector<std::string>> out;
  const size_t p = column(rows[0], "policy");
  for (size_t r = 1; r < rows.size(); ++r)
    if (rows[r][p] == label) {
      auto row = rows[r];
      for (size_t c = 0; c <= swept_columns; ++c) row[c] = "";
      out.push_back(row);
    }
  return out;
}

}  // namespace

TEST_CASE("sweeping a parameter of one policy simulates the other policy once", "[e2e][sweep][dedupe]") {
  TempDir tmp;
  const std::string exp = tmp.file("exp.yaml", experiment("  grid: {policies.green.w_C: [0.1, 0.5, 0.9]}\n"));
  const std::string out = tmp / "sw";
  auto r = run_cli(sweep_args(exp, out), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::Contains("2 of 6 policy results reused"));
  CHECK(policy_dirs(out, "mono") == 1);  // simulated at point 0 only
  CHECK(fs::is_directory(out + "/points/0000/mono"));
  CHECK(policy_dirs(out, "green") == 3);
  auto rows = read_csv_rows(out + "/results.csv");
  REQUIRE(rows.size() == 1 + 3 * 2);  // still every (point, policy) row
  const auto mono = policy_rows(rows, "mono", 1);
  REQUIRE(mono.size() == 3);
  CHECK(mono[1] == mono[0]);
  CHECK(mono[2] == mono[0]);
  CHECK(mono[0][column(rows[0], "carbon_g")] ==
        read_json(out + "/points/0000/mono/summary.json")["carbon_g"].dump());
  // The swept policy did change: its rows are not all the same.
  const auto green = policy_rows(rows, "green", 1);
  CHECK((green[0] != green[1] || green[1] != green[2]));
  // compare sees every point's results, reused ones too.
  auto cmp = run_cli("compare " + out + " " + out + " --format csv", tmp);
  INFO(cmp.err);
  REQUIRE(cmp.rc == 0);
  for (const char* entry : {"0000/mono", "0001/mono", "0002/mono", "0002/green"})
    CHECK_THAT(cmp.out, Catch::Contains(entry));
  // sweep.json says which point each reused result comes from.
  auto record = read_json(out + "/sweep.json");
  REQUIRE(record["reused"].size() == 2);
  CHECK(record["reused"][0]["point"] == 1);
  CHECK(record["reused"][0]["from"]["mono"] == 0);

  // Removing the point that simulated `mono` and resuming reruns it and gives the same bytes.
  const std::string first = slurp(out + "/results.csv");
  fs::remove_all(out + "/points/0000");
  auto again = run_cli(sweep_args(exp, out), tmp);
  INFO(again.err);
  REQUIRE(again.rc == 0);
  CHECK_THAT(again.out, Catch::Contains("(1 run now, 2 already done)"));
  CHECK(slurp(out + "/results.csv") == first);
  // A point missing a summary of a policy it simulates is not finished (an interrupted `run`
  // installs the policies that finished): rerunning simulates it again, same bytes.
  fs::remove(out + "/points/0002/green/summary.json");
  again = run_cli(sweep_args(exp, out), tmp);
  INFO(again.err);
  REQUIRE(again.rc == 0);
  CHECK_THAT(again.out, Catch::Contains("(1 run now, 2 already done)"));
  CHECK(slurp(out + "/results.csv") == first);
}

TEST_CASE("a swept key every policy reads reruns every policy and a point with nothing new runs nothing",
          "[e2e][sweep][dedupe]") {
  TempDir tmp;
  // workload.rate reaches both policies; the seed list repeats nothing. The zip repeats point 0's
  // configuration at point 2, so point 2 simulates nothing and its directory is empty.
  const std::string exp = tmp.file("exp.yaml", experiment("  zip: {workload.rate: [1, 2, 1]}\n"));
  const std::string out = tmp / "sw";
  auto r = run_cli(sweep_args(exp, out), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(policy_dirs(out, "mono") == 2);
  CHECK(policy_dirs(out, "green") == 2);
  CHECK(fs::is_directory(out + "/points/0002"));
  CHECK(fs::is_empty(out + "/points/0002"));
  auto rows = read_csv_rows(out + "/results.csv");
  REQUIRE(rows.size() == 1 + 3 * 2);
  CHECK(policy_rows(rows, "mono", 1)[2] == policy_rows(rows, "mono", 1)[0]);
  CHECK(policy_rows(rows, "mono", 1)[1] != policy_rows(rows, "mono", 1)[0]);
}

TEST_CASE("with metrics.reference a reused policy's comparison stays against its own point's reference",
          "[e2e][sweep][dedupe]") {
  TempDir tmp;
  // The reference is the swept policy: mono's vs_reference changes with w_C, so mono cannot be reused.
  const std::string exp = tmp.file(
      "exp.yaml", experiment("  grid: {policies.green.w_C: [0.1, 0.9]}\n", "metrics: {reference: green}\n"));
  const std::string out = tmp / "sw";
  auto r = run_cli(sweep_args(exp, out), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(policy_dirs(out, "mono") == 2);
  // The reference (mono) is not swept, but each point that simulates green simulates it beside green.
  const std::string exp2 = tmp.file(
      "exp2.yaml", experiment("  grid: {policies.green.w_C: [0.1, 0.9]}\n", "metrics: {reference: mono}\n"));
  const std::string out2 = tmp / "sw2";
  r = run_cli(sweep_args(exp2, out2), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(policy_dirs(out2, "mono") == 2);
  auto rows = read_csv_rows(out2 + "/results.csv");
  REQUIRE(rows.size() == 1 + 2 * 2);
  CHECK(std::find(rows[0].begin(), rows[0].end(), "vs_reference.delta_carbon_g") != rows[0].end());
}

TEST_CASE("plan_reuse: the first point with a key simulates it and the reference is simulated beside new results",
          "[sweep][dedupe]") {
  using ce::PointPolicies;
  std::vector<PointPolicies> pts = {
      {{"a", "b"}, {"a0", "b0"}, ""}, {{"a", "b"}, {"a1", "b0"}, ""}, {{"a", "b"}, {"a0", "b0"}, ""}};
  auto plan = ce::plan_reuse(pts);
  REQUIRE(plan.size() == 3);
  CHECK(plan[0].runs_all());
  CHECK(plan[1].run == std::vector<std::string>{"a"});
  CHECK(plan[1].from.at("b") == 0);
  CHECK(plan[2].run.empty());
  CHECK(plan[2].from.at("a") == 0);
  CHECK(plan[2].from.at("b") == 0);
  pts[0].reference = pts[1].reference = pts[2].reference = "b";
  plan = ce::plan_reuse(pts);
  CHECK(plan[1].run == std::vector<std::string>{"a", "b"});  // b again: a's vs_reference needs it
  CHECK(plan[1].from.empty());
  CHECK(plan[2].run.empty());
}

TEST_CASE("sweep zone: moves the whole platform into each zone and an unknown zone fails up front",
          "[e2e][sweep][region]") {
  TempDir tmp;
  std::string body = experiment("  zone: [DE, FR]\n");
  body.replace(body.find("  static:"), body.find("workload:") - body.find("  static:"), "");  // real traces
  body.replace(body.find("2023-03-01"), 4, "2022");  // a year both zones have
  const std::string exp = tmp.file("exp.yaml", body);
  const std::string out = tmp / "sw";
  auto r = run_cli(sweep_args(exp, out), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto rows = read_csv_rows(out + "/results.csv");
  REQUIRE(rows.size() == 1 + 2 * 2);
  CHECK(rows[0][1] == "platform.region");
  CHECK(rows[1][1] == "DE");
  CHECK(rows[3][1] == "FR");
  const size_t c = column(rows[0], "carbon_g");
  CHECK(rows[1][c] != rows[3][c]);  // same energy, another grid
  auto run = read_json(out + "/points/0001/run.json");
  CHECK(run["config"]["platform_overrides"][0] == "region=FR");

  const std::string bad = tmp.file("bad.yaml", body.substr(0, body.find("sweep:")) + "sweep:\n  zone: [DE, NOPE]\n");
  r = run_cli(sweep_args(bad, tmp / "bad"), tmp);
  CHECK(r.rc == 2);
  CHECK_THAT(r.err, Catch::Contains("NOPE") && Catch::Contains("sweep point 1"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(tmp / "bad"));
}
