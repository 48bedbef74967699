// LLM calibration kernels (src/calibration/llm_kernels.*) and the decode fit (llm_calibration.*):
// the kernels compute the right products, the int8 one exactly; the fit recovers known parameters;
// the layer shapes are the architectures'; time grows with the matrix.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "calibration/llm_calibration.hpp"
#include "calibration/llm_kernels.hpp"

using namespace ce;
using namespace ce::calib;

TEST_CASE("fp32 LLM GEMV and GEMM equal naive products", "[llm_calibration]") {
  const LlmMatrix m{"t", 37, 53};  // odd sizes: no SIMD-width multiple
  LlmLinear lin(m, LlmPrecision::Fp32, 3);
  const int64_t tokens = 5;
  std::vector<float> x(static_cast<size_t>(tokens * m.k)), y(static_cast<size_t>(tokens * m.n));
  fill_uniform(x.data(), x.size(), 11, -1.f, 1.f);
  const auto& w = lin.w_fp32();
  auto ref = [&](int64_t p, int64_t i) {
    double s = 0;
    for (int64_t j = 0; j < m.k; ++j) s += static_cast<double>(w[static_cast<size_t>(i * m.k + j)]) * x[static_cast<size_t>(p * m.k + j)];
    return s;
  };
  lin.gemv(x.data(), y.data());
  for (int64_t i = 0; i < m.n; ++i) REQUIRE(y[static_cast<size_t>(i)] == Approx(ref(0, i)).margin(1e-5));
  lin.gemm(x.data(), tokens, y.data());
  for (int64_t p = 0; p < tokens; ++p)
    for (int64_t i = 0; i < m.n; ++i) REQUIRE(y[static_cast<size_t>(p * m.n + i)] == Approx(ref(p, i)).margin(1e-5));
}

TEST_CASE("int8 GEMV and GEMM equal the exact integer products", "[llm_calibration]") {
  const int64_t n = 19, k = 77, tokens = 6;  // k: four 16-wide steps and a tail; tokens: a group of 4 and 2
  std::vector<int8_t> w(static_cast<size_t>(n * k)), x(static_cast<size_t>(tokens * k));
  fill_int8(w.data(), w.size(), 5);
  fill_int8(x.data(), x.size(), 6);
  w[0] = -128, w[1] = 127, x[0] = -128, x[1] = -128, w[k + 16] = -128, x[16] = 127;  // the extremes
  std::vector<int32_t> acc(static_cast<size_t>(tokens * n));
  auto ref = [&](int64_t p, int64_t i) {
    int64_t s = 0;
    for (int64_t j = 0; j < k; ++j) s += int64_t{w[static_cast<size_t>(i * k + j)]} * x[static_cast<size_t>(p * k + j)];
    return s;
  };
  int8_gemv(w.data(), n, k, x.data(), acc.data());
  for (int64_t i = 0; i < n; ++i) REQUIRE(acc[static_cast<size_t>(i)] == ref(0, i));
  int8_gemm(w.data(), n, k, x.data(), tokens, acc.data());
  for (int64_t p = 0; p < tokens; ++p)
    for (int64_t i = 0; i < n; ++i) REQUIRE(acc[static_cast<size_t>(p * n + i)] == ref(p, i));

  // The float wrapper: per-row weight scale × activation scale × the exact integer sum.
  LlmLinear lin({"q", n, k}, LlmPrecision::Int8, 9);
  std::vector<float> xf(static_cast<size_t>(k)), y(static_cast<size_t>(n));
  fill_uniform(xf.data(), xf.size(), 12, -1.f, 1.f);
  std::vector<int8_t> xq(static_cast<size_t>(k));
  const float xs = quantize_int8(xf.data(), k, xq.data());
  for (int8_t v : xq) REQUIRE(v >= -127);  // symmetric: -128 never produced
  lin.gemv(xf.data(), y.data());
  for (int64_t i = 0; i < n; ++i) {
    int64_t s = 0;
    for (int64_t j = 0; j < k; ++j) s += int64_t{lin.w_int8()[static_cast<size_t>(i * k + j)]} * xq[static_cast<size_t>(j)];
    REQUIRE(y[static_cast<size_t>(i)] == Approx(xs * lin.row_scale()[static_cast<size_t>(i)] * static_cast<double>(s)).epsilon(1e-6));
  }
}

TEST_CASE("decode fit recovers overhead and bandwidth", "[llm_calibration]") {
  const std::vector<double> bytes = {0.5e9, 1.1e9, 1.5e9, 2.4e9, 3.1e9, 4.4e9, 6.2e9, 8.1e9, 12.8e9};
  const double overhead = 2e-3, bw = 10e9;
  std::vector<double> t;
  for (double b : bytes) t.push_back(overhead + b / bw);

  SECTION("exactly linear data: both parameters, and the timings back") {
    const DecodeFit f = fit_decode(bytes, t);
    REQUIRE(f.samples == 9);
    REQUIRE(f.overhead_kept);
    REQUIRE(f.overhead_s() == Approx(overhead).epsilon(1e-9));
    REQUIRE(f.bandwidth() == Approx(bw).epsilon(1e-9));
    REQUIRE(f.rms_rel_two < 1e-9);
    for (size_t i = 0; i < bytes.size(); ++i) REQUIRE(f.predict(bytes[i]) == Approx(t[i]).epsilon(1e-9));
    REQUIRE(f.bandwidth_one > 0);
  }
  SECTION("no overhead in the data: none kept, bandwidth through the origin") {
    std::vector<double> t0;
    for (double b : bytes) t0.push_back(b / bw);
    const DecodeFit f = fit_decode(bytes, t0);
    REQUIRE_FALSE(f.overhead_kept);
    REQUIRE(f.overhead_s() == 0);
    REQUIRE(f.bandwidth() == Approx(bw).epsilon(1e-9));
  }
  SECTION("+-3 % noise: within 5 % of the parameters' predictions") {
    std::vector<double> tn = t;
    for (size_t i = 0; i < tn.size(); ++i) tn[i] *= i % 2 ? 1.03 : 0.97;
    const DecodeFit f = fit_decode(bytes, tn);
    REQUIRE(f.bandwidth() == Approx(bw).epsilon(0.05));
    for (size_t i = 0; i < bytes.size(); ++i) REQUIRE(f.predict(bytes[i]) == Approx(t[i]).epsilon(0.05));
  }
  SECTION("two models cannot support an overhead") {
    REQUIRE_FALSE(fit_decode({1e9, 2e9}, {0.102, 0.202}).overhead_kept);
  }
  SECTION("bad inputs") {
    REQUIRE_THROWS(fit_decode({}, {}));
    REQUIRE_THROWS(fit_decode({1e9}, {0.1, 0.2}));
    REQUIRE_THROWS(fit_decode({1e9, 0}, {0.1, 0.2}));
    REQUIRE_THROWS(fit_decode({1e9, 2e9}, {0.1, -0.2}));
  }
}

TEST_CASE("LLM layer matrices are the architectures' linear weights", "[llm_calibration]") {
  for (const auto& a : llm_architectures()) {
    const auto ms = llm_layer_matrices(a);
    REQUIRE(ms.size() == 7);
    double layer = 0;
    for (const auto& m : ms) layer += m.weights();
    const double bias = a.qkv_bias ? static_cast<double>((a.heads_q + 2 * a.heads_kv) * a.head_dim) : 0;
    INFO(a.name);
    REQUIRE(layer + bias == Approx(a.layer_linear_params()).epsilon(1e-12));
    REQUIRE(llm_token_weights(a) == Approx(a.linear_params() - a.layers * bias +
                                           static_cast<double>(a.vocab * a.d_model)).epsilon(1e-12));
  }
}

TEST_CASE("GEMV time grows with the matrix", "[llm_calibration]") {
  // 4x the weights must take clearly longer (memory traffic), in both precisions. Thread CPU time,
  // medians of several runs: robust to other processes on the machine.
  for (LlmPrecision p : {LlmPrecision::Fp32, LlmPrecision::Int8}) {
    LlmLinear small({"s", 1024, 1024}, p, 1), big({"b", 2048, 2048}, p, 2);
    std::vector<float> x(2048), y(2048);
    fill_uniform(x.data(), x.size(), 3, -1.f, 1.f);
    const RepeatPolicy reps{2, 7, 31, 0.05};
    const double ts = time_repeated([&] { small.gemv(x.data(), y.data()); }, reps, Clock::ThreadCpu).median;
    const double tb = time_repeated([&] { big.gemv(x.data(), y.data()); }, reps, Clock::ThreadCpu).median;
    INFO(precision_name(p) << ": " << ts << " s vs " << tb << " s");
    REQUIRE(tb > 1.5 * ts);
  }
}
