#include "calibration/calibration_report.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/cost_model.hpp"
#include "models/zoo.hpp"

namespace ce::calib {

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}
}  // namespace

std::string profile_yaml(const CalibrationResult& r, const std::string& name) {
  std::string y;
  y += "# Host profile measured by `carbonedge calibrate` (docs/calibration.md). Use it from a platform:\n";
  y += "#   hosts: [{name: me, ..., profile: hosts/" + name + ".yaml}]   (path relative to the platform file)\n";
  y += "# op_costs: seconds = per_mac*MACs + per_byte*bytes + fixed per primitive op (fp32, batch 1, pstate 0);\n";
  y += "# rates/layer_overhead: the per-row fallback for models without per-op shapes.\n";
  y += fmt::format("name: {}\n", name);
  y += "calibration:\n";
  y += fmt::format("  date: \"{}\"\n", r.started_utc);
  y += fmt::format("  threads: {}            # requested {}; Eigen threads in effect {}\n", r.threads_effective,
                   r.threads_requested, r.threads_effective);
  y += fmt::format("  simd: \"{}\"\n", r.simd);
  y += fmt::format("  clock: {}\n", r.clock);
  y += fmt::format("  cold_cache: {}\n", r.options.cold_cache);
  y += fmt::format("  mode: {}\n", r.options.fast ? "fast" : "full");
  y += fmt::format("  fit_models: [{}]\n", join(r.options.fit_models));
  y += fmt::format("  heldout_models: [{}]\n", join(r.options.heldout_models));
  y += fmt::format("  heldout_mape_pct: {:.2f}\n", r.mape);
  y += fmt::format("  composition_ratio: {:.4f}   # fit models: measured forward pass / predicted (diagnostic)\n",
                   r.composition_ratio);
  y += fmt::format("  load_average: [{:.2f}, {:.2f}]   # 1-min load before / after\n", r.load_before, r.load_after);
  y += fmt::format("  rapl: \"{}\"\n", r.rapl_status);
  if (r.class_power_w.empty()) {
    y += "  power: datasheet       # no RAPL counter: keep the platform's datasheet power figures\n";
  } else {
    y += "  package_power_w: {";
    bool first = true;
    for (const auto& [cls, w] : r.class_power_w) y += fmt::format("{}{}: {:.2f}", first ? "" : ", ", cls, w), first = false;
    y += "}   # RAPL package power while each op class ran\n";
  }
  const HostSpec h = r.host();
  y += "rates:                   # MAC/s per row type at pstate 0\n";
  for (const auto& [type, v] : h.rates) y += fmt::format("  {}: {:.6g}\n", type, v);
  y += fmt::format("layer_overhead: {:.6g}s\n", h.layer_overhead_s);
  y += "op_costs:                # s/MAC, s/byte, s per op\n";
  for (const auto& [cls, c] : h.op_costs)
    y += fmt::format("  {}: {{per_mac: {:.6g}, per_byte: {:.6g}, fixed: {:.6g}}}\n", cls, c.per_mac, c.per_byte,
                     c.fixed);
  return y;
}

std::string report_json(const CalibrationResult& r, const std::string& profile_path) {
  using nlohmann::json;
  json j;
  j["profile"] = profile_path;
  j["date"] = r.started_utc;
  j["mode"] = r.options.fast ? "fast" : "full";
  j["threads"] = {{"requested", r.threads_requested}, {"effective", r.threads_effective}};
  j["simd"] = r.simd;
  j["clock"] = r.clock;
  j["cold_cache"] = r.options.cold_cache;
  j["load_average"] = {{"before", r.load_before}, {"after", r.load_after}};
  j["duration_s"] = r.duration_s;
  j["repetitions"] = {{"op", {{"warmup", r.options.op_reps.warmup}, {"min", r.options.op_reps.min_reps},
                              {"max", r.options.op_reps.max_reps}, {"budget_s", r.options.op_reps.budget_s}}},
                      {"end_to_end", {{"warmup", r.options.e2e_reps.warmup}, {"min", r.options.e2e_reps.min_reps},
                                      {"max", r.options.e2e_reps.max_reps}, {"budget_s", r.options.e2e_reps.budget_s}}}};
  j["fit_models"] = r.options.fit_models;
  j["heldout_models"] = r.options.heldout_models;
  j["rapl"] = {{"status", r.rapl_status}, {"package_power_w", r.class_power_w}};
  json fits = json::object();
  for (const auto& [cls, f] : r.fits)
    fits[cls] = {{"per_mac_s", f.cost.per_mac}, {"per_byte_s", f.cost.per_byte}, {"fixed_s", f.cost.fixed},
                 {"terms", f.terms}, {"samples", f.samples}, {"rms_rel_residual", f.rms_rel_residual},
                 {"total_rel_error", f.total_rel_error}, {"r2", f.r2}};
  j["fits"] = fits;
  j["composition_ratio"] = r.composition_ratio;
  const HostSpec h = r.host();
  j["rates_mac_per_s"] = h.rates;
  j["layer_overhead_s"] = h.layer_overhead_s;
  json vals = json::array();
  for (const auto& v : r.validations)
    vals.push_back({{"model", v.model}, {"held_out", v.held_out}, {"gmacs", static_cast<double>(v.macs) / 1e9},
                    {"ops", v.ops}, {"fresh_inputs", v.fresh_inputs}, {"measured_median_s", v.measured.median},
                    {"measured_p25_s", v.measured.p25}, {"measured_p75_s", v.measured.p75},
                    {"measured_min_s", v.measured.min}, {"measured_max_s", v.measured.max}, {"reps", v.measured.reps},
                    {"predicted_s", v.predicted_s}, {"error_pct", v.error_pct()},
                    {"predicted_rates_s", v.predicted_rates_s}, {"error_rates_pct", v.error_rates_pct()},
                    {"preemptions_per_run", v.preemptions},
                    {"energy_j", v.energy_j < 0 ? json(nullptr) : json(v.energy_j)}, {"checksum", v.checksum}});
  j["validation"] = vals;
  j["heldout_mape_pct"] = r.mape;
  j["heldout_mape_rates_pct"] = r.mape_rates;
  return j.dump(2) + "\n";
}

std::string layers_csv(const CalibrationResult& r) {
  std::string s =
      "model,row_index,row,row_type,op_index,op,detail,cost_class,macs,bytes,median_s,p25_s,p75_s,min_s,max_s,reps,"
      "fitted_s,energy_j\n";
  for (const auto& l : r.layers) {
    const OpMeasurement& m = r.measurements[l.measurement];
    const double fitted = op_seconds(r.fits.at(m.cost_class).cost, m.op);
    std::string row = l.row;
    for (char& c : row)
      if (c == ',') c = ';';
    s += fmt::format("{},{},{},{},{},{},{},{},{},{:.0f},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{:.6g},{}\n", l.model,
                     l.row_index, row, l.row_type, l.op_index, op_kind_name(m.op.kind), m.op.detail, m.cost_class,
                     m.op.macs, m.bytes, m.time.median, m.time.p25, m.time.p75, m.time.min, m.time.max, m.time.reps,
                     fitted, m.energy_j < 0 ? std::string() : fmt::format("{:.6g}", m.energy_j));
  }
  return s;
}

std::string summary_text(const CalibrationResult& r) {
  std::string s = fmt::format("threads {} (requested {}), SIMD {}, clock {}, load {:.2f} -> {:.2f}, {:.0f} s\n",
                              r.threads_effective, r.threads_requested, r.simd, r.clock, r.load_before,
                              r.load_after, r.duration_s);
  s += "op class  samples  per_mac(s)   per_byte(s)  fixed(s)     rms rel resid  sum err\n";
  for (const auto& [cls, f] : r.fits)
    s += fmt::format("{:<9} {:>7}  {:<11.4g}  {:<11.4g}  {:<11.4g}  {:>12.1f}%  {:+.1f}%\n", cls, f.samples,
                     f.cost.per_mac, f.cost.per_byte, f.cost.fixed, 100 * f.rms_rel_residual,
                     100 * f.total_rel_error);
  s += fmt::format("fit models: measured / predicted forward pass = {:.4f} (geometric mean)\n", r.composition_ratio);
  s += "model               set        GMACs  measured(ms)  IQR    preempt  predicted(ms)  error   rates-path\n";
  for (const auto& v : r.validations)
    s += fmt::format("{:<19} {:<9} {:>6.2f}  {:>12.2f}  {:>4.1f}%  {:>7.1f}  {:>13.2f}  {:>+6.1f}%  {:>+9.1f}%\n",
                     v.model, v.held_out ? "held-out" : "fit", static_cast<double>(v.macs) / 1e9,
                     v.measured.median * 1e3, 100 * v.measured.spread(), v.preemptions, v.predicted_s * 1e3,
                     v.error_pct(), v.error_rates_pct());
  s += fmt::format("held-out MAPE {:.2f}% (rates path {:.2f}%)\nRAPL: {}\n", r.mape, r.mape_rates, r.rapl_status);
  return s;
}

}  // namespace ce::calib
