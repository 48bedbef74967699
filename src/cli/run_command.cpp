// `carbonedge run`: every policy is simulated in its own child process (SimGrid allows one engine
// per process, src/cli/process_pool.hpp); children write into a staging directory OUT.partial-<pid>
// that takes OUT's place at the end, so a failed run leaves no partial output. What OUT may be (and
// what is refused untouched) is src/cli/output_dir.hpp's rule.
//
// Interrupted (SIGINT/SIGTERM/SIGHUP), unless RunOptions::keep_finished_on_stop is off: the
// policies that had finished are kept — OUT gets them, comparison.csv lists them and run.json says
// "complete": false with the "missing_policies" — and the process still ends by the signal. Rerunning the same command finds that run.json: when
// everything it records besides those keys is what this run would write (configuration after
// --set, seed, data root, versions, every input's SHA-256), the finished policies' directories are
// reused and only the missing ones are simulated. A complete OUT is never reused, only replaced.
#include "cli/run_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/output_dir.hpp"
#include "cli/prepared.hpp"
#include "cli/process_pool.hpp"
#include "cli/progress.hpp"
#include "cli/simulate_policy.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "output/reference_metrics.hpp"
#include "output/results_writer.hpp"
#include "sim/simulation.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ce {

namespace {

// The keys run_command adds to run.json; the rest is what decides whether a rerun may resume.
constexpr const char* kRunState[] = {"policies", "complete", "missing_policies"};

json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return json();
  try {
    return json::parse(in);
  } catch (const std::exception&) {
    return json();
  }
}

// Labels of the policies OUT holds from an interrupted run of exactly these inputs, else none.
std::vector<std::string> resumable(const OutputDir& out, const std::string& fresh_run_json) {
  if (!out.own) return {};
  json old = read_json_file(out.path / "run.json");
  json now = read_json_file(fresh_run_json);
  if (!old.is_object() || !now.is_object() || old.value("complete", true)) return {};
  const json policies = old.value("policies", json::array()), missing = old.value("missing_policies", json::array());
  if (!policies.is_array() || !missing.is_array()) return {};
  for (const char* k : kRunState) old.erase(k);
  if (old != now) return {};
  std::vector<std::string> done;
  for (const auto& l : policies)
    if (l.is_string() && std::find(missing.begin(), missing.end(), l) == missing.end()) done.push_back(l);
  return done;
}

// run.json's run state: which policies this run covers and whether all of them finished.
void mark_run_json(const std::string& path, const std::vector<std::string>& labels,
                   const std::vector<std::string>& missing) {
  json j = read_json_file(path);
  j["policies"] = labels;
  j["complete"] = missing.empty();
  j["missing_policies"] = missing;
  write_file_atomic(path, j.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Keeps only the policies at `keep` (in order) in the prepared run.
void keep_policies(Prepared& p, const std::vector<size_t>& keep) {
  std::vector<PolicySpec> specs;
  std::vector<std::unique_ptr<Policy>> policies;
  for (size_t i : keep) {
    specs.push_back(std::move(p.exp.policies[i]));
    policies.push_back(std::move(p.policies[i]));
  }
  p.exp.policies = std::move(specs);
  p.policies = std::move(policies);
}

}  // namespace

void check_jobs(long jobs) {
  if (jobs < 0)
    throw InputError(fmt::format("--jobs: must be a non-negative integer, 0 meaning all cores (got {})", jobs));
}

std::vector<size_t> pick_policies(const Experiment& exp, const std::string& list) {
  std::vector<size_t> out;
  if (list.empty()) {
    for (size_t i = 0; i < exp.policies.size(); ++i) out.push_back(i);
    return out;
  }
  std::vector<std::string> all;
  for (const auto& p : exp.policies) all.push_back(p.label);
  std::vector<bool> chosen(all.size(), false);
  std::stringstream ss(list);
  for (std::string label; std::getline(ss, label, ',');) {
    const auto it = std::find(all.begin(), all.end(), label);
    if (it == all.end())
      throw InputError(fmt::format("--policies: no policy named '{}' in {} (policies: {})", label, exp.file, join(all)));
    chosen[static_cast<size_t>(it - all.begin())] = true;
  }
  for (size_t i = 0; i < all.size(); ++i)
    if (chosen[i]) out.push_back(i);
  return out;
}

int run_command(const RunOptions& opt) {
  check_jobs(opt.jobs);
  std::unique_ptr<Prepared> p = prepare(opt.experiment, opt.load);  // InputError → caller prints, exit 2
  keep_policies(*p, pick_policies(p->exp, opt.policies));
  const OutputDir out = claim_output_dir(opt.out_dir.empty() ? "results/" + p->exp.name : opt.out_dir,
                                         opt.experiment, p->input_files);  // refused: nothing touched

  // From here to the swap a stop signal only sets a flag: the pool stops and reaps the children,
  // and what is not finished goes before we exit by the same signal.
  StopSignals stop;
  StagingDir staging(out, run_marker(opt.experiment, p->exp.name));
  const std::string dir = staging.path();
  const size_t n = p->exp.policies.size();
  std::vector<std::string> labels;
  for (const auto& spec : p->exp.policies) labels.push_back(spec.label);
  // run.json first: a resumed run compares it with OUT's before reusing anything.
  write_run_json(dir + "/run.json", p->exp, p->input_files, simgrid_version(), p->carbon.warnings);

  std::vector<char> finished(n, 0);
  std::vector<std::string> reused;
  const std::vector<std::string> resume = resumable(out, dir + "/run.json");
  for (size_t i = 0; i < n; ++i)
    if (std::find(resume.begin(), resume.end(), labels[i]) != resume.end() &&
        fs::is_regular_file(out.path / labels[i] / "summary.json") &&
        link_or_copy_tree(out.path / labels[i], fs::path(dir) / labels[i])) {
      finished[i] = 1;
      reused.push_back(labels[i]);
    }
  if (!reused.empty() && !opt.quiet)
    std::cerr << fmt::format("{}: resuming an interrupted run: reusing {} ({} of {} policies)\n", out.shown,
                             join(reused), reused.size(), n);

  std::vector<size_t> todo;
  for (size_t i = 0; i < n; ++i)
    if (!finished[i]) todo.push_back(i);
  ProgressBoard board(labels, p->exp.carbon.duration_s + p->max_deadline_s, ProgressBoard::mode_for(opt.quiet));
  for (size_t i = 0; i < n; ++i)
    if (finished[i]) board.ended(i);
  PoolOptions pool;
  pool.jobs = static_cast<size_t>(opt.jobs);
  pool.stop_on_failure = true;
  pool.stop_signal = SIGKILL;  // SimGrid replaces a child's SIGINT handler: do not rely on it
  pool.on_tick = [&] { board.tick(); };
  PoolResult r = StopSignals::caught()
                     ? PoolResult{StopSignals::caught(), {}}
                     : run_pool(
                           todo.size(), pool,
                           [&](size_t k) -> int {
                             const size_t i = todo[k];
                             try {
                               return simulate_policy(*p, i, dir + "/" + labels[i], &board);
                             } catch (const InputError&) {
                               throw;
                             } catch (const std::exception& e) {
                               throw std::runtime_error(fmt::format("policy '{}': {}", labels[i], e.what()));
                             }
                           },
                           [&](const ChildExit& e) {
                             board.ended(todo[e.task]);
                             if (e.ok()) finished[todo[e.task]] = 1;
                           });
  board.clear();
  if (!r.stopped_by && !r.failures.empty()) {
    staging.discard();
    // One line whatever -j: the first child to fail; the others were stopped.
    const ChildExit& f = r.failures.front();
    std::cerr << "error: "
              << (f.message.empty() ? fmt::format("policy '{}': {}", labels[todo[f.task]], f.how()) : f.message)
              << "\n";
    return f.exit_code() == 0 ? 1 : f.exit_code();
  }

  // Stopped: the unfinished policies' directories (written up to where their child was killed) go.
  std::vector<std::string> missing;
  std::vector<std::pair<PolicySpec, nlohmann::json>> rows;
  for (size_t i = 0; i < n; ++i) {
    if (!finished[i]) {
      missing.push_back(labels[i]);
      std::error_code ec;
      fs::remove_all(fs::path(dir) / labels[i], ec);  // inside our staging directory
      continue;
    }
    std::ifstream in(dir + "/" + labels[i] + "/summary.json");
    rows.emplace_back(p->exp.policies[i], nlohmann::json::parse(in));
  }
  if (rows.empty() || (r.stopped_by && !opt.keep_finished_on_stop)) {  // OUT stays as it was
    staging.discard();
    StopSignals::exit_by(r.stopped_by);
  }
  const std::string& ref = p->exp.metrics.reference;
  const bool has_ref = std::any_of(rows.begin(), rows.end(), [&](const auto& row) { return row.first.label == ref; });
  if (!ref.empty() && has_ref) {  // without the reference's row (--policies, interrupted) there is nothing to compare with
    add_reference_metrics(rows, ref);
    for (const auto& [spec, j] : rows) write_file_atomic(dir + "/" + spec.label + "/summary.json", j.dump(2) + "\n");
  }
  write_comparison(dir + "/comparison.csv", rows);
  mark_run_json(dir + "/run.json", labels, missing);
  // A signal that came after the last child finished finds every policy done: the output is
  // complete and installed, and the process still ends by that signal.
  staging.install();
  if (!opt.quiet) {
    if (missing.empty())
      std::cout << fmt::format("{} — {} policies, seed {}, results in {}/\n", p->exp.name, n, p->exp.seed, out.shown);
    else
      std::cout << fmt::format("{} — interrupted: {} of {} policies finished (missing: {}), seed {}, results in {}/; "
                               "rerun the same command to simulate only the missing ones\n",
                               p->exp.name, rows.size(), n, join(missing), p->exp.seed, out.shown);
    std::cout << comparison_table(rows);
  }
  if (int sig = r.stopped_by ? r.stopped_by : StopSignals::caught()) StopSignals::exit_by(sig);
  return 0;
}

}  // namespace ce
