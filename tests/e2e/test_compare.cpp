// `carbonedge compare A B`: two real runs of the quick start (different seeds) side by side — every
// policy in both, its metrics with A, B and the change; policies on one side only; the most-changed
// line; --format csv; bad input is one line naming the path, exit code 2 (docs/outputs.md).
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// Two runs of the quick start, 10 simulated minutes, seeds 42 and 7.
struct TwoRuns {
  TempDir tmp;
  std::string a = tmp / "a", b = tmp / "b";
  TwoRuns() {
    const std::string args = "run " + source_dir() + "/experiments/quickstart.yaml --quiet --data-root " +
                             data_root() + " --set carbon.duration=10min --set output.timeseries=false --out ";
    REQUIRE(run_cli(args + a, tmp).rc == 0);
    REQUIRE(run_cli(args + b + " --seed 7", tmp).rc == 0);
  }
};

}  // namespace

TEST_CASE("carbonedge compare: two runs side by side, table and csv", "[e2e][compare]") {
  TwoRuns t;
  const auto sa = read_json(t.a + "/round-robin/summary.json"), sb = read_json(t.b + "/round-robin/summary.json");
  REQUIRE(sa["requests_arrived"] != sb["requests_arrived"]);  // the seeds differ: something to see

  auto r = run_cli("compare " + t.a + " " + t.b, t.tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("(run quickstart, seed 42, 2 policies)") != std::string::npos);
  CHECK(r.out.find("(run quickstart, seed 7, 2 policies)") != std::string::npos);
  CHECK(r.out.find("policy       metric") != std::string::npos);
  CHECK(r.out.find("only in") == std::string::npos);
  // The most-changed line names one of the two policies by its total carbon.
  const auto most = r.out.find("most changed: ");
  REQUIRE(most != std::string::npos);
  CHECK((r.out.compare(most + 14, 10, "monolithic") == 0 || r.out.compare(most + 14, 11, "round-robin") == 0));

  r = run_cli("compare " + t.a + " " + t.b + " --format csv", t.tmp);
  REQUIRE(r.rc == 0);
  TempDir scratch;
  const auto rows = read_csv_rows(scratch.file("cmp.csv", r.out));
  REQUIRE(rows.size() > 2);
  CHECK(rows[0] == std::vector<std::string>{"policy", "metric", "unit", "a", "b", "delta", "relative_delta"});
  bool found = false;
  for (const auto& row : rows)
    if (row.size() == 7 && row[0] == "round-robin" && row[1] == "requests_arrived") {
      found = true;
      CHECK(std::stod(row[3]) == sa["requests_arrived"].get<double>());
      CHECK(std::stod(row[4]) == sb["requests_arrived"].get<double>());
      CHECK(std::stod(row[5]) == sb["requests_arrived"].get<double>() - sa["requests_arrived"].get<double>());
    }
  CHECK(found);
  // Every policy has the same metrics: the rows split evenly between the two.
  CHECK((rows.size() - 1) % 2 == 0);
}

TEST_CASE("carbonedge compare: a policy on one side only is listed, bad input is exit 2", "[e2e][compare]") {
  TwoRuns t;
  fs::remove_all(t.b + "/monolithic");
  auto r = run_cli("compare " + t.a + " " + t.b, t.tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.out.find("only in A: monolithic\n") != std::string::npos);
  CHECK(r.out.find("\nmonolithic ") == std::string::npos);  // no rows for it
  r = run_cli("compare " + t.a + " " + t.b + " --format csv", t.tmp);
  CHECK(r.rc == 0);
  CHECK(r.err == "note: monolithic only in A\n");

  const std::string missing = t.tmp / "nowhere";
  r = run_cli("compare " + t.a + " " + missing, t.tmp);
  CHECK(r.rc == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find(missing + ": not a directory") != std::string::npos);
  CHECK(r.out.empty());

  // A directory carbonedge did not write, and a run against a sweep.
  const std::string plain = t.tmp / "plain";
  fs::create_directories(plain);
  r = run_cli("compare " + plain + " " + t.a, t.tmp);
  CHECK(r.rc == 2);
  CHECK(r.err.find(plain + ": neither run.json nor sweep.json") != std::string::npos);
  const std::string sweep = t.tmp / "sweep";
  t.tmp.file("sweep/sweep.json", "{}");
  fs::create_directories(sweep + "/points");
  fs::copy(t.a, sweep + "/points/0000", fs::copy_options::recursive);
  r = run_cli("compare " + t.a + " " + sweep, t.tmp);
  CHECK(r.rc == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find(sweep + ": a sweep directory, but") != std::string::npos);
  r = run_cli("compare " + sweep + " " + sweep, t.tmp);  // a sweep against itself: nothing changed
  CHECK(r.rc == 0);
  CHECK(r.out.find("0000/monolithic") != std::string::npos);
  CHECK(r.out.find("most changed: none") != std::string::npos);
}

TEST_CASE("run prints the table with dynamic columns and ends it with the verdict line", "[e2e][verdict]") {
  TempDir tmp;
  auto r = run_cli("run " + source_dir() + "/experiments/quickstart.yaml --data-root " + data_root() +
                       " --set carbon.duration=10min --set output.timeseries=false --set output.requests=false --out " +
                       (tmp / "out"),
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.out.find("dyn_carb_g") != std::string::npos);
  CHECK(r.out.find("dyn_gCO2/inf") != std::string::npos);
  // The last line names the lowest carbon per inference, the lowest p95 and the Pareto set, with
  // values from the summaries.
  const auto last = r.out.substr(r.out.rfind("verdict: "));
  CHECK(last.find("lowest carbon/inference ") != std::string::npos);
  CHECK(last.find("lowest p95 latency ") != std::string::npos);
  CHECK(last.find("Pareto (carbon/inference, p95): ") != std::string::npos);
  const auto mono = read_json(tmp / "out/monolithic/summary.json"), rr = read_json(tmp / "out/round-robin/summary.json");
  const bool mono_greener = mono["gco2_per_inference"].get<double>() < rr["gco2_per_inference"].get<double>();
  CHECK(last.find(std::string("lowest carbon/inference ") + (mono_greener ? "monolithic" : "round-robin")) !=
        std::string::npos);
}
