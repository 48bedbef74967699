// Never destroy a user's files (docs/reliability.md, "Output directories and processes"): `run`
// writes only into a staging directory it created and puts it in OUT's place only when OUT is new,
// empty, or an earlier output of the same experiment (marker .carbonedge-run); anything else is
// refused with exit 2, one line, nothing touched. Stale staging directories of dead runs are
// removed by the next run; children die with their parent (run and sweep); -j must be >= 0; a
// run-time input error is printed once whatever -j.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fcntl.h>
#include <map>
#include <set>
#include <thread>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

const std::string kPlatform = "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n";
const std::string kTrace = "timestamp,value\n0,100\n3600,200\n";

// A one-host experiment that runs in a fraction of a second.
std::string tiny_experiment(const std::string& name = "tiny") {
  return "name: " + name +
         "\nplatform: platform.yaml\ncarbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n"
         "  traces: {Z: {file: z.csv}}\n"
         "models: [{name: tiny, gmacs: 0.01}]\n"
         "workload: {type: poisson, rate: 1, model: tiny, source: h}\npolicies:\n  mono: {host: h, type: monolithic}\n"
         "  rr: {type: round-robin}\n";
}

// Two policies that simulate for minutes (static intensity, 1000 h at 20 req/s): only ever killed.
std::string long_experiment(const std::string& sweep = "") {
  return "name: long\nplatform: platform.yaml\ncarbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1000h\n"
         "  static: {Z: 100}\n"
         "models: [{name: tiny, gmacs: 0.01}]\n"
         "workload: {type: poisson, rate: 20, model: tiny, source: h}\n"
         "output: {requests: false, timeseries: false}\n"
         "policies:\n  mono: {host: h, type: monolithic}\n  rr: {type: round-robin}\n" +
         sweep;
}

// Writes the platform, the trace and exp.yaml into `tmp`; returns exp.yaml's path.
std::string write_inputs(const TempDir& tmp, const std::string& experiment) {
  tmp.file("platform.yaml", kPlatform);
  tmp.file("z.csv", kTrace);
  return tmp.file("exp.yaml", experiment);
}

// Every entry under `dir` with its content ("<dir>" for directories), to prove nothing changed.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    out[fs::relative(e.path(), dir).string()] = e.is_directory() ? "<dir>" : slurp(e.path().string());
  return out;
}

bool has_partial(const fs::path& dir) {
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
  return false;
}

void check_refused(const CliResult& r, const std::string& names) {
  INFO("stderr: " << r.err);
  CHECK(r.rc == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK_THAT(r.err, Catch::Contains(names));
  CHECK_THAT(r.err, Catch::Contains("--out"));  // says what to do
}

// /proc/<pid>/stat: state and parent. A zombie (or no entry at all) is dead: it runs no code.
bool alive(pid_t pid) {
  std::string s = slurp("/proc/" + std::to_string(pid) + "/stat");
  size_t close = s.rfind(')');
  if (close == std::string::npos || close + 2 >= s.size()) return false;
  return s[close + 2] != 'Z' && s[close + 2] != 'X';
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string s = slurp(e.path().string() + "/stat");
    size_t close = s.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(s.substr(close + 2));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z') out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

std::vector<pid_t> grandchildren_of(pid_t pid) {
  std::vector<pid_t> out;
  for (pid_t c : children_of(pid))
    for (pid_t g : children_of(c)) out.push_back(g);
  return out;
}

// Starts carbonedge ARGS in `workdir` as our own child, stdout/stderr discarded.
pid_t spawn(const std::vector<std::string>& args, const std::string& workdir) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(workdir.c_str()) != 0) _exit(127);
    int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    std::vector<std::string> all = {CE_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(CE_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

template <class Pred>
bool wait_until(Pred pred, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

size_t count_alive(const std::vector<pid_t>& pids) {
  size_t n = 0;
  for (pid_t p : pids) n += alive(p);
  return n;
}

// A pid that belonged to a process that has exited and been reaped.
pid_t dead_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

TEST_CASE("run --out . is refused and the current directory is untouched", "[e2e][output-safety]") {
  TempDir tmp, io;
  write_inputs(tmp, tiny_experiment());
  tmp.file("notes.txt", "my notes\n");
  const auto before = snapshot(tmp.path);
  for (const std::string& out : std::vector<std::string>{".", "./", tmp.path.string(), ".."}) {
    INFO("--out " << out);
    auto r = run_cli("run exp.yaml --out " + out + " --data-root " + data_root(), io, tmp.path.string());
    check_refused(r, "current directory");
    CHECK(snapshot(tmp.path) == before);
  }
  CHECK(fs::exists(tmp.path.parent_path()));
}

TEST_CASE("run --out FILE is refused and the file is untouched", "[e2e][output-safety]") {
  TempDir tmp, io;
  write_inputs(tmp, tiny_experiment());
  tmp.file("notes.txt", "my notes\n");
  const auto before = snapshot(tmp.path);
  auto r = run_cli("run exp.yaml --out notes.txt", io, tmp.path.string());
  check_refused(r, "notes.txt: exists and is not a directory");
  CHECK(snapshot(tmp.path) == before);
  // The same for a sweep directory.
  auto s = run_cli("sweep " + source_dir() + "/tests/data/sweep_small.yaml --out notes.txt --data-root " + data_root(),
                   io, tmp.path.string());
  check_refused(s, "is not a directory");
  CHECK(snapshot(tmp.path) == before);
}

TEST_CASE("run --out DIR holding files it did not write is refused and DIR is untouched", "[e2e][output-safety]") {
  TempDir tmp, io;
  write_inputs(tmp, tiny_experiment());
  tmp.file("results/old-run/summary.txt", "an earlier result\n");
  tmp.file("results/keep.csv", "a,b\n1,2\n");
  const auto before = snapshot(tmp.path);
  for (const std::string& out : std::vector<std::string>{"results", "results/old-run", "results/"}) {
    INFO("--out " << out);
    auto r = run_cli("run exp.yaml --out " + out, io, tmp.path.string());
    check_refused(r, "no .carbonedge-run marker");
    CHECK(snapshot(tmp.path) == before);
  }
  // A directory holding an input of the run: never.
  auto in = run_cli("run " + (tmp / "exp.yaml") + " --out " + tmp.path.string() + "/", io, io.path.string());
  check_refused(in, "holds an input of this run");
  CHECK(snapshot(tmp.path) == before);
}

TEST_CASE("run --out out/ (trailing slash) writes out/ and keeps it", "[e2e][output-safety]") {
  TempDir tmp, io;
  write_inputs(tmp, tiny_experiment());
  tmp.file("a", "a name shorter than OUT's\n");
  auto r = run_cli("run exp.yaml --out out/", io, tmp.path.string());
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(fs::exists(tmp / "out/comparison.csv"));
  CHECK(fs::exists(tmp / "out/mono/summary.json"));
  CHECK(fs::exists(tmp / "out/.carbonedge-run"));
  CHECK_THAT(r.out, Catch::Contains("results in out/\n"));
  CHECK_FALSE(has_partial(tmp.path));
  CHECK_FALSE(has_partial(tmp / "out"));
}

TEST_CASE("a rerun replaces its own earlier output, another experiment is refused", "[e2e][output-safety]") {
  TempDir tmp, io;
  write_inputs(tmp, tiny_experiment());
  // The default output, results/<name>, follows the same rule.
  auto first = run_cli("run exp.yaml -q --seed 1", io, tmp.path.string());
  INFO(first.err);
  REQUIRE(first.rc == 0);
  REQUIRE(read_json(tmp / "results/tiny/run.json")["seed"] == 1);
  const auto marker = read_json(tmp / "results/tiny/.carbonedge-run");
  CHECK(marker["experiment"] == fs::canonical(tmp / "exp.yaml").string());
  CHECK(marker["name"] == "tiny");
  auto second = run_cli("run exp.yaml -q --seed 2", io, tmp.path.string());
  INFO(second.err);
  REQUIRE(second.rc == 0);
  CHECK(read_json(tmp / "results/tiny/run.json")["seed"] == 2);
  CHECK_FALSE(has_partial(tmp / "results"));

  // Another experiment file (same name) may not replace it.
  tmp.file("other.yaml", tiny_experiment());
  const auto before = snapshot(tmp.path);
  auto other = run_cli("run other.yaml -q", io, tmp.path.string());
  check_refused(other, "holds the output of another experiment");
  CHECK(snapshot(tmp.path) == before);

  // Without its marker it is a directory like any other: refused.
  fs::remove(tmp / "results/tiny/.carbonedge-run");
  const auto unmarked = snapshot(tmp.path);
  auto again = run_cli("run exp.yaml -q", io, tmp.path.string());
  check_refused(again, "results/tiny: exists and was not written by `carbonedge run`");
  CHECK(snapshot(tmp.path) == unmarked);

  // An empty directory is taken.
  fs::create_directories(tmp / "empty");
  auto empty = run_cli("run exp.yaml -q --out empty", io, tmp.path.string());
  INFO(empty.err);
  CHECK(empty.rc == 0);
  CHECK(fs::exists(tmp / "empty/comparison.csv"));
}

TEST_CASE("stale OUT.partial-<pid> of dead runs carrying the marker are removed by the next run", "[e2e][output-safety]") {
  TempDir tmp, io;
  write_inputs(tmp, tiny_experiment());
  const pid_t dead = dead_pid();
  const std::string stale = "out.partial-" + std::to_string(dead);
  tmp.file(stale + "/.carbonedge-run", "{}\n");
  tmp.file(stale + "/mono/summary.json", "{\"half\": ");
  tmp.file(stale + ".old/.carbonedge-run", "{}\n");  // the old output of a swap cut short
  // Not removed: no marker (not ours), a live pid (ours: this test), another OUT's.
  const std::string foreign = "out.partial-" + std::to_string(dead_pid());
  tmp.file(foreign + "/mine.txt", "not carbonedge's\n");
  const std::string live = "out.partial-" + std::to_string(getpid());
  tmp.file(live + "/.carbonedge-run", "{}\n");
  const std::string elsewhere = "other.partial-" + std::to_string(dead);
  tmp.file(elsewhere + "/.carbonedge-run", "{}\n");

  auto r = run_cli("run exp.yaml -q --out out", io, tmp.path.string());
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(fs::exists(tmp / "out/comparison.csv"));
  CHECK_FALSE(fs::exists(tmp / stale));
  CHECK_FALSE(fs::exists(tmp / (stale + ".old")));
  CHECK(slurp(tmp / (foreign + "/mine.txt")) == "not carbonedge's\n");
  CHECK(fs::exists(tmp / (live + "/.carbonedge-run")));
  CHECK(fs::exists(tmp / (elsewhere + "/.carbonedge-run")));
}

TEST_CASE("kill -9 of run: its policy children die with it and the next run removes its staging", "[e2e][output-safety]") {
  TempDir tmp;
  write_inputs(tmp, long_experiment());
  pid_t pid = spawn({"run", "exp.yaml", "-q", "-j", "2", "--out", "out"}, tmp.path.string());
  const std::string staging = tmp / ("out.partial-" + std::to_string(pid));
  std::vector<pid_t> kids;
  REQUIRE(wait_until([&] { return fs::exists(staging) && (kids = children_of(pid)).size() == 2; }, 30));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  bool gone = wait_until([&] { return count_alive(kids) == 0; }, 2);
  for (pid_t k : kids) kill(k, SIGKILL);  // the old behaviour: do not leave them running
  CHECK(gone);
  REQUIRE(fs::exists(staging));  // kill -9 leaves it: nothing could remove it

  tmp.file("exp.yaml", tiny_experiment("long"));
  TempDir io;
  auto r = run_cli("run exp.yaml -q --out out", io, tmp.path.string());
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK_FALSE(fs::exists(staging));
  CHECK_FALSE(has_partial(tmp.path));
  CHECK(fs::exists(tmp / "out/comparison.csv"));
}

TEST_CASE("kill -9 of a sweep: the policy processes of its points die with it", "[e2e][output-safety]") {
  TempDir tmp;
  write_inputs(tmp, long_experiment("sweep:\n  grid: {workload.rate: [20, 21]}\n"));
  pid_t pid = spawn({"sweep", "exp.yaml", "-q", "-j", "2", "--out", "sw"}, tmp.path.string());
  std::vector<pid_t> points, policies;
  REQUIRE(wait_until(
      [&] {
        points = children_of(pid);
        policies = grandchildren_of(pid);
        return points.size() == 2 && policies.size() == 2;  // a point runs its policies one at a time
      },
      30));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  bool gone = wait_until([&] { return count_alive(points) + count_alive(policies) == 0; }, 2);
  for (pid_t p : points) kill(p, SIGKILL);  // the old behaviour: do not leave them running
  for (pid_t p : policies) kill(p, SIGKILL);
  CHECK(gone);
  CHECK_FALSE(fs::exists(tmp / "sw/results.csv"));
}

TEST_CASE("run and sweep refuse a negative or non-integer -j, and -j 0 means all cores", "[e2e][output-safety]") {
  TempDir tmp, io;
  write_inputs(tmp, tiny_experiment());
  const auto before = snapshot(tmp.path);
  for (const std::string& j : std::vector<std::string>{"-3", "-1", "two"}) {
    INFO("-j " << j);
    auto r = run_cli("run exp.yaml --out out -j " + j, io, tmp.path.string());
    CHECK(r.rc == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK_THAT(r.err, Catch::Contains("--jobs") && Catch::Contains("non-negative integer"));
    auto s = run_cli("sweep " + source_dir() + "/tests/data/sweep_small.yaml --out sw -j " + j + " --data-root " +
                         data_root(),
                     io, tmp.path.string());
    CHECK(s.rc == 2);
    CHECK(count_lines(s.err) == 1);
    CHECK_THAT(s.err, Catch::Contains("--jobs") && Catch::Contains("non-negative integer"));
    CHECK(snapshot(tmp.path) == before);
  }
  auto zero = run_cli("run exp.yaml -q --out out -j 0", io, tmp.path.string());
  INFO(zero.err);
  CHECK(zero.rc == 0);
  CHECK(fs::exists(tmp / "out/comparison.csv"));
}

TEST_CASE("a run-time input error of every policy is printed once with -j 4", "[e2e][output-safety]") {
  TempDir tmp, io;
  // Two hosts and no link: every plan sending a request from `a` to `b` needs a route that is missing.
  tmp.file("platform.yaml",
           "name: p\nhosts:\n  - {name: a, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n"
           "  - {name: b, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n");
  tmp.file("z.csv", kTrace);
  std::string exp = tiny_experiment();
  exp = exp.substr(0, exp.find("workload:")) +
        "workload: {type: poisson, rate: 1, model: tiny, source: a}\npolicies:\n"
        "  p1: {host: b, type: monolithic}\n  p2: {host: b, type: monolithic}\n"
        "  p3: {host: b, type: monolithic}\n  p4: {host: b, type: monolithic}\n";
  tmp.file("exp.yaml", exp);
  auto r = run_cli("run exp.yaml --out out -j 4", io, tmp.path.string());
  INFO("stderr: " << r.err);
  CHECK(r.rc == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK_THAT(r.err, Catch::Contains("no route from host 'a' to 'b'"));
  CHECK_FALSE(fs::exists(tmp / "out"));
  CHECK_FALSE(has_partial(tmp.path));
}
