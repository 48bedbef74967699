// `carbonedge run`: every policy is simulated in its own child process (SimGrid allows one engine
// per process); children write into a staging directory that becomes OUT only when all succeeded,
// so a failed or interrupted run leaves no partial output.
#include "cli/run_command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <thread>

#include "accounting/run_metrics.hpp"
#include "cli/prepared.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "output/reference_metrics.hpp"
#include "output/request_writer.hpp"
#include "output/results_writer.hpp"
#include "sim/simulation.hpp"

namespace fs = std::filesystem;

namespace ce {

namespace {

std::string g_staging;  // removed if we are interrupted
// Live children: on a signal the parent kills and reaps them *before* removing the staging
// directory, so none can write into it afterwards (SimGrid replaces a child's SIGINT handler with
// its own exit(1), so children cannot be trusted to clean up). Fixed array: touched in a handler.
constexpr int kMaxChildren = 1024;
volatile sig_atomic_t g_child_count = 0;
pid_t g_child_pids[kMaxChildren];

void on_signal(int sig) {
  for (int i = 0; i < g_child_count; ++i)
    if (g_child_pids[i] > 0) {
      kill(g_child_pids[i], SIGKILL);
      waitpid(g_child_pids[i], nullptr, 0);
    }
  if (!g_staging.empty()) {
    std::error_code ec;
    fs::remove_all(g_staging, ec);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void forget_child(pid_t pid) {
  for (int i = 0; i < g_child_count; ++i)
    if (g_child_pids[i] == pid) g_child_pids[i] = 0;
}

// Child process body: simulate one policy and write its directory.
int simulate_policy(Prepared& p, size_t index, const std::string& dir) {
  const PolicySpec& spec = p.exp.policies[index];
  fs::create_directories(dir);
  auto arrivals = p.make_arrivals();
  std::vector<std::string> host_names;
  for (const auto& h : p.exp.platform.hosts) host_names.push_back(h.name);
  std::unique_ptr<RequestWriter> writer;
  if (p.exp.output.requests_csv) writer = std::make_unique<RequestWriter>(dir + "/requests.csv", host_names);
  SimInput in;
  in.experiment = &p.exp;
  in.models = p.models.get();
  in.carbon = &p.carbon;
  in.policy = p.policies[index].get();
  in.arrivals = arrivals.get();
  in.requested_models = &p.requested_models;
  if (writer) in.on_request = [&](const RequestRecord& r) { writer->write(r); };
  RunResult result = simulate(in);
  RunMetrics m = compute_metrics(result, p.carbon, p.exp.platform);
  if (writer) writer->finalize(m.idle_share_j, m.idle_share_g);
  if (p.exp.output.timeseries_csv) write_timeseries(dir + "/timeseries.csv", m, p.exp.carbon.start_epoch);
  write_summary(dir, m, spec);
  return 0;
}

int child_main(Prepared& p, size_t index, const std::string& dir) {
  try {
    return simulate_policy(p, index, dir);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: policy '" << p.exp.policies[index].label << "': " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int run_command(const RunOptions& opt) {
  std::unique_ptr<Prepared> p = prepare(opt.experiment, opt.load);  // InputError → caller prints, exit 2
  const std::string out = opt.out_dir.empty() ? "results/" + p->exp.name : opt.out_dir;
  const std::string staging = out + ".partial-" + std::to_string(getpid());
  // Handlers first: a signal between creating the directory and installing them would leave it behind.
  g_staging = staging;
  g_child_count = 0;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  fs::remove_all(staging);
  fs::create_directories(staging);

  const size_t n = p->exp.policies.size();
  const size_t jobs = opt.jobs > 0 ? static_cast<size_t>(opt.jobs)
                                   : std::max<size_t>(1, std::thread::hardware_concurrency());
  int status_code = 0;
  size_t next = 0, running = 0;
  std::cout.flush();
  std::cerr.flush();
  while (next < n || running > 0) {
    while (running < jobs && next < n && status_code == 0) {
      pid_t pid = fork();
      if (pid < 0) throw std::runtime_error("fork failed");
      if (pid == 0) {
        // The parent cleans up after an interrupted child: die at once on a signal.
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        g_staging.clear();
        g_child_count = 0;
        int rc = child_main(*p, next, staging + "/" + p->exp.policies[next].label);
        std::cout.flush();
        std::cerr.flush();
        _exit(rc);
      }
      if (g_child_count < kMaxChildren) {
        g_child_pids[g_child_count] = pid;
        g_child_count = g_child_count + 1;
      }
      ++next;
      ++running;
    }
    if (running == 0) break;
    int st = 0;
    pid_t done = wait(&st);
    if (done < 0) break;
    forget_child(done);  // reaped: its pid may be reused
    --running;
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    if (rc != 0 && status_code == 0) status_code = rc;
  }
  if (status_code != 0) {
    fs::remove_all(staging);
    g_staging.clear();
    return status_code;
  }

  std::vector<std::pair<PolicySpec, nlohmann::json>> rows;
  for (const auto& spec : p->exp.policies) {
    std::ifstream in(staging + "/" + spec.label + "/summary.json");
    rows.emplace_back(spec, nlohmann::json::parse(in));
  }
  if (!p->exp.metrics.reference.empty()) {
    add_reference_metrics(rows, p->exp.metrics.reference);
    for (const auto& [spec, j] : rows)
      write_file_atomic(staging + "/" + spec.label + "/summary.json", j.dump(2) + "\n");
  }
  write_comparison(staging + "/comparison.csv", rows);
  write_run_json(staging + "/run.json", p->exp, p->input_files, simgrid_version());
  // Swap the finished directory into place.
  if (fs::exists(out)) fs::remove_all(out);
  if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
  fs::rename(staging, out);
  g_staging.clear();
  if (!opt.quiet) {
    std::cout << fmt::format("{} — {} policies, seed {}, results in {}/\n", p->exp.name, n, p->exp.seed, out);
    std::cout << comparison_table(rows);
  }
  return 0;
}

}  // namespace ce
