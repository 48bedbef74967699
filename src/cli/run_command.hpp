#pragma once
#include <string>

#include "config/experiment.hpp"

namespace ce {

struct RunOptions {
  std::string experiment;
  std::string out_dir;  // default: results/<experiment name>
  LoadOptions load;
  int jobs = 0;         // policies simulated at once; 0 = number of cores; < 0 is refused
  bool quiet = false;
};

// Exit code: 0, 2 for bad input (one line on stderr), 1 otherwise. OUT follows the rule of
// src/cli/output_dir.hpp (refused untouched, exit 2, when it is not ours to replace).
int run_command(const RunOptions& opt);
// --jobs: InputError unless >= 0 (0 = all cores). Shared by run and sweep.
void check_jobs(long jobs);
int validate_command(const std::string& file, const LoadOptions& opt);

}  // namespace ce
