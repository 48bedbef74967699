// Faults: a run interrupted by SIGINT or SIGTERM at any moment leaves no output directory, a
// complete one, or one marked incomplete that holds only whole policies — never a truncated file
// (docs/outputs.md: staging directory + rename, atomic writes). Each trial starts a run of several
// policies in its own process group and signals it after a pseudo-random delay (fixed seed, so a
// failure reproduces), then checks the out dir.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

const char* kPolicies[] = {"monolithic", "round-robin", "lf", "ce"};

// Everything a complete run has: every JSON parses, every CSV has a header and whole lines,
// comparison.csv has one row per policy. An interrupted run keeps the policies that finished
// (run.json "complete": false, "missing_policies"): those are whole, the missing ones absent.
void check_complete(const fs::path& out) {
  REQUIRE(fs::exists(out / "comparison.csv"));
  const auto run = read_json((out / "run.json").string());
  std::vector<std::string> missing;
  if (run.value("complete", true) == false) missing = run["missing_policies"].get<std::vector<std::string>>();
  auto rows = read_csv_rows((out / "comparison.csv").string());
  CHECK(rows.size() == 1 + std::size(kPolicies) - missing.size());
  CHECK(missing.size() < std::size(kPolicies));
  for (const char* p : kPolicies) {
    INFO(p);
    if (std::find(missing.begin(), missing.end(), p) != missing.end()) {
      CHECK_FALSE(fs::exists(out / p));
      continue;
    }
    CHECK_NOTHROW(read_json((out / p / "summary.json").string()));
    for (const char* csv : {"requests.csv", "timeseries.csv"}) {
      std::string text = slurp((out / p / csv).string());
      CHECK(count_lines(text) >= 2);
      CHECK((!text.empty() && text.back() == '\n'));
    }
  }
}

pid_t start_run(const std::string& out, const TempDir& tmp) {
  std::string cmd = std::string(CE_BINARY) + " run " + source_dir() + "/experiments/quickstart.yaml --quiet --data-root " +
                    data_root() +
                    " --set carbon.duration=3h --set policies.lf.type=latency-first --set policies.ce.type=carbonedge"
                    " --jobs 2 --out " + out + " >" + (tmp / "stdout.txt") + " 2>" + (tmp / "stderr.txt");
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);  // the CLI and its children: signal only them, as a terminal would
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

}  // namespace

TEST_CASE("SIGINT/SIGTERM at random moments leave the output absent, complete or marked incomplete", "[e2e][signals]") {
  TempDir tmp;
  // How long an uninterrupted run takes, to spread the signals over it.
  auto t0 = std::chrono::steady_clock::now();
  pid_t full = start_run(tmp / "full", tmp);
  int st = 0;
  waitpid(full, &st, 0);
  REQUIRE(WIFEXITED(st));
  REQUIRE(WEXITSTATUS(st) == 0);
  const double run_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  check_complete(tmp / "full");

  std::mt19937 rng(12345);
  int absent = 0, complete = 0;
  for (int trial = 0; trial < 6; ++trial) {
    const int sig = trial % 2 ? SIGTERM : SIGINT;
    const std::string out = tmp / ("out" + std::to_string(trial));
    const double delay_ms = std::uniform_real_distribution<double>(0, 1.1 * run_ms)(rng);
    pid_t pid = start_run(out, tmp);
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(delay_ms));
    kill(-pid, sig);  // the whole process group, like Ctrl-C
    waitpid(pid, &st, 0);
    INFO("trial " << trial << ", signal " << sig << " after " << delay_ms << " ms of ~" << run_ms);
    if (fs::exists(out)) {
      check_complete(out);
      ++complete;
    } else {
      ++absent;
    }
    for (auto& e : fs::directory_iterator(tmp.path))
      CHECK(e.path().filename().string().find("partial") == std::string::npos);
  }
  WARN("interrupted runs: " << absent << " left nothing, " << complete << " had finished");
  CHECK(absent + complete == 6);
}
