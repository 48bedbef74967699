// End-to-end tests of `carbonedge sweep` on tests/data/sweep_small.yaml (16 tiny points × 2 policies):
// the tidy results.csv, resuming, refusing a changed experiment, failing bad points before writing
// anything, the Slurm task/merge path run by hand, and kill -9 + restart giving the same bytes.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <thread>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

std::string small_sweep() { return source_dir() + "/tests/data/sweep_small.yaml"; }
std::string sweep_args(const std::string& exp, const std::string& out) {
  return "sweep " + exp + " --out " + out + " --data-root " + data_root();
}

size_t finished_points(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/points", ec))
    n += e.is_directory() && e.path().filename().string().find(".partial-") == std::string::npos;
  return n;
}


// Starts `carbonedge sweep EXP --out OUT --data-root ... -j 2 EXTRA...` as our own child (no shell in
// between, so a signal hits carbonedge itself), with stdout and stderr discarded.
pid_t spawn_sweep(const std::string& exp, const std::string& out, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {CE_BINARY, "sweep", exp, "--out", out, "--data-root", data_root(), "-j", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_t pid = fork();
  if (pid == 0) {
    int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(CE_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

// Polls until at least `n` points of OUT are finished (or 120 s passed); returns how many are.
size_t wait_for_points(const std::string& out, size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (finished_points(out) < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return finished_points(out);
}

bool has_staging_dirs(const std::string& out) {
  for (const auto& e : fs::directory_iterator(out + "/points"))
    if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("sweep runs every point and writes a tidy results.csv and a rerun skips finished points", "[e2e][sweep]") {
  TempDir tmp;
  std::string out = tmp / "sw";
  auto r = run_cli(sweep_args(small_sweep(), out) + " -j 2", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.empty());  // no progress bar when stderr is not a terminal
  CHECK(finished_points(out) == 16);
  CHECK(fs::exists(out + "/sweep.json"));
  CHECK_FALSE(fs::exists(out + "/logs"));
  auto rows = read_csv_rows(out + "/results.csv");
  REQUIRE(rows.size() == 1 + 16 * 2);
  const auto& h = rows[0];
  REQUIRE(h.size() > 9);
  CHECK(std::vector<std::string>(h.begin(), h.begin() + 9) ==
        std::vector<std::string>{"point", "policies.green.w_C", "workload.rate", "carbon.static.CE-GREEN",
                                 "carbon.start", "seed", "policy", "policy_type", "accuracy_loss"});
  CHECK(std::is_sorted(h.begin() + 8, h.end()));
  for (const char* m : {"latency_ms.p95", "per_host.node-green.task_share", "requests_completed"})
    CHECK(std::find(h.begin(), h.end(), m) != h.end());
  // Point 7 = grid (0.1, 1), zip index 1, second replicate: the row agrees with that point's own run.
  const auto& row = rows[1 + 7 * 2 + 1];
  CHECK(row[0] == "7");
  CHECK(row[1] == "0.1");
  CHECK(row[2] == "1");
  CHECK(row[3] == "700");
  CHECK(row[4] == "2026-02-01T12:00:00Z");
  CHECK(row[5] == "4");  // seed 3, replicate 1
  CHECK(row[6] == "green");
  auto run = read_json(out + "/points/0007/run.json");
  CHECK(run["seed"] == 4);
  CHECK(run["config"]["policies"]["green"]["w_C"] == 0.1);
  CHECK(run["config"]["carbon"]["static"]["CE-GREEN"] == 700);
  auto summary = read_json(out + "/points/0007/green/summary.json");
  CHECK(row[column(h, "carbon_g")] == summary["carbon_g"].dump());
  CHECK(row[column(h, "requests_completed")] == summary["requests_completed"].dump());
  // Replicates differ (the seed reaches the workload), grid values differ.
  CHECK(rows[1][column(h, "requests_arrived")] != rows[3][column(h, "requests_arrived")]);

  std::string first = slurp(out + "/results.csv");
  auto again = run_cli(sweep_args(small_sweep(), out), tmp);
  REQUIRE(again.rc == 0);
  CHECK(again.out.find("0 run now, 16 already done") != std::string::npos);
  CHECK(slurp(out + "/results.csv") == first);
}

TEST_CASE("plain run ignores the sweep section", "[e2e][sweep]") {
  TempDir tmp;
  auto r = run_cli("run " + small_sweep() + " --quiet --out " + (tmp / "run") + " --data-root " + data_root(), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(count_lines(slurp(tmp / "run/comparison.csv")) == 3);
}

TEST_CASE("sweep refuses to resume after the experiment changed", "[e2e][sweep]") {
  TempDir tmp;
  std::string text = slurp(small_sweep());
  const std::string rel = "../../platforms/", abs = source_dir() + "/platforms/";
  text.replace(text.find(rel), rel.size(), abs);
  text.replace(text.find("replicates: 2"), 13, "replicates: 1");  // 8 points: keep it quick
  std::string exp = tmp.file("exp.yaml", text);
  std::string out = tmp / "sw";
  REQUIRE(run_cli(sweep_args(exp, out) + " -q", tmp).rc == 0);
  tmp.file("exp.yaml", text + "# edited\n");
  auto r = run_cli(sweep_args(exp, out), tmp);
  CHECK(r.rc == 2);
  CHECK_THAT(r.err, Catch::Contains("sweep.json") && Catch::Contains("experiment file changed"));
  CHECK(count_lines(r.err) == 1);
  // A different --set on the command line is refused too.
  tmp.file("exp.yaml", text);
  auto s = run_cli(sweep_args(exp, out) + " --set workload.rate=3", tmp);
  CHECK(s.rc == 2);
  CHECK_THAT(s.err, Catch::Contains("--set"));
}

TEST_CASE("a bad value in the sweep section fails before anything is written", "[e2e][sweep]") {
  TempDir tmp;
  std::string text = slurp(small_sweep());
  const std::string rel = "../../platforms/", abs = source_dir() + "/platforms/";
  text.replace(text.find(rel), rel.size(), abs);
  text.replace(text.find("[0.1, 0.9]"), 10, "[0.1, 1.5]");  // w_C must be in [0, 1]
  std::string exp = tmp.file("exp.yaml", text);
  auto r = run_cli(sweep_args(exp, tmp / "sw"), tmp);
  CHECK(r.rc == 2);
  CHECK_THAT(r.err, Catch::Contains("w_C") && Catch::Contains("sweep point 8") && Catch::Contains("exp.yaml"));
  CHECK(count_lines(r.err) == 1);
  CHECK_FALSE(fs::exists(tmp / "sw"));
  // A bad sweep section names the key under sweep.
  text.replace(text.find("replicates: 2"), 13, "replicates: -1");
  tmp.file("exp.yaml", text);
  auto b = run_cli(sweep_args(exp, tmp / "sw"), tmp);
  CHECK(b.rc == 2);
  CHECK_THAT(b.err, Catch::Contains("sweep.replicates"));
  CHECK_FALSE(fs::exists(tmp / "sw"));
  // A directory that holds something else is not taken over.
  tmp.file("other/keep.txt", "mine\n");
  auto o = run_cli(sweep_args(small_sweep(), tmp / "other"), tmp);
  CHECK(o.rc == 2);
  CHECK_THAT(o.err, Catch::Contains("not a sweep directory"));
  CHECK_FALSE(fs::exists(tmp / "other/points"));
}

TEST_CASE("sweep points run one by one (--only-point) and merged (--merge-only) equal a local sweep", "[e2e][sweep]") {
  TempDir tmp;
  std::string local = tmp / "local", split = tmp / "split";
  REQUIRE(run_cli(sweep_args(small_sweep(), local) + " -q", tmp).rc == 0);
  // Without sweep.json a task refuses to run (the submission writes it).
  auto orphan = run_cli(sweep_args(small_sweep(), split) + " --only-point 0", tmp);
  CHECK(orphan.rc == 2);
  CHECK_THAT(orphan.err, Catch::Contains("sweep.json"));
  fs::create_directories(split);
  fs::copy_file(local + "/sweep.json", split + "/sweep.json");
  auto early = run_cli(sweep_args(small_sweep(), split) + " --merge-only", tmp);
  CHECK(early.rc == 1);
  CHECK_THAT(early.err, Catch::Contains("16 of 16 points are not finished"));
  for (int i = 15; i >= 0; --i)
    REQUIRE(run_cli(sweep_args(small_sweep(), split) + " --only-point " + std::to_string(i), tmp).rc == 0);
  CHECK(run_cli(sweep_args(small_sweep(), split) + " --only-point 16", tmp).rc == 2);
  REQUIRE(run_cli(sweep_args(small_sweep(), split) + " --merge-only", tmp).rc == 0);
  CHECK(slurp(split + "/results.csv") == slurp(local + "/results.csv"));
}

TEST_CASE("a sweep killed with SIGKILL and restarted ends with the results of an uninterrupted run", "[e2e][sweep]") {
  TempDir tmp;
  std::string whole = tmp / "whole", killed = tmp / "killed";
  REQUIRE(run_cli(sweep_args(small_sweep(), whole) + " -q -j 2", tmp).rc == 0);

  pid_t pid = spawn_sweep(small_sweep(), killed);
  REQUIRE(pid > 0);
  size_t done_at_kill = wait_for_points(killed, 3);
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
  REQUIRE(WIFSIGNALED(st));                                     // it was still running: the kill interrupted it
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its points die with it (PDEATHSIG)
  done_at_kill = finished_points(killed);
  INFO("points finished when killed: " << done_at_kill);
  REQUIRE(done_at_kill >= 3);
  REQUIRE(done_at_kill < 16);
  CHECK_FALSE(fs::exists(killed + "/results.csv"));

  auto r = run_cli(sweep_args(small_sweep(), killed), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Catch::Contains("(" + std::to_string(16 - done_at_kill) + " run now, " +
                                    std::to_string(done_at_kill) + " already done)"));
  CHECK(finished_points(killed) == 16);
  CHECK(slurp(killed + "/results.csv") == slurp(whole + "/results.csv"));
  CHECK_FALSE(has_staging_dirs(killed));
}

TEST_CASE("SIGTERM stops a sweep cleanly and a second sweep on the same directory is refused", "[e2e][sweep]") {
  TempDir tmp;
  std::string out = tmp / "sw";
  // Points of about a second each (the whole sweep would take ~10 s), so SIGTERM lands mid-sweep.
  const std::vector<std::string> longer = {"--set", "carbon.duration=96h"};
  pid_t pid = spawn_sweep(small_sweep(), out, longer);
  REQUIRE(pid > 0);
  REQUIRE(wait_for_points(out, 1) >= 1);
  auto second = run_cli(sweep_args(small_sweep(), out) + " --set carbon.duration=96h", tmp);
  CHECK(second.rc == 2);
  CHECK_THAT(second.err, Catch::Contains("another `carbonedge sweep` is running"));
  kill(pid, SIGTERM);
  int st = 0;
  waitpid(pid, &st, 0);
  REQUIRE(WIFSIGNALED(st));  // it was still running and ends by the signal it got
  CHECK(WTERMSIG(st) == SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(finished_points(out) < 16);
  CHECK_FALSE(has_staging_dirs(out));  // its points removed their staging directories
  CHECK_FALSE(fs::exists(out + "/logs"));
  CHECK_FALSE(fs::exists(out + "/results.csv"));
}
