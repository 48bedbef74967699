// `carbonedge sweep EXP --out DIR`: runs every point of the experiment's `sweep:` section as its own
// `carbonedge run` (one process per point, so one SimGrid engine per process), N points at a time,
// then merges every point's summaries into DIR/results.csv.
//
// Crash safety: a point is finished when DIR/points/<id>/ exists; run_command builds it in a
// staging directory and renames it into place, so a point is all there or absent. Points run in
// children of the process pool (src/cli/process_pool.hpp), which die with the sweep, and each
// point's policy children die with the point, so after `kill -9` nothing renames or writes behind a
// restarted sweep's back; the restart removes the stale staging directories and runs what is
// missing. DIR/sweep.json is the sweep directory's marker: it pins the experiment's SHA-256 and the
// expanded points, so a sweep resumes only into its own directory, and any other non-empty
// directory or a file is refused untouched. With --slurm the same points become a Slurm job array
// (see submit_slurm).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/output_dir.hpp"
#include "cli/prepared.hpp"
#include "cli/process_pool.hpp"
#include "cli/run_command.hpp"
#include "config/yaml_section.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "sweep/slurm_scripts.hpp"
#include "sweep/sweep_reuse.hpp"
#include "sweep/sweep_results.hpp"
#include "sweep/sweep_spec.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ce {

namespace {

struct SweepOptions {
  std::string experiment;
  std::string out_dir;
  LoadOptions load;
  int jobs = 0;             // points at once; 0 = all cores. With --slurm: the array's %limit
  long only_point = -1;     // run this one point in this process (a Slurm array task)
  bool merge_only = false;  // write results.csv from finished points (the Slurm merge job)
  bool slurm = false;
  std::string slurm_args;  // extra sbatch arguments, split on whitespace
  bool quiet = false;
};

// The sweep as expanded from the experiment file and the command line.
struct SweepPlan {
  std::string experiment;  // absolute
  std::string name;
  std::vector<std::string> keys;
  std::vector<SweepPoint> points;
  json record;
  std::string dir;  // absolute
  // Per point: which policies it simulates and which results it reads from an earlier point
  // (src/sweep/sweep_reuse.hpp).
  std::vector<PointReuse> reuse;

  std::string point_dir(size_t i) const { return dir + "/points/" + point_dir_name(i, points.size()); }
  // The point's directory with a summary of every policy it simulates: `run` installs an interrupted
  // run's finished policies too, and rerunning such a point simulates only its missing ones.
  bool finished(size_t i) const {
    if (!fs::is_directory(point_dir(i))) return false;
    for (const auto& label : reuse[i].run)
      if (!fs::is_regular_file(point_dir(i) + "/" + label + "/summary.json")) return false;
    return true;
  }
};

LoadOptions point_load(const SweepOptions& opt, const SweepPoint& p) {
  LoadOptions l = opt.load;
  l.command_line_overrides = opt.load.overrides.size();  // the point's values are written in the file
  for (const auto& o : p.overrides()) l.overrides.push_back(o);
  l.seed = static_cast<long>(p.seed);
  return l;
}

std::string describe(const SweepPoint& p) {
  std::string s = fmt::format("sweep point {}:", p.index);
  for (const auto& o : p.overrides()) s += " " + o;
  return s + fmt::format(" seed={}", p.seed);
}

// Each (policy, effective configuration) is simulated once (src/sweep/sweep_reuse.hpp): keys every
// point's policies from its resolved document (YAML only: no platform, carbon or workload is loaded)
// and records in sweep.json which results each point reuses. Deterministic, so a resume, a Slurm
// task and the merge job plan the same.
void plan_policy_reuse(const SweepOptions& opt, const YAML::Node& file_doc, SweepPlan& plan) {
  std::vector<PointPolicies> keyed;
  keyed.reserve(plan.points.size());
  for (const auto& pt : plan.points) {
    std::vector<std::string> overrides = opt.load.overrides;
    for (auto& o : pt.overrides()) overrides.push_back(std::move(o));
    try {
      keyed.push_back(point_policies(resolved_point(file_doc, overrides, pt.seed, opt.experiment)));
    } catch (const InputError& err) {
      throw InputError(fmt::format("{} ({})", err.what(), describe(pt)));
    }
  }
  plan.reuse = plan_reuse(keyed);
  json reused = json::array();  // [{point, from: {label: earlier point}}], in point order
  for (size_t i = 0; i < plan.points.size(); ++i)
    if (!plan.reuse[i].from.empty()) reused.push_back({{"point", i}, {"from", plan.reuse[i].from}});
  plan.record["reused"] = reused;  // informational: sweep_record_mismatch does not compare it
}

SweepPlan plan_sweep(const SweepOptions& opt) {
  SweepPlan plan;
  plan.experiment = fs::absolute(opt.experiment).lexically_normal().string();
  const YAML::Node file_doc = load_yaml_file(opt.experiment);
  YAML::Node doc = YAML::Clone(file_doc);
  for (const auto& o : opt.load.overrides) apply_override(doc, o, opt.experiment);
  YamlSection root(doc, opt.experiment, "");
  long seed = opt.load.seed >= 0 ? opt.load.seed : root.integer_or("seed", 1);
  if (seed < 0) root.fail("seed", "must be >= 0");
  SweepSpec spec = parse_sweep(doc, opt.experiment, static_cast<uint64_t>(seed));
  plan.name = root.str_or("name", fs::path(opt.experiment).stem().string());
  plan.keys = swept_keys(spec);
  plan.points = expand_sweep(spec);
  plan.record = sweep_record(plan.experiment, sha256_file(opt.experiment), opt.load.overrides, plan.keys, plan.points);
  plan.dir = fs::absolute(opt.out_dir).lexically_normal().string();
  if (plan.dir.size() > 1 && plan.dir.back() == '/') plan.dir.pop_back();
  plan_policy_reuse(opt, file_doc, plan);
  return plan;
}

// The sweep directory's rule (docs/reliability.md): absent, empty, or a sweep directory (with
// sweep.json, checked against this sweep by check_record). Anything else is refused untouched.
void refuse_foreign_dir(const SweepPlan& plan) {
  std::error_code ec;
  const auto st = fs::symlink_status(plan.dir, ec);
  if (!fs::exists(st)) return;
  if (!fs::is_directory(plan.dir, ec))
    fail_in_file(plan.dir, "exists and is not a directory; choose another --out (carbonedge does not overwrite what "
                           "it did not write)");
  if (!fs::is_empty(plan.dir, ec) && !fs::exists(plan.dir + "/sweep.json"))
    fail_in_file(plan.dir, "exists and is not a sweep directory (no sweep.json); choose another --out, or remove it "
                           "yourself");
}

// sweep.json must describe this very sweep; `create` writes it when absent.
void check_record(const SweepPlan& plan, bool create) {
  const std::string path = plan.dir + "/sweep.json";
  if (!fs::exists(path)) {
    if (!create) fail_in_file(path, "missing: start the sweep with `carbonedge sweep EXP --out DIR [--slurm]` first");
    refuse_foreign_dir(plan);
    fs::create_directories(plan.dir);
    write_file_atomic(path, plan.record.dump(2) + "\n");  // first, so DIR is never a sweep without it
    fs::create_directories(plan.dir + "/points");
    return;
  }
  json existing;
  try {
    std::ifstream in(path);
    existing = json::parse(in);
  } catch (const json::exception& e) {
    fail_in_file(path, fmt::format("is not valid JSON ({}); remove the directory to start over", e.what()));
  }
  std::string why = sweep_record_mismatch(existing, plan.record);
  if (!why.empty())
    fail_in_file(path, fmt::format("cannot resume this sweep: {}; use another --out or remove {}", why, plan.dir));
  fs::create_directories(plan.dir + "/points");
}

// Loads every point's inputs (as `run` would) before anything is written, so a bad value in the
// sweep section fails the whole sweep up front with one line. A directory this sweep cannot use is
// refused first (cheaper, and the more useful message).
void validate_points(const SweepOptions& opt, const SweepPlan& plan, const std::vector<size_t>& which) {
  refuse_foreign_dir(plan);
  if (fs::exists(plan.dir + "/sweep.json")) check_record(plan, false);
  for (size_t i : which) {
    try {
      prepare(opt.experiment, point_load(opt, plan.points[i]));
    } catch (const InputError& e) {
      throw InputError(fmt::format("{} ({})", e.what(), describe(plan.points[i])));
    }
  }
}

// Staging directories left by a killed run ("0003.partial-1234"), by output_dir's rule (dead pid,
// our marker, its lock free); `only` limits it to one point.
void remove_stale_points(const SweepPlan& plan, long only) {
  const std::string base = only >= 0 ? point_dir_name(static_cast<size_t>(only), plan.points.size()) : "";
  remove_stale_staging(plan.dir + "/points", base);
}

std::vector<size_t> pending_points(const SweepPlan& plan) {
  std::vector<size_t> out;
  for (size_t i = 0; i < plan.points.size(); ++i)
    if (!plan.finished(i)) out.push_back(i);
  return out;
}

int run_point(const SweepOptions& opt, const SweepPlan& plan, size_t i) {
  if (plan.reuse[i].run.empty()) {
    // Every result of this point comes from earlier points: the directory alone marks it finished.
    fs::create_directories(plan.point_dir(i));
    return 0;
  }
  RunOptions r;
  r.experiment = opt.experiment;
  r.out_dir = plan.point_dir(i);
  r.load = point_load(opt, plan.points[i]);
  if (!plan.reuse[i].runs_all())  // only the policies it simulates (`run --policies`)
    for (const auto& label : plan.reuse[i].run) r.policies += (r.policies.empty() ? "" : ",") + label;
  r.jobs = 1;  // the sweep parallelises over points
  r.quiet = true;
  return run_command(r);
}

// Every policy's row comes from the point that simulated it: this one, or the earlier point whose
// results it reuses (plan.reuse), so results.csv has every (point, policy) row either way.
std::string merge_results(const SweepPlan& plan) {
  std::vector<SweepResultRow> rows;
  for (const auto& p : plan.points) {
    const PointReuse& reuse = plan.reuse[p.index];
    std::vector<json> summaries;
    for (const auto& label : reuse.labels) {
      auto from = reuse.from.find(label);
      const std::string dir = plan.point_dir(from == reuse.from.end() ? p.index : from->second);
      std::ifstream in(dir + "/" + label + "/summary.json");
      if (!in) fail_in_file(dir + "/" + label + "/summary.json", "missing: the point did not finish; rerun the sweep");
      summaries.push_back(json::parse(in));
    }
    for (auto& r : point_rows(p, summaries)) rows.push_back(std::move(r));
  }
  const std::string path = plan.dir + "/results.csv";
  write_file_atomic(path, results_csv(plan.keys, rows));
  return path;
}

std::string clock_text(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

// "[=====>    ] 12/40 points  ETA 0:42" on stderr, redrawn in place; only on a terminal.
class ProgressBar {
 public:
  ProgressBar(size_t total, bool enabled) : total_(total), enabled_(enabled && isatty(STDERR_FILENO)) { draw(0); }
  void draw(size_t done) {
    if (!enabled_ || total_ == 0) return;
    const int width = 30;
    int filled = static_cast<int>(width * done / total_);
    std::string bar(static_cast<size_t>(filled), '=');
    if (filled < width) bar += '>';
    bar.resize(width, ' ');
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string eta =
        done == 0 ? "--:--" : clock_text(elapsed / static_cast<double>(done) * static_cast<double>(total_ - done));
    std::cerr << fmt::format("\r[{}] {}/{} points  ETA {}  ", bar, done, total_, eta) << std::flush;
  }
  void finish() {
    if (enabled_ && total_ > 0) std::cerr << "\n";
  }

 private:
  size_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Only one sweep at a time may run points in a directory: a second one would take the first's
// staging directories for stale ones. flock() is released by the kernel however the holder dies.
int lock_sweep_dir(const SweepPlan& plan) {
  const std::string path = plan.dir + "/.sweep.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0)
    fail_in_file(plan.dir, "another `carbonedge sweep` is running in this directory; wait for it or use another --out");
  return fd;
}

// Body of a pool child of the sweep (which already dies with the sweep): runs one point with
// stdout discarded and stderr in DIR/logs/<id>.log.
int point_child(const SweepOptions& opt, const SweepPlan& plan, size_t i, const std::string& log, int lock_fd) {
  close(lock_fd);  // the lock belongs to the sweep: a restart must not wait for our leftovers
  int null_fd = open("/dev/null", O_WRONLY);
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
  if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
  int rc = 1;
  try {
    rc = run_point(opt, plan, i);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    rc = 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    rc = 1;
  }
  return rc;
}

// Why a point failed: the last line of its log, or the signal that killed it.
std::string failure_reason(int status, const std::string& log) {
  if (WIFSIGNALED(status))
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;  // the error is the last thing a failed point printed
  if (!last.empty()) return last;
  return WIFEXITED(status) ? fmt::format("exit code {}, no message", WEXITSTATUS(status)) : "no message";
}

int run_local(const SweepOptions& opt, const SweepPlan& plan) {
  std::vector<size_t> todo = pending_points(plan);
  validate_points(opt, plan, todo);
  check_record(plan, true);
  const int lock_fd = lock_sweep_dir(plan);
  todo = pending_points(plan);  // a sweep that held the lock until now may have finished some
  remove_stale_points(plan, -1);
  fs::create_directories(plan.dir + "/logs");
  const auto t0 = std::chrono::steady_clock::now();
  const size_t n = plan.points.size();
  auto log_of = [&](size_t i) { return plan.dir + "/logs/" + point_dir_name(i, n) + ".log"; };
  // SIGINT/SIGTERM/SIGHUP: the pool sends SIGTERM to the points (each removes its staging
  // directory and stops its own children), reaps them, and the sweep exits by the same signal.
  StopSignals stop;
  ProgressBar bar(todo.size(), !opt.quiet);
  std::vector<std::pair<size_t, std::string>> failed;  // point, reason
  size_t done = 0;
  PoolOptions pool;
  pool.jobs = static_cast<size_t>(opt.jobs);
  pool.stop_signal = SIGTERM;
  PoolResult result = run_pool(
      todo.size(), pool, [&](size_t k) { return point_child(opt, plan, todo[k], log_of(todo[k]), lock_fd); },
      [&](const ChildExit& e) {
        const size_t i = todo[e.task];
        std::error_code ec;
        if (e.ok() && plan.finished(i))
          fs::remove(log_of(i), ec);
        else if (!StopSignals::caught())
          failed.emplace_back(i, e.message.empty() ? failure_reason(e.status, log_of(i)) : e.message);
        else
          fs::remove(log_of(i), ec);  // stopped on purpose: not a failure
        bar.draw(++done);
      });
  bar.finish();
  std::error_code ec;
  const int stopped_by = result.stopped_by ? result.stopped_by : StopSignals::caught();
  if (stopped_by)  // a point that ended just before the stop was seen (Ctrl-C reaches it too): not a failure
    for (const auto& f : failed) fs::remove(log_of(f.first), ec);
  fs::remove(plan.dir + "/logs", ec);  // only when empty: failed points keep their logs
  if (int sig = stopped_by) {
    size_t finished = n - pending_points(plan).size();
    std::cerr << fmt::format("{}: stopped by signal {}; {} of {} points finished; run the same command to resume\n",
                             plan.dir, sig, finished, n);
    StopSignals::exit_by(sig);  // the caller sees how we ended
  }
  if (!failed.empty()) {
    for (const auto& [i, why] : failed)
      std::cerr << fmt::format("error: {} failed: {} (log: {})\n", describe(plan.points[i]), why, log_of(i));
    std::cerr << fmt::format("error: {} of {} points failed; rerun the same command to retry them\n", failed.size(), n);
    return 1;
  }
  std::string csv = merge_results(plan);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  size_t results = 0, reused = 0;
  for (const auto& r : plan.reuse) results += r.labels.size(), reused += r.from.size();
  if (!opt.quiet)
    std::cout << fmt::format("{} — {} points ({} run now, {} already done) in {:.1f} s, results in {}{}\n", plan.name,
                             n, todo.size(), n - todo.size(), wall, csv,
                             reused ? fmt::format("; {} of {} policy results reused from earlier points with the same "
                                                  "configuration", reused, results)
                                    : std::string());
  return 0;
}

int run_only_point(const SweepOptions& opt, const SweepPlan& plan) {
  if (opt.only_point >= static_cast<long>(plan.points.size()))
    throw InputError(
        fmt::format("--only-point {}: the sweep has points 0..{}", opt.only_point, plan.points.size() - 1));
  check_record(plan, false);
  const size_t i = static_cast<size_t>(opt.only_point);
  if (plan.finished(i)) {
    std::cout << fmt::format("{} already done\n", describe(plan.points[i]));
    return 0;
  }
  remove_stale_points(plan, opt.only_point);
  std::cout << describe(plan.points[i]) << "\n" << std::flush;
  return run_point(opt, plan, i);
}

int run_merge_only(const SweepOptions& opt, const SweepPlan& plan) {
  check_record(plan, false);
  std::vector<size_t> missing = pending_points(plan);
  if (!missing.empty()) {
    std::string list;
    for (size_t k = 0; k < missing.size() && k < 10; ++k) list += (k ? ", " : "") + std::to_string(missing[k]);
    if (missing.size() > 10) list += ", ...";
    std::cerr << fmt::format("error: {}: {} of {} points are not finished ({}); run them first\n", plan.dir,
                             missing.size(), plan.points.size(), list);
    return 1;
  }
  std::string csv = merge_results(plan);
  if (!opt.quiet) std::cout << fmt::format("{} — {} points, results in {}\n", plan.name, plan.points.size(), csv);
  return 0;
}

// Runs a shell command and returns its stdout; a non-zero exit is an error naming the command.
std::string capture(const std::string& cmd) {
  std::cout.flush();
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) throw std::runtime_error("cannot run: " + cmd);
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  int st = pclose(f);
  if (st != 0) throw std::runtime_error(fmt::format("`{}` failed (exit status {})", cmd, WEXITSTATUS(st)));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// The part of the carbonedge command line a Slurm task repeats: binary, experiment, --out and the
// load flags, all absolute, so the job does not depend on its working directory.
std::string task_command(const SweepOptions& opt, const SweepPlan& plan) {
  std::error_code ec;
  std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) exe = "carbonedge";
  std::string cmd = shell_quote(exe) + " sweep " + shell_quote(plan.experiment) + " --out " + shell_quote(plan.dir);
  cmd += " --data-root " + shell_quote(fs::absolute(resolve_data_root(opt.load.data_root)).lexically_normal().string());
  for (const auto& o : opt.load.overrides) cmd += " --set " + shell_quote(o);
  if (opt.load.seed >= 0) cmd += fmt::format(" --seed {}", opt.load.seed);
  return cmd;
}

// --slurm: DIR/slurm/points.sh is a job array (one task per unfinished point, each runs
// `sweep --only-point $SLURM_ARRAY_TASK_ID`), DIR/slurm/merge.sh runs `sweep --merge-only` after
// the whole array succeeded (--dependency=afterok). Both are plain sbatch scripts a user can resubmit.
int submit_slurm(const SweepOptions& opt, const SweepPlan& plan) {
  if (std::system("command -v sbatch >/dev/null 2>&1") != 0)
    throw InputError("--slurm: sbatch is not on PATH (install Slurm's client, or run without --slurm)");
  std::vector<size_t> todo = pending_points(plan);
  validate_points(opt, plan, todo);
  check_record(plan, true);
  const std::string sdir = plan.dir + "/slurm";
  fs::create_directories(sdir + "/logs");
  const SlurmScripts scripts = slurm_scripts(task_command(opt, plan), sdir, plan.name);
  write_file_atomic(sdir + "/points.sh", scripts.points);
  write_file_atomic(sdir + "/merge.sh", scripts.merge);
  std::string extra;
  std::istringstream words(opt.slurm_args);
  for (std::string w; words >> w;) extra += " " + shell_quote(w);
  std::string points_job;
  if (!todo.empty()) {
    std::string array = array_ranges(todo) + (opt.jobs > 0 ? fmt::format("%{}", opt.jobs) : "");
    points_job = capture("sbatch --parsable --array=" + array + extra + " " + shell_quote(sdir + "/points.sh"));
    points_job = points_job.substr(0, points_job.find(';'));  // "id;cluster" on multi-cluster setups
  }
  std::string dep = points_job.empty() ? "" : " --dependency=afterok:" + points_job;
  std::string merge_job = capture("sbatch --parsable" + dep + extra + " " + shell_quote(sdir + "/merge.sh"));
  merge_job = merge_job.substr(0, merge_job.find(';'));
  write_file_atomic(sdir + "/jobs.txt", fmt::format("points={}\nmerge={}\n", points_job, merge_job));
  if (!opt.quiet) {
    if (!points_job.empty())
      std::cout << fmt::format(
          "{} — submitted job array {} ({} of {} points) and merge job {}; results will be in "
          "{}/results.csv (logs in {}/logs/)\n",
          plan.name, points_job, todo.size(), plan.points.size(), merge_job, plan.dir, sdir);
    else
      std::cout << fmt::format("{} — every point is already done; submitted merge job {}\n", plan.name, merge_job);
  }
  return 0;
}

int sweep_command(const SweepOptions& opt) {
  check_jobs(opt.jobs);
  if (opt.merge_only + (opt.only_point >= 0) + opt.slurm > 1)
    throw InputError("sweep: give at most one of --slurm, --only-point and --merge-only");
  SweepPlan plan = plan_sweep(opt);
  if (opt.only_point >= 0) return run_only_point(opt, plan);
  if (opt.merge_only) return run_merge_only(opt, plan);
  if (opt.slurm) return submit_slurm(opt, plan);
  return run_local(opt, plan);
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  auto opt = std::make_shared<SweepOptions>();
  CLI::App* sub =
      app.add_subcommand("sweep", "run every point of the experiment's sweep: section (see docs/sweeps.md)");
  sub->add_option("experiment", opt->experiment, "experiment YAML file with a sweep: section")->required();
  sub->add_option("--out,-o", opt->out_dir, "sweep directory (results.csv, points/, sweep.json)")->required();
  sub->add_option("--jobs,-j", opt->jobs,
                  "points run in parallel (default and 0: all cores; with --slurm: array task limit)")
      ->check(jobs_validator());
  sub->add_flag("--quiet,-q", opt->quiet, "no progress bar, no summary line");
  sub->add_flag("--slurm", opt->slurm, "submit the points as a Slurm job array plus a dependent merge job");
  sub->add_option("--slurm-args", opt->slurm_args, "extra sbatch arguments, e.g. \"--partition=debug --time=1:00:00\"");
  sub->add_option("--only-point", opt->only_point, "run only this point (what each Slurm array task does)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--merge-only", opt->merge_only,
                "only write results.csv from the finished points (the Slurm merge job)");
  add_load_flags(sub, opt->load);
  return {sub, [opt] { return sweep_command(*opt); }};
}

}  // namespace ce
