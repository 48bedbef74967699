#pragma once
// What `carbonedge sweep --slurm` hands to sbatch: the array/merge batch scripts and the --array
// range. Pure text generation; the command runs sbatch (src/cli/sweep_command.cpp).
#include <cstddef>
#include <string>
#include <vector>

namespace ce {

// 'text' for /bin/sh, single quotes escaped.
std::string shell_quote(const std::string& text);

// Slurm's --array syntax for sorted indices: {0,1,2,5,7,8} → "0-2,5,7-8".
std::string array_ranges(const std::vector<size_t>& indices);

struct SlurmScripts {
  std::string points;  // the job array: task i runs `<command> --only-point $SLURM_ARRAY_TASK_ID`
  std::string merge;   // the merge job: `<command> --merge-only`
};

// `command` is the shell-quoted `carbonedge sweep EXP --out DIR ...` both jobs run; `slurm_dir` is
// where their logs go (logs/point-<i>.log, logs/merge.log); `name` names the jobs.
SlurmScripts slurm_scripts(const std::string& command, const std::string& slurm_dir, const std::string& name);

}  // namespace ce
