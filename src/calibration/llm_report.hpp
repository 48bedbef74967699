#pragma once
// What `carbonedge calibrate --llm` writes: an LLM engine profile of this machine (NAME.llm.yaml
// beside the host profile: an accelerator profile, docs/inputs.md "LLM serving", that a host names
// with `accelerator: NAME.llm.yaml`), one CSV line per timed kernel, and the table printed on stdout.
#include <string>

#include "calibration/llm_calibration.hpp"

namespace ce::calib {

// The machine's power (measured elsewhere: a meter or a datasheet) and memory go into the profile.
struct LlmProfilePower {
  double idle_w = 0, busy_w = 0;
  double memory_bytes = 0;
};
std::string llm_profile_yaml(const LlmCalibrationResult& r, const std::string& name, const LlmProfilePower& power);
std::string llm_kernels_csv(const LlmCalibrationResult& r);
std::string llm_summary_text(const LlmCalibrationResult& r);

}  // namespace ce::calib
