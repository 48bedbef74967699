// `carbonedge run` as a researcher meets it: --policies, a policy's own events:, the progress
// display on stderr (terminal and not), and Ctrl-C keeping the finished policies, which a rerun of
// the same command reuses while it simulates only the missing ones.
#include <catch2/catch.hpp>

#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

std::string quickstart() { return source_dir() + "/experiments/quickstart.yaml"; }

// Every policy ~0.8 s on one core: long enough to interrupt the third one reliably.
std::string slow_args() {
  return " --data-root " + data_root() + " --set workload.rate=8 --set policies.c.type=latency-first";
}

std::vector<std::string> labels(const nlohmann::json& a) { return a.get<std::vector<std::string>>(); }

// Runs `carbonedge ARGS` on a pseudo-terminal and returns everything it wrote there.
std::string run_on_terminal(const std::string& args, int* rc) {
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setenv("CARBONEDGE_PROGRESS_EVERY", "0.2", 1);
    execl("/bin/sh", "sh", "-c", ("exec " + std::string(CE_BINARY) + " " + args).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;  // EIO: the terminal's last writer is gone
  }
  int st = 0;
  waitpid(pid, &st, 0);
  close(master);
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

}  // namespace

TEST_CASE("run --policies simulates only the named policies, an unknown one is one line and exit 2", "[e2e][run]") {
  TempDir tmp;
  const std::string base = "run " + quickstart() + " --data-root " + data_root() + " --set carbon.duration=20min";
  auto r = run_cli(base + " --policies round-robin --out " + (tmp / "one"), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(fs::exists(tmp / "one/round-robin/summary.json"));
  CHECK_FALSE(fs::exists(tmp / "one/monolithic"));
  CHECK(count_lines(slurp(tmp / "one/comparison.csv")) == 2);
  auto run = read_json(tmp / "one/run.json");
  CHECK(labels(run["policies"]) == std::vector<std::string>{"round-robin"});
  CHECK(run["complete"] == true);

  r = run_cli(base + " --policies monolithic,nope --out " + (tmp / "bad"), tmp);
  CHECK(r.rc == 2);
  CHECK(r.err == "error: --policies: no policy named 'nope' in " + quickstart() +
                     " (policies: monolithic, round-robin)\n");
  CHECK_FALSE(fs::exists(tmp / "bad"));
  r = run_cli("validate " + quickstart() + " --data-root " + data_root() + " --policies nope", tmp);
  CHECK(r.rc == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("no policy named 'nope'") != std::string::npos);
  CHECK(run_cli("validate " + quickstart() + " --data-root " + data_root() + " --policies round-robin", tmp).rc == 0);
}

TEST_CASE("a policy's own events: apply in its simulation only", "[e2e][run]") {
  TempDir tmp;
  // Two identical policies; `cut` turns the server off after 10 minutes, so its later requests are lost.
  const std::string exp = tmp.file("exp.yaml", "name: own_events\nseed: 42\nplatform: " + source_dir() +
                                                   "/platforms/edge_testbed.yaml\n"
                                                   "carbon: {start: 2023-06-01T00:00:00Z, duration: 30min}\n"
                                                   "workload: {type: poisson, rate: 2, model: resnet50, sources: "
                                                   "{rpi4-1: 1}, slo: 1s}\n"
                                                   "policies:\n"
                                                   "  steady: {type: monolithic, host: edge-server}\n"
                                                   "  cut:\n"
                                                   "    type: monolithic\n"
                                                   "    host: edge-server\n"
                                                   "    events: [{at: 10min, host: edge-server, state: off}]\n");
  auto r = run_cli("run " + exp + " -q --data-root " + data_root() + " --out " + (tmp / "out"), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto on = read_json(tmp / "out/steady/summary.json"), off = read_json(tmp / "out/cut/summary.json");
  CHECK(on["requests_arrived"] == off["requests_arrived"]);
  CHECK(on["requests_failed"] == 0);
  CHECK(on["requests_completed"] == on["requests_arrived"]);
  CHECK(on["requests_rejected"] == 0);
  // About two thirds of the arrivals come after 10 min, with the server off: not served.
  const double lost = off["requests_failed"].get<double>() + off["requests_rejected"].get<double>();
  CHECK(lost > 0.5 * off["requests_arrived"].get<double>());
  CHECK(off["requests_completed"].get<double>() < 0.5 * off["requests_arrived"].get<double>());
  CHECK(off["energy_j"].get<double>() < on["energy_j"].get<double>());

  // Same syntax, same checks as the top-level list: one line naming the policy's key, exit 2.
  const std::string bad = tmp.file("bad.yaml", slurp(exp).replace(slurp(exp).find("host: edge-server, state"), 17,
                                                                 "host: nowhere"));
  r = run_cli("run " + bad + " -q --data-root " + data_root() + " --out " + (tmp / "bad"), tmp);
  CHECK(r.rc == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("policies.cut.events") != std::string::npos);
  CHECK(r.err.find("nowhere") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "bad"));
}

TEST_CASE("run shows progress on stderr: periodic lines off a terminal, one redrawn line on one", "[e2e][run]") {
  TempDir tmp;
  const std::string args = "run " + quickstart() + slow_args() + " -j 1 --policies monolithic,round-robin --out ";
  // Not a terminal, with the period shortened from 10 s: plain lines naming the running policy.
  auto r = run_cli(args + (tmp / "a"), tmp, "");
  REQUIRE(r.rc == 0);
  CHECK(r.err.empty());  // a run under 10 s prints no progress
  const std::string env = "CARBONEDGE_PROGRESS_EVERY=0.2 ";
  std::string cmd = env + CE_BINARY + " " + args + (tmp / "b") + " >" + (tmp / "o.txt") + " 2>" + (tmp / "e.txt");
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string err = slurp(tmp / "e.txt");
  INFO(err);
  // Each policy runs ~0.8 s here; on a much faster machine one may end before its first report.
  CHECK((err.find("progress: monolithic: ") != std::string::npos ||
         err.find("progress: round-robin: ") != std::string::npos));
  CHECK(err.find(" simulated), ") != std::string::npos);
  CHECK(err.find(" arrived, ") != std::string::npos);
  CHECK(err.find(" req/s, ") != std::string::npos);
  CHECK(err.find('\r') == std::string::npos);
  // -q silences it.
  cmd = env + CE_BINARY + " " + args + (tmp / "c") + " -q 2>" + (tmp / "q.txt");
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(slurp(tmp / "q.txt").empty());
  // The outputs do not depend on the display.
  for (const char* f : {"comparison.csv", "run.json", "monolithic/summary.json", "round-robin/requests.csv"})
    CHECK(slurp(tmp / (std::string("a/") + f)) == slurp(tmp / (std::string("b/") + f)));

  // On a terminal: one line redrawn in place, erased before the table is printed.
  int rc = -1;
  const std::string term = run_on_terminal(args + (tmp / "d"), &rc);
  INFO(term);
  CHECK(rc == 0);
  CHECK((term.find("\r\033[K[0/2 done] monolithic ") != std::string::npos ||
         term.find("\r\033[K[1/2 done] round-robin ") != std::string::npos));
  CHECK(term.find("progress:") == std::string::npos);
  const size_t table = term.find("policy ");
  REQUIRE(table != std::string::npos);
  CHECK(term.rfind("\r\033[K", table) > term.rfind(" done] ", table));  // the last line was cleared
  CHECK(run_on_terminal(args + (tmp / "e") + " -q", &rc).find("done]") == std::string::npos);
}

TEST_CASE("Ctrl-C keeps the finished policies and the same command then simulates only the missing ones",
          "[e2e][run][signals]") {
  TempDir tmp;
  const std::string out = tmp / "out";
  const std::string args = "run " + quickstart() + slow_args() + " -j 1 --out ";
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const std::string cmd = "exec " + std::string(CE_BINARY) + " " + args + out + " >" + (tmp / "o.txt") + " 2>" +
                            (tmp / "e.txt");
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  // -j 1 runs monolithic, round-robin, c in turn: c's directory appears once the other two ended.
  const fs::path third = out + ".partial-" + std::to_string(pid) + "/c";
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(third) && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  REQUIRE(fs::exists(third));
  kill(-pid, SIGINT);  // the whole group, like Ctrl-C in a terminal
  int st = 0;
  waitpid(pid, &st, 0);
  INFO(slurp(tmp / "e.txt"));
  CHECK(WIFSIGNALED(st));
  CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGINT));
  REQUIRE(fs::exists(out + "/run.json"));
  auto run = read_json(out + "/run.json");
  CHECK(run["complete"] == false);
  CHECK(labels(run["missing_policies"]) == std::vector<std::string>{"c"});
  CHECK(labels(run["policies"]) == std::vector<std::string>{"monolithic", "round-robin", "c"});
  CHECK(count_lines(slurp(out + "/comparison.csv")) == 3);
  CHECK(fs::exists(out + "/round-robin/summary.json"));
  CHECK_FALSE(fs::exists(out + "/c"));
  CHECK(slurp(tmp / "o.txt").find("interrupted: 2 of 3 policies finished (missing: c)") != std::string::npos);
  for (auto& e : fs::directory_iterator(tmp.path)) CHECK(e.path().filename().string().find("partial") == std::string::npos);

  // Other inputs (here the seed): nothing is reused.
  fs::copy(out, tmp / "copy", fs::copy_options::recursive);
  auto r = run_cli(args + (tmp / "copy") + " --seed 7", tmp);
  CHECK(r.rc == 0);
  CHECK(r.err.find("resuming") == std::string::npos);
  CHECK(read_json(tmp / "copy/run.json")["complete"] == true);

  // The same command: monolithic and round-robin are reused, c alone is simulated, and the result
  // is byte for byte what an uninterrupted run gives.
  r = run_cli(args + out, tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.find("resuming an interrupted run: reusing monolithic, round-robin (2 of 3 policies)") !=
        std::string::npos);
  REQUIRE(run_cli(args + (tmp / "fresh") + " -q", tmp).rc == 0);
  for (const char* f : {"comparison.csv", "run.json", "monolithic/summary.json", "monolithic/requests.csv",
                        "c/summary.json", "c/requests.csv", "round-robin/timeseries.csv"})
    CHECK(slurp(out + "/" + f) == slurp(tmp / (std::string("fresh/") + f)));
  // A complete output is replaced, never reused.
  r = run_cli(args + out, tmp);
  CHECK(r.rc == 0);
  CHECK(r.err.find("resuming") == std::string::npos);
}
