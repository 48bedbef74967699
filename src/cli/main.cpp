// carbonedge: carbon-aware DNN inference at the edge, simulated on SimGrid.
// The CLI is thin: it parses flags and calls one stage; errors in inputs exit with code 2.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/run_command.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"carbonedge — which scheduling policy emits least CO2 for DNN inference at the edge, at what "
               "latency and accuracy cost"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("carbonedge ") + CARBONEDGE_VERSION);

  ce::RunOptions run;
  long seed = -1;
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--set", run.load.overrides, "override a key of the experiment: key.path=value (repeatable)");
    sub->add_option("--data-root", run.load.data_root,
                    "where the real data lives (default: $CARBONEDGE_DATA_ROOT, else ../shared/data)");
    sub->add_option("--seed", seed, "random seed (replaces the experiment's seed)")->check(CLI::NonNegativeNumber);
  };
  CLI::App* run_cmd = app.add_subcommand("run", "simulate every policy of an experiment and compare them");
  run_cmd->add_option("experiment", run.experiment, "experiment YAML file")->required();
  run_cmd->add_option("--out,-o", run.out_dir, "output directory (default: results/<experiment name>)");
  run_cmd->add_option("--jobs,-j", run.jobs, "policies simulated in parallel (default: all cores)");
  run_cmd->add_flag("--quiet,-q", run.quiet, "print nothing on success");
  add_common(run_cmd);

  std::string validate_file;
  CLI::App* val_cmd = app.add_subcommand("validate", "check an experiment and every file it names; runs nothing");
  val_cmd->add_option("file", validate_file, "experiment YAML file")->required();
  add_common(val_cmd);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  run.load.seed = seed;
  try {
    if (*run_cmd) return ce::run_command(run);
    if (*val_cmd) return ce::validate_command(validate_file, run.load);
  } catch (const ce::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
