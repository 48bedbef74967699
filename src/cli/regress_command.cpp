// `carbonedge regress EXP --baseline FILE [--update]`: reruns the experiment into a temporary
// directory (the same code path as `carbonedge run`), reads each policy's summary.json and compares
// the tracked metrics with the baseline (src/output/baseline_compare.hpp, docs/regression.md).
// Exit codes: 0 every metric within tolerance (or baseline written), 1 metrics moved, 2 bad input.
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/run_command.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "output/baseline_compare.hpp"

namespace fs = std::filesystem;

namespace ce {

namespace {

struct RegressOptions {
  std::string experiment, baseline, keep_dir;
  bool update = false;
  int jobs = 0;
  LoadOptions load;
};

// Removes the scratch run directory however we leave.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    char tmpl[] = "/tmp/carbonedge-regress-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("cannot create a temporary directory in /tmp");
    path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: missing from the run's output", path));
  return nlohmann::json::parse(in);
}

struct RunReadback {
  std::string name;
  int64_t seed = -1;
  std::map<std::string, nlohmann::json> summaries;  // policy label -> summary.json
};

RunReadback read_run(const std::string& dir) {
  RunReadback r;
  nlohmann::json run = read_json_file(dir + "/run.json");
  r.name = run.value("name", "");
  r.seed = run.value("seed", int64_t{-1});
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && fs::exists(entry.path() / "summary.json"))
      r.summaries[entry.path().filename().string()] = read_json_file((entry.path() / "summary.json").string());
  return r;
}

PolicyMetrics tracked(const RunReadback& run, const std::vector<std::string>& track) {
  PolicyMetrics m;
  for (const auto& [policy, summary] : run.summaries) m[policy] = tracked_metrics(summary, track);
  return m;
}

size_t metric_count(const PolicyMetrics& m) {
  size_t n = 0;
  for (const auto& [p, metrics] : m) n += metrics.size();
  return n;
}

int update_baseline(const RegressOptions& opt, const RunReadback& run, const Baseline* previous) {
  Baseline b;
  if (previous) {  // keep the hand-edited parts
    b.track = previous->track;
    b.tolerance = previous->tolerance;
  }
  b.experiment = run.name;
  b.seed = run.seed;
  b.metrics = tracked(run, b.track);
  if (fs::path(opt.baseline).has_parent_path()) fs::create_directories(fs::path(opt.baseline).parent_path());
  write_file_atomic(opt.baseline, baseline_json(b).dump(2) + "\n");
  std::cout << fmt::format("regress {}: baseline {} written — {} metrics of {} policies\n", run.name, opt.baseline,
                           metric_count(b.metrics), b.metrics.size());
  if (previous && previous->experiment == run.name) {
    Comparison c = compare_to_baseline(*previous, b.metrics);
    if (!c.ok()) std::cout << fmt::format("changed since the previous baseline:\n{}", format_changes(c));
  }
  return 0;
}

int regress(const RegressOptions& opt) {
  std::unique_ptr<Baseline> previous;
  if (!opt.update || fs::exists(opt.baseline)) previous = std::make_unique<Baseline>(load_baseline(opt.baseline));

  ScratchDir scratch;
  RunOptions run_opt;
  run_opt.experiment = opt.experiment;
  run_opt.out_dir = opt.keep_dir.empty() ? scratch.path + "/run" : opt.keep_dir;
  run_opt.load = opt.load;
  run_opt.jobs = opt.jobs;
  run_opt.quiet = true;
  if (int rc = run_command(run_opt); rc != 0) return rc;  // the run already printed its error
  RunReadback run = read_run(run_opt.out_dir);

  if (opt.update) return update_baseline(opt, run, previous.get());

  const Baseline& b = *previous;
  if (b.experiment != run.name)
    fail_at_key(opt.baseline, "experiment",
                fmt::format("baseline is for experiment '{}', not '{}' (wrong file? --update rewrites it)", b.experiment,
                            run.name));
  if (b.seed >= 0 && b.seed != run.seed)
    fail_at_key(opt.baseline, "seed",
                fmt::format("baseline was made with seed {} but this run used seed {} (pass --seed {}, or --update)",
                            b.seed, run.seed, b.seed));
  Comparison c = compare_to_baseline(b, tracked(run, b.track));
  if (c.ok()) {
    std::cout << fmt::format("regress {}: OK — {} metrics of {} policies within tolerance of {}\n", run.name,
                             c.compared, b.metrics.size(), opt.baseline);
    return 0;
  }
  std::cout << fmt::format("regress {}: {} of {} metrics moved beyond tolerance of {}\n{}", run.name, c.moved.size(),
                           c.compared, opt.baseline, format_changes(c));
  std::cout << fmt::format("if the change is intended: carbonedge regress {} --baseline {} --update\n", opt.experiment,
                           opt.baseline);
  return 1;
}

}  // namespace

Command add_regress_command(CLI::App& app) {
  auto opt = std::make_shared<RegressOptions>();
  CLI::App* sub = app.add_subcommand(
      "regress", "rerun an experiment and compare its metrics with a baseline (exit 1 when metrics moved)");
  sub->add_option("experiment", opt->experiment, "experiment YAML file")->required();
  sub->add_option("--baseline,-b", opt->baseline, "baseline JSON file (docs/regression.md)")->required();
  sub->add_flag("--update", opt->update, "rewrite the baseline from this run (keeps its track and tolerance)");
  sub->add_option("--keep", opt->keep_dir, "keep the rerun's output in this directory (default: a temporary one)");
  sub->add_option("--jobs,-j", opt->jobs, "policies simulated in parallel (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  add_load_flags(sub, opt->load);
  return {sub, [opt] { return regress(*opt); }};
}

}  // namespace ce
