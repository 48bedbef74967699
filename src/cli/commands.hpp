#pragma once
// Every subcommand lives in its own file and registers itself here: it adds its flags to the app
// and returns the action main() runs when that subcommand was chosen. Adding a subcommand is one
// line in main.cpp's table.
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>

#include "config/experiment.hpp"

namespace ce {

struct Command {
  CLI::App* sub = nullptr;
  std::function<int()> action;  // returns the exit code; InputError → main prints it, exit 2
};

// The flags shared by every command that loads an experiment: --set, --data-root, --seed.
void add_load_flags(CLI::App* sub, LoadOptions& load);
// --jobs/-j of run and sweep: a non-negative integer, 0 = all cores ("-j -3" is refused, exit 2).
CLI::Validator jobs_validator();

Command add_run_command(CLI::App& app);
Command add_validate_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);  // src/cli/sweep_command.cpp
Command add_regress_command(CLI::App& app);  // src/cli/regress_command.cpp
Command add_plot_command(CLI::App& app);     // src/cli/plot_command.cpp
Command add_calibrate_command(CLI::App& app);  // src/cli/calibrate_command.cpp
Command add_compare_command(CLI::App& app);    // src/cli/compare_command.cpp

}  // namespace ce
