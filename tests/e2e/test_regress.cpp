// `carbonedge regress` end to end: a baseline written with --update passes an unchanged rerun, and a
// perturbed power figure (node-green's busy power +10%, through --set platform=<copy>) fails with
// exit 1 and the table of moved metrics, for exactly the policy that runs on node-green.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

const std::string kExperiment = source_dir() + "/experiments/ci/carbonedge_2603_slice.yaml";

// The paper platform with node-green's busy power raised from 56.8 W to 62.48 W.
std::string perturbed_platform(const TempDir& tmp) {
  std::string text = slurp(source_dir() + "/platforms/carbonedge_docker_paper.yaml");
  const std::string from = "power: \"0:56.8\"", to = "power: \"0:62.48\"";
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return tmp.file("perturbed_platform.yaml", text);
}

std::vector<std::string> table_rows_for(const std::string& out, const std::string& policy) {
  std::vector<std::string> rows;
  std::stringstream ss(out);
  std::string line;
  while (std::getline(ss, line))
    if (line.rfind(policy + " ", 0) == 0) rows.push_back(line);
  return rows;
}

}  // namespace

TEST_CASE("regress: unchanged run passes, perturbed power figure fails with a table", "[e2e][regress]") {
  TempDir tmp;
  const std::string base = tmp / "base.json";
  const std::string args = kExperiment + " --baseline " + base + " -j 1";

  CliResult up = run_cli("regress " + args + " --update", tmp);
  INFO(up.out << up.err);
  REQUIRE(up.rc == 0);
  nlohmann::json b = read_json(base);
  CHECK(b["experiment"] == "ci_carbonedge_2603_slice");
  CHECK(b["metrics"]["ce-green"]["per_host.node-green.task_share"] == 1.0);
  CHECK(b["metrics"].size() == 4);

  CliResult same = run_cli("regress " + args, tmp);
  INFO(same.out << same.err);
  CHECK(same.rc == 0);
  CHECK(same.out.find("OK") != std::string::npos);

  CliResult moved = run_cli("regress " + args + " --set platform=" + perturbed_platform(tmp), tmp);
  INFO(moved.out << moved.err);
  REQUIRE(moved.rc == 1);
  for (const char* col : {"policy", "metric", "old", "new", "change", "tolerance"})
    CHECK(moved.out.find(col) != std::string::npos);
  // Only ce-green runs on node-green: its energy and carbon rise by 10%, the others do not move
  // (node-green draws 0 W idle).
  auto green = table_rows_for(moved.out, "ce-green");
  CHECK(green.size() >= 2);
  bool carbon_row = false;
  for (const auto& r : green)
    if (r.find(" carbon_g ") != std::string::npos && r.find("+10%") != std::string::npos) carbon_row = true;
  CHECK(carbon_row);
  CHECK(table_rows_for(moved.out, "monolithic").empty());
  CHECK(table_rows_for(moved.out, "ce-performance").empty());

  // The failed comparison left the baseline as it was.
  CHECK(read_json(base) == b);
}

TEST_CASE("regress: a tracked metric tolerance can be widened by hand", "[e2e][regress]") {
  TempDir tmp;
  const std::string base = tmp / "base.json";
  const std::string args = kExperiment + " --baseline " + base + " -j 1";
  REQUIRE(run_cli("regress " + args + " --update", tmp).rc == 0);
  nlohmann::json b = read_json(base);
  b["tolerance"]["default_relative"] = 0.2;  // 20%: the +10% power change is now accepted
  std::ofstream(base) << b.dump(2);
  CliResult r = run_cli("regress " + args + " --set platform=" + perturbed_platform(tmp), tmp);
  INFO(r.out << r.err);
  CHECK(r.rc == 0);
}

TEST_CASE("regress: bad baselines exit 2 with one line naming the file", "[e2e][regress]") {
  TempDir tmp;
  CliResult missing = run_cli("regress " + kExperiment + " --baseline " + (tmp / "nope.json"), tmp);
  CHECK(missing.rc == 2);
  CHECK(missing.err.find("nope.json") != std::string::npos);
  CHECK(count_lines(missing.err) == 1);

  std::string bad = tmp.file("bad.json", R"({"format": "carbonedge-baseline/1", "experiment": "x", "metrics": []})");
  CliResult malformed = run_cli("regress " + kExperiment + " --baseline " + bad, tmp);
  CHECK(malformed.rc == 2);
  CHECK(malformed.err.find("bad.json: key 'metrics'") != std::string::npos);

  std::string other = tmp.file("other.json", R"({"format": "carbonedge-baseline/1", "experiment": "x", "metrics": {}})");
  CliResult wrong = run_cli("regress " + kExperiment + " --baseline " + other + " -j 1", tmp);
  CHECK(wrong.rc == 2);
  CHECK(wrong.err.find("'experiment'") != std::string::npos);
}
