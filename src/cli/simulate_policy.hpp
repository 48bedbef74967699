#pragma once
// One policy's simulation and output directory: what each `run` child process does.
#include <string>

#include "cli/prepared.hpp"
#include "cli/progress.hpp"

namespace ce {

// Simulates policy `index` of the prepared experiment and writes summary.json, timing.json and
// the optional requests.csv, stages.csv and timeseries.csv into `dir` (created).
// `board` (optional): where the run's progress display reads this policy's position.
int simulate_policy(Prepared& p, size_t index, const std::string& dir, ProgressBoard* board = nullptr);

}  // namespace ce
