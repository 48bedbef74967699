// End-to-end tests of the CLI: the quick start writes every output file; bad inputs fail with a
// one-line error naming the file and line/key, exit code 2, and leave no output directory.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"
#include "core/csv.hpp"

using namespace cetest;

TEST_CASE("carbonedge run experiments/quickstart.yaml writes every output file", "[e2e]") {
  TempDir tmp;
  std::string out = tmp / "qs";
  auto r = run_cli("run " + source_dir() + "/experiments/quickstart.yaml --out " + out + " --data-root " +
                       data_root() + " --set carbon.duration=20min",
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  for (const char* f : {"run.json", "comparison.csv"}) CHECK(fs::exists(out + "/" + f));
  for (const char* p : {"monolithic", "round-robin"})
    for (const char* f : {"summary.json", "requests.csv", "timeseries.csv"})
      CHECK(fs::exists(out + "/" + p + "/" + f));
  auto s = read_json(out + "/monolithic/summary.json");
  for (const char* k : {"requests_completed", "energy_j", "carbon_g", "inferences_per_gco2", "latency_ms", "per_host"})
    CHECK(s.contains(k));
  for (const char* q : {"mean", "p50", "p95", "p99"}) CHECK(s["latency_ms"].contains(q));
  CHECK(s["per_host"]["edge-server"]["tasks"] == s["requests_completed"]);
  auto run = read_json(out + "/run.json");
  CHECK(run["seed"] == 42);
  bool hashed_gb = false;
  for (auto& in : run["inputs"])
    if (in["path"].get<std::string>().find("GB_2023_hourly.csv") != std::string::npos)
      hashed_gb = in["sha256"] == "1a4c844668f63b9d56639be7626062cf29f35e467d289d9b54f218c73000b999";
  CHECK(hashed_gb);
  // comparison.csv: header + one row per policy; the table printed names both policies.
  CHECK(count_lines(slurp(out + "/comparison.csv")) == 3);
  CHECK(r.out.find("round-robin") != std::string::npos);
  // requests.csv has one row per arrival.
  CHECK(count_lines(slurp(out + "/monolithic/requests.csv")) == s["requests_arrived"].get<size_t>() + 1);
}

TEST_CASE("same inputs and seed give byte-identical outputs", "[e2e]") {
  TempDir tmp;
  std::string args = "run " + source_dir() + "/experiments/quickstart.yaml --quiet --data-root " + data_root() +
                     " --set carbon.duration=10min --out ";
  REQUIRE(run_cli(args + (tmp / "a"), tmp).rc == 0);
  REQUIRE(run_cli(args + (tmp / "b"), tmp).rc == 0);
  for (const char* f : {"comparison.csv", "monolithic/summary.json", "monolithic/requests.csv",
                        "round-robin/requests.csv", "round-robin/timeseries.csv"})
    CHECK(slurp(tmp / (std::string("a/") + f)) == slurp(tmp / (std::string("b/") + f)));
}

namespace {

// Writes a valid experiment, lets the test break one file, runs, and checks the failure contract.
struct BadInputCase {
  TempDir tmp;
  std::string platform = "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n";
  std::string trace = "timestamp,value\n0,100\n3600,200\n";
  std::string experiment =
      "name: bad\nplatform: platform.yaml\ncarbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n"
      "  traces: {Z: {file: z.csv}}\n"
      "models: [{name: tiny, gmacs: 0.01}]\n"
      "workload: {type: poisson, rate: 1, model: tiny, source: h}\npolicies:\n  mono: {host: h, type: monolithic}\n";

  CliResult run() {
    tmp.file("platform.yaml", platform);
    tmp.file("z.csv", trace);
    auto exp = tmp.file("exp.yaml", experiment);
    return run_cli("run " + exp + " --out " + (tmp / "out"), tmp);
  }
  void check_failure(const CliResult& r, const std::string& file, const std::string& where) {
    INFO(r.err);
    CHECK(r.rc == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find(file) != std::string::npos);
    CHECK(r.err.find(where) != std::string::npos);
    CHECK_FALSE(fs::exists(tmp / "out"));
    for (auto& e : fs::directory_iterator(tmp.path))
      CHECK(e.path().filename().string().find("partial") == std::string::npos);
  }
};

}  // namespace

TEST_CASE("the valid baseline of the bad-input cases runs", "[e2e][bad-input]") {
  BadInputCase c;
  auto r = c.run();
  INFO(r.err);
  CHECK(r.rc == 0);
}

TEST_CASE("bad input: malformed YAML names the file and line", "[e2e][bad-input]") {
  BadInputCase c;
  c.experiment += "policies: [unclosed\n";
  c.check_failure(c.run(), "exp.yaml:", "YAML syntax error");
}

TEST_CASE("bad input: an unknown key names the key", "[e2e][bad-input]") {
  BadInputCase c;
  c.experiment += "carbom: {}\n";
  c.check_failure(c.run(), "exp.yaml", "key 'carbom': unknown key");
}

TEST_CASE("bad input: negative power names the host's key", "[e2e][bad-input]") {
  BadInputCase c;
  c.platform = "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"-10:30\", region: Z}\n";
  c.check_failure(c.run(), "platform.yaml", "hosts[0].power");
}

TEST_CASE("bad input: a bad number in a carbon CSV names the line", "[e2e][bad-input]") {
  BadInputCase c;
  c.trace = "timestamp,value\n0,100\n1800,12x\n3600,200\n";
  c.check_failure(c.run(), "z.csv:3:", "is not a number");
}

TEST_CASE("bad input: a trace that does not cover the span", "[e2e][bad-input]") {
  BadInputCase c;
  c.experiment.replace(c.experiment.find("duration: 1h"), 12, "duration: 3h");
  c.check_failure(c.run(), "exp.yaml", "covers");
}

TEST_CASE("bad input: unknown CLI option exits 2", "[e2e][bad-input]") {
  TempDir tmp;
  auto r = run_cli("run --no-such-flag x.yaml", tmp);
  CHECK(r.rc == 2);
}

TEST_CASE("validate checks inputs and runs nothing", "[e2e]") {
  TempDir tmp;
  auto r = run_cli("validate " + source_dir() + "/experiments/quickstart.yaml --data-root " + data_root(), tmp);
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK(r.out.find("OK") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "results"));
}

TEST_CASE("overrides of platform.hosts.<name>.<key> reach into the platform file", "[e2e]") {
  TempDir tmp;
  const std::string exp = source_dir() + "/experiments/carbonedge_2603.yaml";
  // Moving node-green into the dirtiest zone sends green mode elsewhere (node-medium: next best).
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q --data-root " + data_root() +
                       " --set platform.hosts.node-green.region=CE-HIGH",
                   tmp);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/ce-green/summary.json");
  CHECK(s["per_host"]["node-green"]["zone"] == "CE-HIGH");
  CHECK(s["per_host"]["node-green"]["task_share"].get<double>() == 0.0);
  CHECK(read_json(tmp / "out/run.json").dump().find("hosts.node-green.region=CE-HIGH") != std::string::npos);
  // An unknown host is a one-line input error naming the key as written.
  r = run_cli("validate " + exp + " --data-root " + data_root() + " --set platform.hosts.node-x.region=CE-HIGH", tmp);
  CHECK(r.rc == 2);
  CHECK(r.err.find("platform.hosts.node-x.region") != std::string::npos);
  CHECK(r.err.find("node-x") != std::string::npos);
}

TEST_CASE("requests.csv quotes a model name with a comma and a quote, and keeps its columns", "[e2e]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n");
  auto exp = tmp.file("exp.yaml",
                      "name: q\nplatform: platform.yaml\n"
                      "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  static: {Z: 100}\n"
                      "models:\n  - {name: 'tiny,\"v2\"', gmacs: 0.01}\n"
                      "workload: {type: closed_loop, clients: 2, think_time: 0, requests_per_client: 1, "
                      "model: 'tiny,\"v2\"', source: h}\n"
                      "policies:\n  mono: {type: monolithic, host: h}\n");
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  ce::CsvReader in(tmp / "out/mono/requests.csv");
  std::vector<std::string> header, row;
  REQUIRE(in.next(header));
  int rows = 0;
  while (in.next(row)) {
    ++rows;
    REQUIRE(row.size() == header.size());
    CHECK(row[6].empty());            // requested: empty when it is the served model itself
    CHECK(row[7] == "tiny,\"v2\"");  // model
    CHECK(row[5] == "completed");
  }
  CHECK(rows == 2);
}
