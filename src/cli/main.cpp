// carbonedge: carbon-aware DNN inference at the edge, simulated on SimGrid.
// The CLI is thin: it parses flags and calls one stage; errors in inputs exit with code 2.
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"carbonedge — which scheduling policy emits least CO2 for DNN inference at the edge, at what "
               "latency and accuracy cost"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("carbonedge ") + CARBONEDGE_VERSION);

  const std::vector<ce::Command> commands = {
      ce::add_run_command(app),
      ce::add_validate_command(app),
      ce::add_sweep_command(app),
      ce::add_regress_command(app),
      ce::add_plot_command(app),
      ce::add_calibrate_command(app),
      ce::add_compare_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // Bad command line: one line, like every other input error (CLI11 would add a second).
    std::cerr << "error: " << e.what() << " (see carbonedge --help)\n";
    return 2;
  }
  try {
    for (const auto& c : commands)
      if (*c.sub) return c.action();
  } catch (const ce::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
