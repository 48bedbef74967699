#include "calibration/llm_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ce::calib {

namespace {
std::string join(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, ", ")); }
std::string tokens_list(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
  return s;
}
}  // namespace

// fp16 weights stream at the fp32 kernels' bytes per second and int4 at int8's: both are
// bandwidth-bound at batch 1 and neither has its own kernel here (RECON, docs/calibration.md).
std::string llm_profile_yaml(const LlmCalibrationResult& r, const std::string& name, const LlmProfilePower& power) {
  const auto& o = r.options;
  const LlmPrecisionProfile& f32 = r.profiles.at("fp32");
  const LlmPrecisionProfile& i8 = r.profiles.at("int8");
  std::string y;
  y += "# LLM engine profile of this machine, measured by `carbonedge calibrate --llm` (docs/calibration.md,\n";
  y += "# \"LLM kernels\"): batch-1 decode GEMVs and prefill GEMMs at the real shapes of the zoo's LLMs.\n";
  y += "# bandwidth = weight bytes a decode token streams per second; overhead = seconds per iteration on top;\n";
  y += "# flops = prefill GEMM FLOP/s. fp16 = the fp32 kernels' bytes/s, int4 = int8's (RECON: no kernel of\n";
  y += "# their own; batch 1 is bandwidth-bound). Power from --power (not measured here).\n";
  y += fmt::format("# measured {} ({} mode), threads {} (requested {}), SIMD {}, clock {}, load {:.2f} -> {:.2f}\n",
                   r.started_utc, o.fast ? "fast" : "full", r.threads_effective, r.threads_requested, r.simd, r.clock,
                   r.load_before, r.load_after);
  y += fmt::format("# int8 kernel: {}\n# models: {}; prefill tokens: {}\n", r.int8_kernel, join(o.models),
                   tokens_list(o.prefill_tokens));
  for (const auto& [prec, p] : r.profiles) {
    const DecodeFit& f = p.decode;
    y += fmt::format("# {} decode fit over {} models: RMS rel. residual {:.1f} %{}\n", prec, f.samples,
                     100 * (f.overhead_kept ? f.rms_rel_two : f.rms_rel_one),
                     f.overhead_kept ? "" : fmt::format(" (two-parameter intercept {:.3g} s not kept)", f.intercept_s));
  }
  y += fmt::format("name: {}\n", name);
  y += fmt::format("source: \"carbonedge calibrate --llm, {}\"\n", r.started_utc);
  y += fmt::format("memory: {:.0f}B\n", power.memory_bytes);
  y += fmt::format("modes:\n  - {{name: cpu, idle: {:.6g}, source: \"--power\"}}\n", power.idle_w);
  y += "llm:\n  cpu:\n";
  y += fmt::format("    bandwidth: {{fp16: {:.6g}Bps, int8: {:.6g}Bps, int4: {:.6g}Bps}}\n", f32.decode.bandwidth(),
                   i8.decode.bandwidth(), i8.decode.bandwidth());
  y += fmt::format("    flops: {{fp16: {:.6g}, int8: {:.6g}, int4: {:.6g}}}\n", f32.flops(), i8.flops(), i8.flops());
  y += fmt::format("    overhead: {{fp16: {:.6g}s, int8: {:.6g}s, int4: {:.6g}s}}\n", f32.decode.overhead_s(),
                   i8.decode.overhead_s(), i8.decode.overhead_s());
  y += fmt::format("    prefill_power: {:.6g}\n    decode_power: {:.6g}\n", power.busy_w, power.busy_w);
  return y;
}

std::string llm_kernels_csv(const LlmCalibrationResult& r) {
  std::string s = "model,precision,phase,kernel,tokens,weights,weight_bytes,flop,median_s,p25_s,p75_s,min_s,max_s,reps\n";
  for (const auto& t : r.timings)
    s += fmt::format("{},{},{},{},{},{:.0f},{:.0f},{:.0f},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{}\n", t.model,
                     t.precision, t.phase, t.what, t.tokens, t.weights, t.bytes, t.flops, t.time.median, t.time.p25,
                     t.time.p75, t.time.min, t.time.max, t.time.reps);
  return s;
}

std::string llm_summary_text(const LlmCalibrationResult& r) {
  std::string s = fmt::format("LLM kernels: threads {} (requested {}), SIMD {}, clock {}, load {:.2f} -> {:.2f}, {:.0f} s\n",
                              r.threads_effective, r.threads_requested, r.simd, r.clock, r.load_before,
                              r.load_after, r.duration_s);
  s += "int8: " + r.int8_kernel + "\n";
  s += "precision  bandwidth(GB/s)  overhead(ms)  prefill(GFLOP/s)  fit: 2-param intercept(ms) / BW(GB/s) / rms   "
       "1-param BW(GB/s) / rms\n";
  for (const auto& [prec, p] : r.profiles) {
    const DecodeFit& f = p.decode;
    s += fmt::format("{:<9}  {:>15.2f}  {:>12.3f}  {:>16.2f}  {:>+26.3f} / {:>9.2f} / {:>4.1f}%  {:>16.2f} / {:>4.1f}%\n",
                     prec, f.bandwidth() / 1e9, f.overhead_s() * 1e3, p.flops() / 1e9, f.intercept_s * 1e3,
                     f.bandwidth_two / 1e9, 100 * f.rms_rel_two, f.bandwidth_one / 1e9, 100 * f.rms_rel_one);
  }
  s += "decode, batch 1: predicted = overhead + weight bytes / bandwidth; sum = L x layer + head (the fit's sample);\n"
       "measured = all L layers' own weights, one token through them (smallest models)\n";
  s += "model            prec  weights(MB)  layer(ms)  head(ms)  sum(tok/s)  predicted(tok/s)  measured(tok/s)  error\n";
  for (const auto& d : r.decode) {
    const std::string meas = d.whole ? fmt::format("{:>15.2f}", 1 / d.whole_time.median) : fmt::format("{:>15}", "-");
    const std::string err =
        d.whole ? fmt::format("{:>+6.1f}%", 100 * (d.predicted_s - d.whole_time.median) / d.whole_time.median) : "";
    s += fmt::format("{:<16} {:<4}  {:>11.0f}  {:>9.3f}  {:>8.3f}  {:>10.2f}  {:>16.2f}  {}  {}\n", d.model,
                     d.precision, d.weight_bytes / 1e6, d.layer_s * 1e3, d.head_s * 1e3, 1 / d.sum_s(),
                     1 / d.predicted_s, meas, err);
  }
  s += "(error = predicted time per token vs measured, relative to measured)\n";
  return s;
}

}  // namespace ce::calib
