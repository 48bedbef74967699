#pragma once
// One policy's simulation and output directory: what each `run` child process does.
#include <string>

#include "cli/prepared.hpp"

namespace ce {

// Simulates policy `index` of the prepared experiment and writes summary.json, timing.json and
// the optional requests.csv, stages.csv and timeseries.csv into `dir` (created).
int simulate_policy(Prepared& p, size_t index, const std::string& dir);

}  // namespace ce
