// `carbonedge run`: every policy is simulated in its own child process (SimGrid allows one engine
// per process, src/cli/process_pool.hpp); children write into a staging directory OUT.partial-<pid>
// that takes OUT's place only when all succeeded, so a failed or interrupted run leaves no partial
// output. What OUT may be (and what is refused untouched) is src/cli/output_dir.hpp's rule.
#include "cli/run_command.hpp"

#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>

#include "cli/output_dir.hpp"
#include "cli/prepared.hpp"
#include "cli/process_pool.hpp"
#include "cli/simulate_policy.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "output/reference_metrics.hpp"
#include "output/results_writer.hpp"
#include "sim/simulation.hpp"

namespace fs = std::filesystem;

namespace ce {

void check_jobs(long jobs) {
  if (jobs < 0)
    throw InputError(fmt::format("--jobs: must be a non-negative integer, 0 meaning all cores (got {})", jobs));
}

int run_command(const RunOptions& opt) {
  check_jobs(opt.jobs);
  std::unique_ptr<Prepared> p = prepare(opt.experiment, opt.load);  // InputError → caller prints, exit 2
  const OutputDir out = claim_output_dir(opt.out_dir.empty() ? "results/" + p->exp.name : opt.out_dir,
                                         opt.experiment, p->input_files);  // refused: nothing touched

  // From here to the swap a stop signal only sets a flag: the pool stops and reaps the children,
  // and the staging directory goes before we exit by the same signal.
  StopSignals stop;
  StagingDir staging(out, run_marker(opt.experiment, p->exp.name));
  const std::string dir = staging.path();
  const size_t n = p->exp.policies.size();
  PoolOptions pool;
  pool.jobs = static_cast<size_t>(opt.jobs);
  pool.stop_on_failure = true;
  pool.stop_signal = SIGKILL;  // SimGrid replaces a child's SIGINT handler: do not rely on it
  PoolResult r = StopSignals::caught() ? PoolResult{StopSignals::caught(), {}}
                                       : run_pool(n, pool, [&](size_t i) -> int {
                                           try {
                                             return simulate_policy(*p, i, dir + "/" + p->exp.policies[i].label);
                                           } catch (const InputError&) {
                                             throw;
                                           } catch (const std::exception& e) {
                                             throw std::runtime_error(fmt::format(
                                                 "policy '{}': {}", p->exp.policies[i].label, e.what()));
                                           }
                                         });
  if (r.stopped_by) {
    staging.discard();
    StopSignals::exit_by(r.stopped_by);
  }
  if (!r.failures.empty()) {
    staging.discard();
    // One line whatever -j: the first child to fail; the others were stopped.
    const ChildExit& f = r.failures.front();
    std::cerr << "error: "
              << (f.message.empty() ? fmt::format("policy '{}': {}", p->exp.policies[f.task].label, f.how())
                                    : f.message)
              << "\n";
    return f.exit_code() == 0 ? 1 : f.exit_code();
  }

  std::vector<std::pair<PolicySpec, nlohmann::json>> rows;
  for (const auto& spec : p->exp.policies) {
    std::ifstream in(dir + "/" + spec.label + "/summary.json");
    rows.emplace_back(spec, nlohmann::json::parse(in));
  }
  if (!p->exp.metrics.reference.empty()) {
    add_reference_metrics(rows, p->exp.metrics.reference);
    for (const auto& [spec, j] : rows)
      write_file_atomic(dir + "/" + spec.label + "/summary.json", j.dump(2) + "\n");
  }
  write_comparison(dir + "/comparison.csv", rows);
  write_run_json(dir + "/run.json", p->exp, p->input_files, simgrid_version(), p->carbon.warnings);
  if (int sig = StopSignals::caught()) {
    staging.discard();
    StopSignals::exit_by(sig);
  }
  staging.install();
  if (!opt.quiet) {
    std::cout << fmt::format("{} — {} policies, seed {}, results in {}/\n", p->exp.name, n, p->exp.seed, out.shown);
    std::cout << comparison_table(rows);
  }
  return 0;  // a stop signal caught after the swap finds the output complete: nothing to undo
}

}  // namespace ce
