#pragma once
#include <string>

#include "config/experiment.hpp"

namespace ce {

struct RunOptions {
  std::string experiment;
  std::string out_dir;  // default: results/<experiment name>
  LoadOptions load;
  int jobs = 0;         // policies simulated at once; 0 = number of cores
  bool quiet = false;
};

int run_command(const RunOptions& opt);
int validate_command(const std::string& file, const LoadOptions& opt);

}  // namespace ce
