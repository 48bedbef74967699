#include "calibration/calibration_run.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sys/resource.h>

#include "calibration/forward_pass.hpp"
#include "calibration/op_kernels.hpp"
#include "core/error.hpp"
#include "core/time_utc.hpp"
#include "models/cost_model.hpp"
#include "models/zoo.hpp"

namespace ce::calib {

CalibrationOptions CalibrationOptions::full() {
  CalibrationOptions o;
  // Fit on models that together use every op class of the zoo's CNNs and transformers
  // (mobilenet_v3_small brings hswish/hsigmoid and SE; bert brings GELU, LayerNorm, softmax and
  // attention matmuls); hold out models of the same families at other sizes plus architectures
  // absent from the fit (AlexNet, EfficientNet-B0 with SiLU, SqueezeNet 1.0, ViT-B/16, YOLOv3-tiny).
  o.fit_models = {"resnet18", "resnet50", "vgg16", "mobilenet_v2", "squeezenet1_1", "mobilenet_v3_small",
                  "bert_base_seq128"};
  o.heldout_models = {"resnet34", "resnet101", "alexnet", "mobilenet_v3_large", "efficientnet_b0",
                      "squeezenet1_0", "vit_b_16", "yolov3_tiny_416"};
  o.op_reps = {1, 5, 40, 0.05};
  o.e2e_reps = {1, 7, 15, 2.0};
  return o;
}

CalibrationOptions CalibrationOptions::fast_mode() {
  CalibrationOptions o;
  o.fast = true;
  o.fit_models = {"squeezenet1_1", "mobilenet_v3_small"};
  o.heldout_models = {"mobilenet_v3_small"};
  o.max_ops_per_model = 40;
  o.op_reps = {1, 2, 3, 0.0};
  o.e2e_reps = {1, 2, 3, 0.0};
  o.e2e_fit_models = false;
  return o;
}

HostSpec CalibrationResult::host() const {
  HostSpec h;
  h.name = "calibrated";
  h.rates = rates;
  h.layer_overhead_s = layer_overhead_s;
  for (const auto& [cls, f] : fits) h.op_costs[cls] = f.cost;
  const double def = h.rates.count("default") ? h.rates.at("default") : 1e9;
  h.pstates.push_back({2 * def, 0, 0, 0});
  return h;
}

namespace {

long involuntary_switches() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_nivcsw;
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}

std::string shape_key(const OpShape& o) {
  return fmt::format("{}|{}|{},{},{}|{},{},{}|{},{},{},{},{}|{},{},{},{}", op_kind_name(o.kind), o.detail, o.in_c,
                     o.in_h, o.in_w, o.out_c, o.out_h, o.out_w, o.k, o.stride, o.pad, o.groups, o.bias, o.batch,
                     o.m, o.k_dim, o.n);
}

std::string simd_in_use() { return Eigen::SimdInstructionSetsInUse(); }

const ModelProfile& zoo_model(const std::string& name) {
  const ModelProfile* m = find_model(name);
  if (!m) {
    std::string known;
    for (const auto& n : zoo_model_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError(fmt::format("calibrate: unknown model '{}' (zoo models: {})", name, known));
  }
  if (m->row_ops.size() != m->layers.size())
    throw InputError("calibrate: model '" + name + "' has no per-op shapes to run");
  return *m;
}

}  // namespace

CalibrationResult run_calibration(const CalibrationOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  if (opt.threads < 1) throw InputError(fmt::format("calibrate: --threads must be >= 1 (got {})", opt.threads));
  if (opt.fit_models.empty()) throw InputError("calibrate: --models lists no model to fit on");
  if (opt.heldout_models.empty()) throw InputError("calibrate: --holdout lists no model to validate on");
  for (const auto& n : opt.fit_models) zoo_model(n);
  for (const auto& n : opt.heldout_models) zoo_model(n);

  CalibrationResult res;
  res.options = opt;
  res.started_utc = format_utc(static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()).count()));
  Eigen::setNbThreads(opt.threads);
  res.threads_requested = opt.threads;
  res.threads_effective = Eigen::nbThreads();  // 1 when Eigen was built without OpenMP
  res.simd = simd_in_use();
  res.load_before = load_average();
  set_flush_denormals();
  const Clock clock = res.threads_effective == 1 ? Clock::ThreadCpu : Clock::Wall;
  res.clock = clock == Clock::ThreadCpu ? "thread-cpu" : "wall";
  CacheFlusher flusher;
  RaplCounter rapl;
  res.rapl_status = rapl.status();
  auto say = [&](const std::string& s) {
    if (opt.progress) std::cerr << s << std::endl;
  };
  if (res.threads_effective != res.threads_requested)
    say(fmt::format("calibrate: note: Eigen runs {} thread(s), not the {} requested (built without OpenMP)",
                    res.threads_effective, res.threads_requested));
  volatile double sink = 0;  // every timed run feeds it: the work stays observable

  // --- 1. time every distinct op shape of the fit models ------------------------------------
  std::map<std::string, size_t> index_of;
  std::map<std::string, std::vector<std::pair<size_t, bool>>> rows_complete;  // model -> (row, all ops timed)
  for (const auto& name : opt.fit_models) {
    const ModelProfile& m = zoo_model(name);
    size_t ops_done = 0, new_shapes = 0;
    for (size_t r = 1; r < m.row_ops.size(); ++r) {
      for (size_t k = 0; k < m.row_ops[r].size(); ++k) {
        if (opt.max_ops_per_model > 0 && ops_done >= static_cast<size_t>(opt.max_ops_per_model)) break;
        const OpShape& op = m.row_ops[r][k];
        const std::string key = shape_key(op);
        auto it = index_of.find(key);
        if (it == index_of.end()) {
          OpMeasurement meas;
          meas.op = op;
          meas.cost_class = op_cost_class(op);
          meas.bytes = op_bytes_moved(op);
          OpKernel kernel(op, opt.seed + res.measurements.size());
          std::vector<Tensor> ins = kernel.example_inputs(opt.seed + 1000 + res.measurements.size());
          std::vector<const Tensor*> in_ptrs;
          for (const auto& t : ins) in_ptrs.push_back(&t);
          Tensor out = make_output(op);
          int runs = 0;
          const double e0 = rapl.joules();
          meas.time = time_repeated(
              [&] {
                kernel.run(in_ptrs, out);
                sink = sink + out.v[0];
                ++runs;
              },
              opt.op_reps, clock, [&] {
                if (!opt.cold_cache) return;
                flusher.flush();  // weights and output buffer cold, as one inference later ...
                for (const auto& t : ins) CacheFlusher::touch(t.v);  // ... input hot: just produced
              });
          if (rapl.available()) meas.energy_j = rapl.delta_j(e0, rapl.joules()) / runs;
          it = index_of.emplace(key, res.measurements.size()).first;
          res.measurements.push_back(meas);
          ++new_shapes;
        }
        res.measurements[it->second].occurrences++;
        res.layers.push_back({name, m.layers[r].name, m.layers[r].type, r, k, it->second});
        ++ops_done;
      }
    }
    say(fmt::format("calibrate: {}: {} ops timed ({} new shapes)", name, ops_done, new_shapes));
  }

  // --- 2. fit the op cost classes -------------------------------------------------------------
  std::map<std::string, std::vector<FitSample>> by_class;
  for (const auto& meas : res.measurements)
    by_class[meas.cost_class].push_back({static_cast<double>(meas.op.macs), meas.bytes, meas.time.median,
                                         static_cast<double>(meas.occurrences)});
  for (const auto& [cls, samples] : by_class) res.fits[cls] = fit_op_cost(samples);
  if (rapl.available()) {
    std::map<std::string, std::pair<double, double>> et;  // class -> (J, s)
    for (const auto& meas : res.measurements) {
      et[meas.cost_class].first += meas.energy_j * meas.occurrences;
      et[meas.cost_class].second += meas.time.median * meas.occurrences;
    }
    for (const auto& [cls, v] : et)
      if (v.second > 0) res.class_power_w[cls] = v.first / v.second;
  }

  // --- 3. per-row-type rates for the rates path (measured rows of the fit models) -----------
  {
    std::map<std::pair<std::string, size_t>, std::pair<double, size_t>> row_time;  // (model,row) -> (s, ops)
    for (const auto& l : res.layers) {
      auto& rt = row_time[{l.model, l.row_index}];
      rt.first += res.measurements[l.measurement].time.median;
      rt.second++;
    }
    std::vector<double> zero_mac_rows;
    struct Row { std::string type; double macs, t; };
    std::vector<Row> rows;
    for (const auto& [key, v] : row_time) {
      const ModelProfile& m = zoo_model(key.first);
      if (v.second != m.row_ops[key.second].size()) continue;  // row only partly timed (fast mode)
      const LayerProfile& l = m.layers[key.second];
      if (l.macs == 0) zero_mac_rows.push_back(v.first);
      else rows.push_back({l.type, static_cast<double>(l.macs), v.first});
    }
    if (!zero_mac_rows.empty()) {
      std::sort(zero_mac_rows.begin(), zero_mac_rows.end());
      res.layer_overhead_s = zero_mac_rows[zero_mac_rows.size() / 2];
    }
    std::map<std::string, std::pair<double, double>> acc;  // type -> (MACs, s)
    for (const auto& r : rows) {
      const double t = std::max(r.t - res.layer_overhead_s, 0.1 * r.t);
      acc[r.type].first += r.macs, acc[r.type].second += t;
      acc["default"].first += r.macs, acc["default"].second += t;
    }
    for (const auto& [type, v] : acc) res.rates[type] = v.first / v.second;
    if (!res.rates.count("default")) {  // no complete row with MACs (tiny fast runs)
      double macs = 0, t = 0;
      for (const auto& meas : res.measurements) macs += static_cast<double>(meas.op.macs), t += meas.time.median;
      res.rates["default"] = macs > 0 ? macs / t : 1e9;
    }
  }

  // --- 4. run models end to end; predict them with the fitted costs -------------------------
  std::vector<std::pair<std::string, bool>> to_run;
  for (const auto& n : opt.heldout_models) to_run.push_back({n, true});
  if (opt.e2e_fit_models)
    for (const auto& n : opt.fit_models) to_run.push_back({n, false});
  for (const auto& [name, held_out] : to_run) {
    const ModelProfile& m = zoo_model(name);
    ModelValidation v;
    v.model = name;
    v.held_out = held_out;
    v.macs = m.total_macs();
    ForwardPass fp(m, opt.seed + 99);
    v.ops = fp.op_count();
    v.fresh_inputs = fp.fresh_inputs();
    int runs = 0;
    const double e0 = rapl.joules();
    const long cs0 = involuntary_switches();
    v.measured = time_repeated(
        [&] {
          fp.run();
          ++runs;
        },
        opt.e2e_reps, clock, [&] {
          if (opt.cold_cache) flusher.flush();
        });
    v.preemptions = static_cast<double>(involuntary_switches() - cs0) / runs;
    if (rapl.available()) v.energy_j = rapl.delta_j(e0, rapl.joules()) / runs;
    v.checksum = fp.checksum();
    sink = sink + v.checksum;
    res.validations.push_back(v);
  }
  auto predict = [&](const HostSpec& h, const ModelProfile& m) { return stage_seconds(h, m, 1, m.layers.size() - 1); };
  const HostSpec fitted = res.host();
  HostSpec rates_only = fitted;
  rates_only.op_costs.clear();
  for (auto& v : res.validations) {
    const ModelProfile& m = zoo_model(v.model);
    v.predicted_s = predict(fitted, m);
    v.predicted_rates_s = predict(rates_only, m);
  }
  {  // diagnostics from the fit models only
    double lr = 0;
    int k = 0;
    for (const auto& v : res.validations)
      if (!v.held_out) lr += std::log(v.measured.median / v.predicted_s), ++k;
    if (k > 0) res.composition_ratio = std::exp(lr / k);
  }
  int n = 0;
  for (auto& v : res.validations) {
    say(fmt::format("calibrate: {} {}: measured {:.2f} ms (IQR {:.1f}%), predicted {:.2f} ms ({:+.1f}%)", v.model,
                    v.held_out ? "held-out" : "in-sample", v.measured.median * 1e3, v.measured.spread() * 100,
                    v.predicted_s * 1e3, v.error_pct()));
    if (!v.held_out) continue;
    res.mape += std::fabs(v.error_pct());
    res.mape_rates += std::fabs(v.error_rates_pct());
    ++n;
  }
  res.mape /= n;
  res.mape_rates /= n;
  res.load_after = load_average();
  res.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace ce::calib
