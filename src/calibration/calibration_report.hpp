#pragma once
// What `carbonedge calibrate` writes: the host profile (platforms/hosts/*.yaml, loadable through
// a platform host's `profile:` key), a JSON report and a per-layer CSV.
#include <string>

#include "calibration/calibration_run.hpp"

namespace ce::calib {

std::string profile_yaml(const CalibrationResult& r, const std::string& name);
std::string report_json(const CalibrationResult& r, const std::string& profile_path);
std::string layers_csv(const CalibrationResult& r);
std::string summary_text(const CalibrationResult& r);  // the table printed on stdout

}  // namespace ce::calib
