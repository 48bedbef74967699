#include "calibration/llm_calibration.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "core/error.hpp"
#include "core/time_utc.hpp"

namespace ce::calib {

LlmCalibrationOptions LlmCalibrationOptions::full() {
  LlmCalibrationOptions o;
  for (const auto& a : llm_architectures()) o.models.push_back(a.name);
  o.prefill_tokens = {128, 512};
  o.whole_models = 3;
  o.decode_reps = {1, 5, 20, 0.5};
  o.prefill_reps = {0, 3, 3, 0.0};  // GEMMs of seconds each: compute-bound, steady after the first
  o.whole_reps = {1, 5, 10, 3.0};
  return o;
}

LlmCalibrationOptions LlmCalibrationOptions::fast_mode() {
  LlmCalibrationOptions o = full();
  o.fast = true;
  // Decode stays on every model (the fit needs their spread; a layer GEMV is milliseconds); the
  // GEMM rate is one number per precision, sampled on the three smallest models at P = 128.
  o.prefill_models = {"qwen2.5-0.5b", "tinyllama-1.1b", "llama-3.2-1b"};
  o.prefill_tokens = {128};
  o.whole_models = 2;
  o.decode_reps = {1, 3, 3, 0.0};
  o.prefill_reps = {0, 2, 2, 0.0};
  o.whole_reps = {1, 3, 3, 0.0};
  return o;
}

DecodeFit fit_decode(const std::vector<double>& bytes, const std::vector<double>& seconds) {
  if (bytes.size() != seconds.size() || bytes.empty())
    throw std::invalid_argument("fit_decode: needs as many times as byte counts, at least one");
  for (size_t i = 0; i < bytes.size(); ++i)
    if (!(bytes[i] > 0) || !(seconds[i] > 0)) throw std::invalid_argument("fit_decode: bytes and times must be > 0");
  // Relative residual r_i = (a + b·x_i − t_i)/t_i = a·u_i + b·(x_i·u_i) − 1 with u_i = 1/t_i: least
  // squares on features (u, x·u) against 1.
  double suu = 0, suz = 0, szz = 0, su = 0, sz = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const double u = 1 / seconds[i], z = bytes[i] * u;
    suu += u * u, suz += u * z, szz += z * z, su += u, sz += z;
  }
  auto rms = [&](double a, double b) {
    double s = 0;
    for (size_t i = 0; i < bytes.size(); ++i) s += std::pow((a + b * bytes[i] - seconds[i]) / seconds[i], 2);
    return std::sqrt(s / static_cast<double>(bytes.size()));
  };
  DecodeFit f;
  f.samples = static_cast<int>(bytes.size());
  const double b1 = sz / szz;  // per byte, through the origin
  f.bandwidth_one = 1 / b1;
  f.rms_rel_one = rms(0, b1);
  const double det = suu * szz - suz * suz;
  if (bytes.size() >= 2 && std::fabs(det) > 1e-12 * suu * szz) {
    const double a = (su * szz - sz * suz) / det, b = (suu * sz - suz * su) / det;
    f.intercept_s = a;
    f.bandwidth_two = b > 0 ? 1 / b : 0;
    f.rms_rel_two = rms(a, b);
    // Two points always fit a line: an overhead needs a third model to be supported by the data.
    f.overhead_kept = bytes.size() >= 3 && a > 0 && b > 0 && f.rms_rel_two < 0.8 * f.rms_rel_one;
  }
  return f;
}

namespace {

double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}

const LlmArchitecture& llm_model(const std::string& name) {
  const LlmArchitecture* a = find_llm(name);
  if (!a) {
    std::string known;
    for (const auto& m : llm_architectures()) known += (known.empty() ? "" : ", ") + m.name;
    throw InputError(fmt::format("calibrate --llm: unknown model '{}' (LLMs: {})", name, known));
  }
  return *a;
}

// One layer's weights in the order q, k, v, o, gate, up, down, and the buffers one token uses.
using Layer = std::vector<LlmLinear>;
Layer make_layer(const LlmArchitecture& a, LlmPrecision p, uint64_t seed) {
  Layer l;
  for (const auto& m : llm_layer_matrices(a)) l.emplace_back(m, p, seed++);
  return l;
}

struct Token {
  std::vector<float> x, h, q, k, v, o, g, u, logits;
  explicit Token(const LlmArchitecture& a)
      : x(a.d_model), h(a.d_model), q(a.heads_q * a.head_dim), k(a.heads_kv * a.head_dim), v(k.size()),
        o(a.d_model), g(a.d_ff), u(a.d_ff), logits(a.vocab) {}
  void reset() { fill_uniform(x.data(), x.size(), 7, -1.f, 1.f); }
};

// RMS normalisation (unit gain): keeps the values finite through the layers, as the model's own
// RMSNorm does.
void rms_norm(const std::vector<float>& x, std::vector<float>& h) {
  double s = 0;
  for (float v : x) s += static_cast<double>(v) * v;
  const float r = static_cast<float>(1 / std::sqrt(s / static_cast<double>(x.size()) + 1e-6));
  for (size_t i = 0; i < x.size(); ++i) h[i] = x[i] * r;
}

// One token through one layer: the 7 GEMVs and the glue between them. Attention over a KV cache is
// left out (context 0): the o projection reads q's output in its place.
void decode_layer(Layer& l, Token& t) {
  rms_norm(t.x, t.h);
  l[0].gemv(t.h.data(), t.q.data());
  l[1].gemv(t.h.data(), t.k.data());
  l[2].gemv(t.h.data(), t.v.data());
  l[3].gemv(t.q.data(), t.o.data());
  for (size_t i = 0; i < t.x.size(); ++i) t.x[i] += t.o[i];
  rms_norm(t.x, t.h);
  l[4].gemv(t.h.data(), t.g.data());
  l[5].gemv(t.h.data(), t.u.data());
  for (size_t i = 0; i < t.g.size(); ++i) t.g[i] *= t.u[i];  // gated MLP (activation left out)
  l[6].gemv(t.g.data(), t.o.data());
  for (size_t i = 0; i < t.x.size(); ++i) t.x[i] += t.o[i];
}

double head_logits(LlmLinear& head, Token& t) {
  rms_norm(t.x, t.h);
  head.gemv(t.h.data(), t.logits.data());
  return t.logits[0] + t.k[0] + t.v[0];
}

}  // namespace

LlmCalibrationResult run_llm_calibration(const LlmCalibrationOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  if (opt.threads < 1) throw InputError(fmt::format("calibrate: --threads must be >= 1 (got {})", opt.threads));
  if (opt.models.empty()) throw InputError("calibrate --llm: --models lists no model");
  std::vector<const LlmArchitecture*> models;
  for (const auto& n : opt.models) models.push_back(&llm_model(n));
  for (const auto& n : opt.prefill_models) llm_model(n);
  for (int64_t p : opt.prefill_tokens)
    if (p < 1 || p > 8192) throw InputError(fmt::format("calibrate --llm: prefill tokens {} not in 1..8192", p));

  LlmCalibrationResult res;
  res.options = opt;
  res.started_utc = format_utc(static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()).count()));
  Eigen::setNbThreads(opt.threads);
  res.threads_requested = opt.threads;
  res.threads_effective = Eigen::nbThreads();
  res.simd = Eigen::SimdInstructionSetsInUse();
#if defined(__SSE2__)
  res.int8_kernel = "hand-written SSE2 (_mm_madd_epi16 on sign-extended int8, int32 accumulators), one thread";
#else
  res.int8_kernel = "hand-written scalar loop (int8 x int8 -> int32), one thread";
#endif
  res.load_before = load_average();
  set_flush_denormals();
  const Clock clock = res.threads_effective == 1 ? Clock::ThreadCpu : Clock::Wall;
  res.clock = clock == Clock::ThreadCpu ? "thread-cpu" : "wall";
  CacheFlusher flusher;
  auto flush = [&] { flusher.flush(); };  // a token finds its weights in DRAM, as in a real decode
  auto say = [&](const std::string& s) {
    if (opt.progress) std::cerr << s << std::endl;
  };
  volatile double sink = 0;
  const LlmPrecision precisions[] = {LlmPrecision::Fp32, LlmPrecision::Int8};

  // --- 1. decode: one layer's GEMVs and the LM head, cold, per model and precision -----------
  for (const LlmArchitecture* a : models) {
    for (LlmPrecision p : precisions) {
      const std::string pn = precision_name(p);
      LlmModelDecode d;
      d.model = a->name, d.precision = pn, d.layers = a->layers;
      d.weight_bytes = llm_token_weights(*a) * bytes_per_weight(p);
      Token t(*a);
      {
        Layer layer = make_layer(*a, p, opt.seed);
        double wsum = 0;
        for (const auto& m : layer) wsum += m.shape().weights();
        const TimingStats s = time_repeated([&] { t.reset(); decode_layer(layer, t); sink = sink + t.x[0]; },
                                            opt.decode_reps, clock, flush);
        res.timings.push_back({a->name, pn, "decode", "layer", 1, wsum, wsum * bytes_per_weight(p), 2 * wsum, s});
        d.layer_s = s.median;
      }
      {
        LlmLinear head(llm_head_matrix(*a), p, opt.seed + 100);
        const TimingStats s = time_repeated([&] { sink = sink + head_logits(head, t); }, opt.decode_reps, clock, flush);
        res.timings.push_back({a->name, pn, "decode", "lm_head", 1, head.shape().weights(), head.weight_bytes(),
                               2 * head.shape().weights(), s});
        d.head_s = s.median;
      }
      say(fmt::format("calibrate --llm: decode {} {}: layer {:.3f} ms x {} + head {:.3f} ms", a->name, pn,
                      d.layer_s * 1e3, a->layers, d.head_s * 1e3));
      res.decode.push_back(d);
    }
  }
  for (LlmPrecision p : precisions) {
    std::vector<double> x, y;
    for (const auto& d : res.decode)
      if (d.precision == precision_name(p)) x.push_back(d.weight_bytes), y.push_back(d.sum_s());
    res.profiles[precision_name(p)].decode = fit_decode(x, y);
  }
  for (auto& d : res.decode) d.predicted_s = res.profiles.at(d.precision).decode.predict(d.weight_bytes);

  // --- 2. the smallest models whole: every layer's own weights, one token through all of them --
  std::vector<const LlmArchitecture*> by_size = models;
  std::sort(by_size.begin(), by_size.end(),
            [](auto* l, auto* r) { return llm_token_weights(*l) < llm_token_weights(*r); });
  by_size.erase(std::unique(by_size.begin(), by_size.end()), by_size.end());
  const size_t whole = std::min(by_size.size(), static_cast<size_t>(std::max(opt.whole_models, 0)));
  for (size_t i = 0; i < whole; ++i) {
    const LlmArchitecture& a = *by_size[i];
    for (LlmPrecision p : precisions) {
      std::vector<Layer> layers(a.layers, make_layer(a, p, opt.seed));  // copies: distinct memory per layer
      LlmLinear head(llm_head_matrix(a), p, opt.seed + 100);
      Token t(a);
      double check = 0;
      const TimingStats s = time_repeated(
          [&] {
            t.reset();
            for (auto& l : layers) decode_layer(l, t);
            check = head_logits(head, t);
            sink = sink + check;
          },
          opt.whole_reps, clock, flush);
      for (auto& d : res.decode)
        if (d.model == a.name && d.precision == precision_name(p)) d.whole = true, d.whole_time = s, d.checksum = check;
      say(fmt::format("calibrate --llm: whole {} {}: {:.1f} ms per token", a.name, precision_name(p), s.median * 1e3));
    }
  }

  // --- 3. prefill: each matrix of one layer as a P-token GEMM --------------------------------
  const std::vector<std::string>& pre = opt.prefill_models.empty() ? opt.models : opt.prefill_models;
  for (const auto& name : pre) {
    const LlmArchitecture& a = llm_model(name);
    for (int64_t tokens : opt.prefill_tokens) {
      for (LlmPrecision p : precisions) {
        LlmPrecisionProfile& prof = res.profiles[precision_name(p)];
        double ms = 0;
        for (const auto& m : llm_layer_matrices(a)) {
          LlmLinear lin(m, p, opt.seed);
          std::vector<float> x(static_cast<size_t>(tokens * m.k)), y(static_cast<size_t>(tokens * m.n));
          fill_uniform(x.data(), x.size(), opt.seed + 7, -1.f, 1.f);
          const TimingStats s = time_repeated([&] { lin.gemm(x.data(), tokens, y.data()); sink = sink + y[0]; },
                                              opt.prefill_reps, clock, flush);
          const double fl = 2.0 * static_cast<double>(tokens) * m.weights();
          res.timings.push_back({a.name, precision_name(p), "prefill", m.name, tokens, m.weights(),
                                 lin.weight_bytes(), fl, s});
          prof.prefill_flop += fl;
          prof.prefill_s += s.median;
          ms += s.median * 1e3;
        }
        say(fmt::format("calibrate --llm: prefill {} P={} {}: layer {:.1f} ms", a.name, tokens, precision_name(p), ms));
      }
    }
  }
  res.load_after = load_average();
  res.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace ce::calib
