#pragma once
// `carbonedge calibrate`: times the real primitive ops of zoo models on this machine, fits the
// per-op-class cost model, derives per-row-type rates, and validates the fitted model against
// real end-to-end forward passes of models held out of the fit.
#include <map>
#include <string>
#include <vector>

#include "calibration/cost_fit.hpp"
#include "calibration/timing.hpp"
#include "config/platform_spec.hpp"
#include "models/op_shape.hpp"

namespace ce::calib {

struct CalibrationOptions {
  std::vector<std::string> fit_models;      // kernels timed and fitted on these
  std::vector<std::string> heldout_models;  // predicted, then measured end to end
  int threads = 1;
  bool fast = false;                        // few ops and repetitions (test suite)
  int max_ops_per_model = 0;                // 0 = all; the fast mode caps it
  RepeatPolicy op_reps;                     // per op kernel
  RepeatPolicy e2e_reps;                    // per end-to-end forward pass
  bool e2e_fit_models = true;               // also run fit models end to end (in-sample check)
  bool cold_cache = true;                   // evict caches before every timed run (see timing.hpp)
  uint64_t seed = 1;
  bool progress = true;                     // progress lines on stderr

  static CalibrationOptions full();
  static CalibrationOptions fast_mode();
};

// One distinct op shape, timed once and reused for every row of the fit models that has it.
struct OpMeasurement {
  OpShape op;
  std::string cost_class;
  double bytes = 0;
  TimingStats time;
  double energy_j = -1;  // per run, from RAPL; < 0 when not measured
  int occurrences = 0;   // in the fit models
};

// One op of one row of a fit model (the per-layer table).
struct LayerRecord {
  std::string model, row, row_type;
  size_t row_index = 0, op_index = 0;
  size_t measurement = 0;  // index into measurements
};

struct ModelValidation {
  std::string model;
  bool held_out = true;
  uint64_t macs = 0;
  size_t ops = 0;
  int fresh_inputs = 0;
  TimingStats measured;             // end-to-end forward pass
  double predicted_s = 0;           // the simulator's cost model with the written profile's op_costs
  double predicted_rates_s = 0;     // rates + layer_overhead only (models without row_ops)
  double preemptions = 0;           // involuntary context switches per forward pass (load indicator)
  double energy_j = -1;             // per forward pass, RAPL; < 0 when not measured
  double checksum = 0;
  double error_pct() const { return 100 * (predicted_s - measured.median) / measured.median; }
  double error_rates_pct() const { return 100 * (predicted_rates_s - measured.median) / measured.median; }
};

struct CalibrationResult {
  CalibrationOptions options;
  int threads_requested = 1, threads_effective = 1;
  std::string simd;                  // Eigen's SIMD instruction sets in this build
  std::string clock;                 // "thread-cpu" or "wall"
  std::string started_utc;
  double load_before = 0, load_after = 0;  // 1-minute load average
  double duration_s = 0;
  std::vector<OpMeasurement> measurements;
  std::vector<LayerRecord> layers;
  std::map<std::string, ClassFit> fits;          // per op cost class
  std::map<std::string, double> rates;           // MAC/s per row type (+ "default")
  double layer_overhead_s = 0;
  std::vector<ModelValidation> validations;
  // Diagnostic from the fit models' forward passes (not applied to the profile): geometric mean
  // of measured / predicted; 1 = isolated kernels compose exactly into a forward pass.
  double composition_ratio = 1;
  double mape = 0, mape_rates = 0;  // over held-out models
  std::string rapl_status;
  std::map<std::string, double> class_power_w;   // RAPL package watts per op class (if measured)
  // The fitted host as the simulator sees it (speed only matters for the fallback path).
  HostSpec host() const;
};

CalibrationResult run_calibration(const CalibrationOptions& opt);

}  // namespace ce::calib
