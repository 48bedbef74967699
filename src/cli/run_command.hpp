#pragma once
#include <string>
#include <vector>

#include "config/experiment.hpp"

namespace ce {

struct RunOptions {
  std::string experiment;
  std::string out_dir;  // default: results/<experiment name>
  LoadOptions load;
  int jobs = 0;         // policies simulated at once; 0 = number of cores; < 0 is refused
  bool quiet = false;    // also silences the progress display (src/cli/progress.hpp)
  std::string policies;  // --policies a,b: only these labels of the experiment; empty: all
  // On a stop signal, install the finished policies as an incomplete OUT (run.json "complete":
  // false). A sweep relies on it (a point's finished policies are not simulated again); off: a
  // stopped run leaves no OUT at all.
  bool keep_finished_on_stop = true;
};

// Exit code: 0, 2 for bad input (one line on stderr), 1 otherwise. OUT follows the rule of
// src/cli/output_dir.hpp (refused untouched, exit 2, when it is not ours to replace).
// Stopped by SIGINT/SIGTERM/SIGHUP: with keep_finished_on_stop the policies that finished become
// OUT (run.json "complete": false, "missing_policies"), else nothing is left; either way the
// process ends by the signal. A rerun with the same inputs reuses an incomplete OUT's policies and
// simulates only the missing ones.
int run_command(const RunOptions& opt);
// --jobs: InputError unless >= 0 (0 = all cores). Shared by run and sweep.
void check_jobs(long jobs);
// --policies a,b: the indices of those labels in exp.policies, in the experiment's order (all when
// `list` is empty); InputError naming the file and the labels it has when one is unknown.
std::vector<size_t> pick_policies(const Experiment& exp, const std::string& list);
int validate_command(const std::string& file, const LoadOptions& opt);

}  // namespace ce
