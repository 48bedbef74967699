// plots/plot_time_shifting.py end to end: the three time-shifting sweeps and the batch+interactive
// run (experiments/batch_*.yaml), shortened so the whole case takes ~15 s, then each subcommand
// (zones, slack, forecast, schedule) must exit 0 and write a PNG of real size. A directory without
// results.csv must give exit code 2 and one line on stderr. Skipped (with a warning) only when
// /usr/bin/python3 cannot import matplotlib and pandas.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

bool have_matplotlib() {
  return std::system("/usr/bin/python3 -c 'import matplotlib, pandas, numpy' >/dev/null 2>&1") == 0;
}

// `/usr/bin/python3 plots/plot_time_shifting.py ARGS`; exit code, stdout and stderr apart.
CliResult run_plot(const TempDir& tmp, const std::string& args) {
  std::string out = tmp / "plot_stdout.txt", err = tmp / "plot_stderr.txt";
  std::string cmd = "/usr/bin/python3 " + source_dir() + "/plots/plot_time_shifting.py " + args + " >" + out +
                    " 2>" + err;
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
  CHECK(bytes.size() > 20 * 1024);  // a figure with panels, bars and text, not an empty canvas
  CHECK(bytes.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0);
}

}  // namespace

TEST_CASE("plot_time_shifting: zones, slack, forecast and schedule figures", "[e2e][plots][time-shifting]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas (apt-get install python3-matplotlib python3-pandas)");
    return;
  }
  TempDir tmp;
  const std::string exp = source_dir() + "/experiments/";
  const std::string common = " -q -j 2 --data-root " + data_root();
  // Shortened: 3 days of daily jobs; batch_slack's jobs come every 8 days, so 20 days give three.
  struct Sweep {
    const char* cmd;
    const char* file;
    const char* duration;
  };
  for (const Sweep& s : {Sweep{"zones", "batch_scaling_year.yaml", "3d"}, Sweep{"slack", "batch_slack.yaml", "20d"},
                         Sweep{"forecast", "batch_forecast.yaml", "3d"}}) {
    INFO(s.cmd);
    std::string dir = tmp / s.cmd;
    CliResult sw = run_cli("sweep " + exp + s.file + " --out " + dir + common + " --set carbon.duration=" +
                               s.duration, tmp);
    INFO(sw.err);
    REQUIRE(sw.rc == 0);
    CliResult p = run_plot(tmp, std::string(s.cmd) + " " + dir);
    INFO(p.out + p.err);
    CHECK(p.rc == 0);
    check_png(dir + "/plots/time_shifting_" + s.cmd + ".png");
  }

  // The week run, two days of it: the second day (2023-06-06) has a whole daily job.
  std::string week = tmp / "week";
  CliResult run = run_cli("run " + exp + "batch_interactive_week.yaml --out " + week + common +
                              " --set carbon.duration=2d", tmp);
  INFO(run.err);
  REQUIRE(run.rc == 0);
  CliResult p = run_plot(tmp, "schedule " + week + " --day 2023-06-06 --source edge-server");
  INFO(p.out + p.err);
  CHECK(p.rc == 0);
  check_png(week + "/plots/time_shifting_schedule.png");

  // Bad input: a directory without results.csv -> exit 2, one line on stderr, no traceback.
  fs::create_directories(tmp / "empty");
  CliResult bad = run_plot(tmp, "zones " + (tmp / "empty"));
  INFO(bad.err);
  CHECK(bad.rc == 2);
  CHECK(count_lines(bad.err) == 1);
  CHECK(bad.err.find("Traceback") == std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "empty/plots/time_shifting_zones.png"));
}
