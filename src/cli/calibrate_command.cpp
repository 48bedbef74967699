// `carbonedge calibrate`: benchmark real DNN layer kernels on this machine, fit the simulator's
// cost model and write a host profile (plus a JSON report and a per-layer CSV beside it).
#include <filesystem>
#include <iostream>

#include "calibration/calibration_report.hpp"
#include "calibration/calibration_run.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace ce {

namespace {

struct CalibrateOptions {
  std::vector<std::string> models, holdout;
  int threads = 1;
  bool fast = false, quiet = false;
  std::string out = "platforms/hosts/this-machine.yaml";
  std::string report_dir;  // default: the profile's directory
};

int calibrate_command(const CalibrateOptions& o) {
  namespace fs = std::filesystem;
  calib::CalibrationOptions opt = o.fast ? calib::CalibrationOptions::fast_mode() : calib::CalibrationOptions::full();
  if (!o.models.empty()) opt.fit_models = o.models;
  if (!o.holdout.empty()) opt.heldout_models = o.holdout;
  opt.threads = o.threads;
  opt.progress = !o.quiet;
  const fs::path out(o.out);
  if (out.extension() != ".yaml" && out.extension() != ".yml")
    throw InputError("calibrate: --out '" + o.out + "' must name a .yaml host profile");
  const std::string name = out.stem().string();
  const fs::path dir = o.report_dir.empty() ? out.parent_path() : fs::path(o.report_dir);

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
  sub->add_option("--models", o->models, "zoo models whose layers are timed and fitted (comma-separated)")
      ->delimiter(',');
  sub->add_option("--holdout", o->holdout, "zoo models held out of the fit, predicted and run end to end")
      ->delimiter(',');
  sub->add_option("--threads", o->threads, "Eigen threads (default 1; recorded in the profile)")
      ->check(CLI::Range(1, 1024));
  sub->add_option("--out,-o", o->out, "host profile to write (default platforms/hosts/this-machine.yaml)");
  sub->add_option("--report", o->report_dir, "directory for NAME.calibration.json and NAME.layers.csv "
                                              "(default: beside --out)");
  sub->add_flag("--fast", o->fast, "few layers and repetitions (seconds; used by the test suite)");
  sub->add_flag("--quiet,-q", o->quiet, "print nothing on success");
  return {sub, [o] { return calibrate_command(*o); }};
}

}  // namespace ce
