// `carbonedge calibrate`: benchmark real DNN layer kernels on this machine, fit the simulator's
// cost model and write a host profile (plus a JSON report and a per-layer CSV beside it); with
// --llm, time LLM decode/prefill kernels instead and write NAME.llm.yaml (docs/calibration.md).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "calibration/calibration_report.hpp"
#include "calibration/calibration_run.hpp"
#include "calibration/llm_report.hpp"
#include "cli/commands.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace ce {

namespace {

// MemTotal of /proc/meminfo in bytes (0 when unreadable: the profile then fails to load, naming memory).
double machine_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double kb = 0;
  while (in >> key >> kb >> unit)
    if (key == "MemTotal:") return kb * 1024;
  return 0;
}

struct CalibrateOptions {
  std::vector<std::string> models, holdout;
  int threads = 1;
  bool fast = false, quiet = false, llm = false;
  std::string out = "platforms/hosts/this-machine.yaml";
  std::string power;  // --llm: IDLE:BUSY watts
  std::string report_dir;  // default: the profile's directory
};

// --llm: LLM GEMV/GEMM kernels; writes NAME.llm.yaml beside --out and NAME.llm.csv in the report
// directory, and leaves the host profile itself alone (the CNN calibration does not run).
int calibrate_llm(const CalibrateOptions& o, const std::filesystem::path& out, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (!o.holdout.empty())
    throw InputError("calibrate: --holdout does not apply to --llm (the smallest --models are run whole)");
  calib::LlmProfilePower power;
  double idle = 0, busy = 0;
  const size_t colon = o.power.find(':');
  if (colon == std::string::npos || !parse_double(o.power.substr(0, colon), idle) ||
      !parse_double(o.power.substr(colon + 1), busy) || !(idle >= 0) || !(busy >= idle) || busy > 1e6)
    throw InputError("calibrate --llm: give --power IDLE:BUSY, this machine's wall power in W idle and while it "
                     "runs a model (e.g. --power 3:12; from a meter or a datasheet), busy >= idle");
  power.idle_w = idle;
  power.busy_w = busy;
  power.memory_bytes = machine_memory_bytes();
  calib::LlmCalibrationOptions opt =
      o.fast ? calib::LlmCalibrationOptions::fast_mode() : calib::LlmCalibrationOptions::full();
  if (!o.models.empty()) opt.models = o.models, opt.prefill_models.clear();
  opt.threads = o.threads;
  opt.progress = !o.quiet;
  const std::string name = out.stem().string();
  calib::LlmCalibrationResult r = calib::run_llm_calibration(opt);

  if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
  if (!dir.empty()) fs::create_directories(dir);
  const std::string yaml_path = (out.parent_path() / (name + ".llm.yaml")).string();
  const std::string csv_path = (dir / (name + ".llm.csv")).string();
  write_file_atomic(csv_path, calib::llm_kernels_csv(r));
  write_file_atomic(yaml_path, calib::llm_profile_yaml(r, name, power));
  if (!o.quiet) {
    std::cout << calib::llm_summary_text(r);
    std::cout << "wrote " << yaml_path << ", " << csv_path << "\n";
  }
  return 0;
}

int calibrate_command(const CalibrateOptions& o) {
  namespace fs = std::filesystem;
  const fs::path out(o.out);
  if (out.extension() != ".yaml" && out.extension() != ".yml")
    throw InputError("calibrate: --out '" + o.out + "' must name a .yaml host profile");
  const std::string name = out.stem().string();
  const fs::path dir = o.report_dir.empty() ? out.parent_path() : fs::path(o.report_dir);
  if (o.llm) return calibrate_llm(o, out, dir);
  calib::CalibrationOptions opt = o.fast ? calib::CalibrationOptions::fast_mode() : calib::CalibrationOptions::full();
  if (!o.models.empty()) opt.fit_models = o.models;
  if (!o.holdout.empty()) opt.heldout_models = o.holdout;
  opt.threads = o.threads;
  opt.progress = !o.quiet;

  calib::CalibrationResult r = calib::run_calibration(opt);

  // Everything is computed before anything is written; each file is written atomically.
  if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
  if (!dir.empty()) fs::create_directories(dir);
  const std::string json_path = (dir / (name + ".calibration.json")).string();
  const std::string csv_path = (dir / (name + ".layers.csv")).string();
  write_file_atomic(csv_path, calib::layers_csv(r));
  write_file_atomic(json_path, calib::report_json(r, out.string()));
  write_file_atomic(out.string(), calib::profile_yaml(r, name));
  if (!o.quiet) {
    std::cout << calib::summary_text(r);
    std::cout << "wrote " << out.string() << ", " << json_path << ", " << csv_path << "\n";
  }
  return 0;
}

}  // namespace

Command add_calibrate_command(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* sub = app.add_subcommand(
      "calibrate", "time real DNN layer kernels on this machine, fit the cost model, write a host profile");
  sub->add_option("--models", o->models,
                  "zoo models whose layers are timed and fitted (comma-separated); with --llm: LLM architectures")
      ->delimiter(',');
  sub->add_option("--holdout", o->holdout, "zoo models held out of the fit, predicted and run end to end")
      ->delimiter(',');
  sub->add_option("--threads", o->threads, "Eigen threads (default 1; recorded in the profile)")
      ->check(CLI::Range(1, 1024));
  sub->add_option("--out,-o", o->out, "host profile to write (default platforms/hosts/this-machine.yaml)");
  sub->add_option("--report", o->report_dir, "directory for NAME.calibration.json and NAME.layers.csv "
                                              "(default: beside --out)");
  sub->add_flag("--fast", o->fast, "few layers and repetitions (seconds; used by the test suite)");
  sub->add_flag("--llm", o->llm, "time LLM decode (GEMV) and prefill (GEMM) kernels at the real shapes of the "
                                 "LLM architectures, fp32 and int8; write NAME.llm.yaml beside --out");
  sub->add_option("--power", o->power, "with --llm: IDLE:BUSY wall power in W that the LLM profile draws");
  sub->add_flag("--quiet,-q", o->quiet, "print nothing on success");
  return {sub, [o] { return calibrate_command(*o); }};
}

}  // namespace ce
