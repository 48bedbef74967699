// End-to-end checks of the input rules of docs/reliability.md ("Inputs") that are not refusals (those
// are cases of tests/bad_inputs/): a trace gap is a warning and the run goes on; YAML merge keys and
// core-schema booleans work; `sweep --set platform.hosts.NAME.KEY=...` reaches the platform file;
// validate checks a sweep's points; workload.max_requests opts in to a larger run.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

const char* kPlatform = "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n";

std::string experiment(const std::string& carbon, const std::string& extra = "", const std::string& duration = "1h",
                       const std::string& rate = "1") {
  return "name: limits\nplatform: platform.yaml\ncarbon:\n  start: 2023-01-01T00:00:00Z\n  duration: " + duration +
         "\n" + carbon +
         "models: [{name: tiny, gmacs: 0.01}]\n"
         "workload: {type: poisson, rate: " + rate + ", model: tiny, source: h}\n"
         "policies:\n  mono: {host: h, type: monolithic}\n" +
         extra;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("a carbon trace gap of more than 48 h inside the run is one warning line and the run goes on",
          "[e2e][limits]") {
  TempDir tmp;
  tmp.file("platform.yaml", kPlatform);
  // Rows at 0 and 1 h, then at 100 h: the 1 h value is held over a 99 h gap the run's 120 h cover.
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,200\n360000,150\n363600,120\n");
  tmp.file("exp.yaml", experiment("  traces: {Z: {file: z.csv}}\n", "", "100h", "0.01"));
  auto r = run_cli("run " + (tmp / "exp.yaml") + " --out " + (tmp / "out") + " -q", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto err = lines(r.err);
  REQUIRE(err.size() == 1);
  CHECK(err[0].rfind("warning: ", 0) == 0);
  CHECK(err[0].find("z.csv:4: zone 'Z': no carbon data for 99.0 h") != std::string::npos);
  CHECK(fs::exists(tmp / "out/comparison.csv"));
  // ...and run.json keeps it.
  auto run = read_json(tmp / "out/run.json");
  REQUIRE(run["warnings"].size() == 1);
  CHECK(run["warnings"][0].get<std::string>().find("no carbon data for 99.0 h") != std::string::npos);
  // validate says the same, once.
  r = run_cli("validate " + (tmp / "exp.yaml"), tmp);
  CHECK(r.rc == 0);
  CHECK(lines(r.err).size() == 1);
}

TEST_CASE("YAML merge keys and core-schema booleans are read as YAML means them", "[e2e][limits]") {
  TempDir tmp;
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,200\n7200,150\n");
  tmp.file("exp.yaml", experiment("  traces: {Z: {file: z.csv}}\n  wrap: False\n", "output: {requests: TRUE, timeseries: No}\n"));
  tmp.file("platform.yaml",
           "name: p\n"
           "hosts:\n  - &h {name: h, cores: 2, speed: 1Gf, power: \"10:20:30\", region: Z}\n"
           "  - {<<: *h, name: g, cores: 4}\n");
  auto r = run_cli("run " + (tmp / "exp.yaml") + " --out " + (tmp / "out") + " -q", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(fs::exists(tmp / "out/mono/requests.csv"));
  CHECK_FALSE(fs::exists(tmp / "out/mono/timeseries.csv"));
  CHECK(slurp(tmp / "out/mono/summary.json").find("\"g\"") != std::string::npos);
}

TEST_CASE("sweep --set platform.hosts.NAME.KEY reaches the platform file of every point", "[e2e][limits][sweep]") {
  TempDir tmp;
  tmp.file("platform.yaml", kPlatform);
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,200\n7200,150\n");
  tmp.file("exp.yaml", experiment("  traces: {Z: {file: z.csv}}\n", "sweep:\n  seeds: [1, 2]\n"));
  auto r = run_cli("sweep " + (tmp / "exp.yaml") + " --out " + (tmp / "sw") + " -q -j 1 --set platform.hosts.h.cores=8",
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto run = read_json(tmp / "sw/points/0001/run.json");
  CHECK(run.dump().find("hosts.h.cores=8") != std::string::npos);
  // A platform key that does not exist is refused before any point runs.
  r = run_cli("sweep " + (tmp / "exp.yaml") + " --out " + (tmp / "sw2") + " -q --set platform.hosts.nope.cores=8", tmp);
  CHECK(r.rc == 2);
  CHECK(lines(r.err).size() == 1);
  CHECK(r.err.find("platform.hosts.nope.cores") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "sw2"));
}

TEST_CASE("validate prepares every sweep point and workload.max_requests opts in to a large run", "[e2e][limits]") {
  TempDir tmp;
  tmp.file("platform.yaml", kPlatform);
  tmp.file("exp.yaml", experiment("  static: {Z: 100}\n", "sweep:\n  grid: {workload.rate: [1, 2]}\n  replicates: 3\n"));
  auto r = run_cli("validate " + (tmp / "exp.yaml"), tmp);
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("6 sweep points") != std::string::npos);
  // 2e5 req/s for an hour is 7.2e8 expected requests: refused by default, accepted with the key.
  r = run_cli("validate " + (tmp / "exp.yaml") + " --set workload.rate=2e5", tmp);
  CHECK(r.rc == 2);
  CHECK(r.err.find("max_requests") != std::string::npos);
  r = run_cli("validate " + (tmp / "exp.yaml") + " --set workload.rate=2e5 --set workload.max_requests=1e9", tmp);
  CHECK(r.rc == 0);
}
