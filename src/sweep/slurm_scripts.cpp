#include "sweep/slurm_scripts.hpp"

#include <fmt/format.h>

namespace ce {

std::string shell_quote(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string array_ranges(const std::vector<size_t>& idx) {
  std::string s;
  for (size_t k = 0; k < idx.size();) {
    size_t j = k;
    while (j + 1 < idx.size() && idx[j + 1] == idx[j] + 1) ++j;
    s += (s.empty() ? "" : ",") + (j == k ? std::to_string(idx[k]) : fmt::format("{}-{}", idx[k], idx[j]));
    k = j + 1;
  }
  return s;
}

SlurmScripts slurm_scripts(const std::string& command, const std::string& slurm_dir, const std::string& name) {
  // One CPU per task: a point runs its policies one after another. Options given on the sbatch
  // command line (--slurm-args) override these directives.
  const char* header =
      "#!/bin/sh\n# {} (written by carbonedge sweep --slurm; resubmit with sbatch).\n"
      "#SBATCH --job-name={}\n#SBATCH --output={}\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
  SlurmScripts s;
  s.points = fmt::format(header, "One sweep point per array task", "ce-" + name, slurm_dir + "/logs/point-%a.log") +
             "exec " + command + " --only-point \"$SLURM_ARRAY_TASK_ID\"\n";
  s.merge = fmt::format(header, "Merges every point into results.csv", "ce-" + name + "-merge",
                        slurm_dir + "/logs/merge.log") +
            "exec " + command + " --merge-only\n";
  return s;
}

}  // namespace ce
