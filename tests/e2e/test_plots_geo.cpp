// plots/plot_geo.py end to end on the central-European testbed (six sites with coordinates),
// shortened so the case takes a few seconds: `map` on a run of nearest, carbon-greedy and
// geo-carbon, `budget` on a sweep of two latency budgets × two days; each must exit 0 and write a
// PNG of real size. A platform without coordinates and a sweep without a budget column must give
// exit code 2, one line on stderr and no figure. Skipped (with a warning) only when
// /usr/bin/python3 cannot import matplotlib, pandas and yaml.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

bool have_python_libs() {
  return std::system("/usr/bin/python3 -c 'import matplotlib, pandas, numpy, yaml' >/dev/null 2>&1") == 0;
}

CliResult run_plot(const TempDir& tmp, const std::string& args) {
  std::string out = tmp / "plot_stdout.txt", err = tmp / "plot_stderr.txt";
  std::string cmd = "/usr/bin/python3 " + source_dir() + "/plots/plot_geo.py " + args + " >" + out + " 2>" + err;
  int st = std::system(cmd.c_str());
  CliResult r;
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

void check_png(const std::string& path) {
  INFO(path);
  REQUIRE(fs::exists(path));
  std::string bytes = slurp(path);
  CHECK(bytes.size() > 20 * 1024);  // panels, markers and text, not an empty canvas
  CHECK(bytes.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0);
}

void check_bad(const CliResult& r, const std::string& absent_png) {
  INFO(r.err);
  CHECK(r.rc == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("Traceback") == std::string::npos);
  CHECK_FALSE(fs::exists(absent_png));
}

// The testbed experiment with two budgets (zipped for both policies) over two days of March.
std::string budget_sweep(const std::string& platform) {
  return "name: geo_budget_plot_test\nseed: 3\nplatform: " + platform +
         "\ncarbon: {start: 2022-03-01T00:00:00Z, duration: 2h}\n"
         "workload: {type: poisson, rate: 2, model: resnet50, sources: [\"*-users\"], slo: 50ms}\n"
         "output: {requests: false, timeseries: false}\n"
         "policies:\n"
         "  nearest: {hosts: [\"*-srv\", \"*-nx\"]}\n"
         "  carbon-greedy: {hosts: [\"*-srv\", \"*-nx\"], latency_budget: 2ms}\n"
         "  geo-carbon: {hosts: [\"*-srv\", \"*-nx\"], latency_budget: 2ms}\n"
         "sweep:\n"
         "  grid:\n"
         "    carbon.start: [2022-03-01T00:00:00Z, 2022-03-02T00:00:00Z]\n"
         "  zip:\n"
         "    policies.carbon-greedy.latency_budget: [2ms, 20ms]\n"
         "    policies.geo-carbon.latency_budget: [2ms, 20ms]\n";
}

}  // namespace

TEST_CASE("plot_geo: map of a run and carbon vs latency budget of a sweep", "[e2e][plots][geo]") {
  if (!have_python_libs()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas/yaml "
         "(apt-get install python3-matplotlib python3-pandas python3-yaml)");
    return;
  }
  TempDir tmp;
  const std::string common = " -q -j 2 --data-root " + data_root();

  std::string run_dir = tmp / "run";
  CliResult run = run_cli("run " + source_dir() + "/experiments/geo_central_europe.yaml --out " + run_dir + common +
                              " --set carbon.duration=2h --policies nearest,carbon-greedy,geo-carbon",
                          tmp);
  INFO(run.err);
  REQUIRE(run.rc == 0);
  // The platform from run.json (the experiment's path is absolute here).
  CliResult map = run_plot(tmp, "map " + run_dir);
  INFO(map.out + map.err);
  CHECK(map.rc == 0);
  check_png(run_dir + "/plots/geo_map.png");

  std::string sweep_dir = tmp / "sweep";
  std::string exp = tmp.file("budget.yaml", budget_sweep(source_dir() + "/platforms/geo_testbed_central_europe.yaml"));
  CliResult sw = run_cli("sweep " + exp + " --out " + sweep_dir + common, tmp);
  INFO(sw.err);
  REQUIRE(sw.rc == 0);
  CliResult budget = run_plot(tmp, "budget " + sweep_dir);
  INFO(budget.out + budget.err);
  CHECK(budget.rc == 0);
  check_png(sweep_dir + "/plots/geo_budget.png");

  // Bad input: a platform without coordinates; a run directory given to `budget`.
  check_bad(run_plot(tmp, "map " + run_dir + " --platform " + source_dir() + "/platforms/edge_testbed.yaml --out " +
                              (tmp / "bad1")),
            tmp / "bad1/geo_map.png");
  check_bad(run_plot(tmp, "budget " + run_dir + " --out " + (tmp / "bad2")), tmp / "bad2/geo_budget.png");
}
