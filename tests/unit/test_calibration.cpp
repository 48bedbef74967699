// Calibration (src/calibration/): the cost fit recovers known coefficients, the kernels compute
// what they claim (checked against naive loops) with the zoo's MAC counts, the end-to-end pass
// wires real tensors through whole models, and host profiles load into platforms.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <malloc.h>
#include <random>

#include "calibration/cost_fit.hpp"
#include "calibration/forward_pass.hpp"
#include "calibration/op_kernels.hpp"
#include "config/platform_spec.hpp"
#include "core/error.hpp"
#include "models/architecture.hpp"
#include "models/cost_model.hpp"
#include "models/zoo.hpp"

using namespace ce;
using namespace ce::calib;

namespace {

// Samples of t = a·macs + b·bytes + c with ±noise relative jitter (fixed seed).
std::vector<FitSample> synthetic(double a, double b, double c, double noise, int n) {
  std::mt19937_64 g(7);
  std::uniform_real_distribution<double> macs(1e5, 1e9), ratio(0.05, 4.0), jitter(-noise, noise);
  std::vector<FitSample> s;
  for (int i = 0; i < n; ++i) {
    FitSample x;
    x.macs = macs(g);
    x.bytes = x.macs * ratio(g);  // bytes not proportional to MACs, as across real layers
    x.seconds = (a * x.macs + b * x.bytes + c) * (1 + jitter(g));
    x.weight = 1 + i % 3;
    s.push_back(x);
  }
  return s;
}

float at(const Tensor& t, int64_t c, int64_t y, int64_t x) { return t.v[static_cast<size_t>((c * t.h + y) * t.w + x)]; }

// Direct 6-loop convolution, the definition the im2col/GEMM and depthwise kernels must match.
Tensor naive_conv(const OpShape& op, const OpKernel& k, const Tensor& x) {
  Tensor y = make_output(op);
  const int64_t cg = op.in_c / op.groups, og = op.out_c / op.groups;
  for (int64_t co = 0; co < op.out_c; ++co)
    for (int64_t oy = 0; oy < op.out_h; ++oy)
      for (int64_t ox = 0; ox < op.out_w; ++ox) {
        double acc = k.bias().v.empty() ? 0 : k.bias().v[static_cast<size_t>(co)];
        const int64_t g = co / og;
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int ky = 0; ky < op.k; ++ky)
            for (int kx = 0; kx < op.k; ++kx) {
              const int64_t iy = oy * op.stride - op.pad + ky, ix = ox * op.stride - op.pad + kx;
              if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
              acc += static_cast<double>(k.weight().v[static_cast<size_t>((co * cg + ci) * op.k * op.k + ky * op.k + kx)]) *
                     at(x, g * cg + ci, iy, ix);
            }
        y.v[static_cast<size_t>((co * y.h + oy) * y.w + ox)] = static_cast<float>(acc);
      }
  return y;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.v.size() == b.v.size());
  double d = 0;
  for (size_t i = 0; i < a.v.size(); ++i) d = std::max(d, std::fabs(static_cast<double>(a.v[i]) - b.v[i]));
  return d;
}

OpShape conv_op(int64_t cin, int64_t h, int64_t cout, int k, int stride, int pad, int groups, bool bias) {
  ArchBuilder b("t", "t", Shape::image(cin, h, h));
  b.row("r", "conv");
  b.conv(cout, k, stride, pad, groups, bias);
  return b.finish(0, 0).row_ops[1][0];
}

}  // namespace

TEST_CASE("cost fit recovers known coefficients from synthetic data", "[calibration]") {
  const double a = 1.0e-10, b = 2.5e-11, c = 4e-6;
  ClassFit exact = fit_op_cost(synthetic(a, b, c, 0.0, 40));
  CHECK(exact.cost.per_mac == Approx(a).epsilon(1e-6));
  CHECK(exact.cost.per_byte == Approx(b).epsilon(1e-6));
  CHECK(exact.cost.fixed == Approx(c).epsilon(1e-4));
  CHECK(exact.rms_rel_residual < 1e-6);
  CHECK(exact.terms == "mac+byte+fixed");

  ClassFit noisy = fit_op_cost(synthetic(a, b, c, 0.05, 200));
  CHECK(noisy.cost.per_mac == Approx(a).epsilon(0.03));
  CHECK(noisy.cost.per_byte == Approx(b).epsilon(0.05));
  CHECK(noisy.rms_rel_residual > 0.01);  // the jitter shows up in the reported residual
  CHECK(noisy.rms_rel_residual < 0.05);
  CHECK(noisy.r2 > 0.95);
}

TEST_CASE("cost fit keeps coefficients non-negative", "[calibration]") {
  // A class whose time falls slightly with bytes would get a negative per_byte from plain least
  // squares; NNLS drops the term instead.
  std::vector<FitSample> s;
  for (int i = 1; i <= 30; ++i) s.push_back({1e6 * i, 1e6 * (31 - i), 1e-3 * i + 1e-5 * (31 - i) * -0.5 + 1e-3, 1});
  ClassFit f = fit_op_cost(s);
  CHECK(f.cost.per_mac >= 0);
  CHECK(f.cost.per_byte >= 0);
  CHECK(f.cost.fixed >= 0);
  CHECK(f.terms.find("byte") == std::string::npos);
  // A zero-MAC class (pooling, activations) is fitted on bytes and the fixed term only.
  std::vector<FitSample> z = {{0, 1e5, 2e-5, 1}, {0, 1e6, 1.1e-4, 1}, {0, 4e6, 4.1e-4, 1}};
  ClassFit fz = fit_op_cost(z);
  CHECK(fz.cost.per_mac == 0);
  CHECK(fz.cost.per_byte == Approx(1e-10).epsilon(0.05));
  CHECK_THROWS(fit_op_cost({}));
}

TEST_CASE("conv kernels (im2col+GEMM, depthwise, grouped) match a direct convolution", "[calibration]") {
  const std::vector<OpShape> ops = {
      conv_op(3, 17, 8, 3, 2, 1, 1, true),    // strided, padded, bias: im2col + GEMM
      conv_op(16, 9, 12, 1, 1, 0, 1, false),  // 1x1: GEMM straight on the input
      conv_op(8, 11, 8, 5, 2, 2, 8, false),   // depthwise 5x5 stride 2
      conv_op(8, 10, 6, 3, 1, 1, 2, true),    // grouped: one GEMM per group
      conv_op(4, 23, 6, 11, 4, 2, 1, true),   // AlexNet-like 11x11 stride 4
  };
  for (const auto& op : ops) {
    OpKernel k(op, 3);
    auto ins = k.example_inputs(5);
    Tensor y = make_output(op);
    k.run({&ins[0]}, y);
    Tensor ref = naive_conv(op, k, ins[0]);
    INFO(op.in_c << "x" << op.in_h << " k" << op.k << " s" << op.stride << " g" << op.groups);
    CHECK(max_abs_diff(y, ref) < 1e-4);
    CHECK(k.executed_macs() == op.macs);
  }
}

TEST_CASE("linear and attention kernels match naive products", "[calibration]") {
  ArchBuilder b("t", "t", Shape::seq(5, 8));
  b.row("r", "transformer_block");
  b.self_attention(2);
  const auto ops = b.finish(0, 0).row_ops[1];  // linear qkv, qk, softmax, av, linear out
  REQUIRE(ops.size() == 5);
  OpKernel qkv(ops[0], 1);
  auto x = qkv.example_inputs(2);
  Tensor q = make_output(ops[0]);
  qkv.run({&x[0]}, q);
  for (int64_t t = 0; t < 5; ++t)
    for (int64_t j = 0; j < 24; ++j) {
      double acc = qkv.bias().v[static_cast<size_t>(j)];
      for (int64_t i = 0; i < 8; ++i) acc += qkv.weight().v[static_cast<size_t>(j * 8 + i)] * x[0].v[static_cast<size_t>(t * 8 + i)];
      CHECK(q.v[static_cast<size_t>(t * 24 + j)] == Approx(acc).margin(1e-5));
    }
  OpKernel qk(ops[1], 1);
  Tensor s = make_output(ops[1]);
  qk.run({&q}, s);
  // head 1, query 3, key 4: Q[3, 4:8] · K[4, 4:8] / sqrt(4), K at column offset d = 8.
  double dot = 0;
  for (int i = 0; i < 4; ++i) dot += q.v[static_cast<size_t>(3 * 24 + 4 + i)] * q.v[static_cast<size_t>(4 * 24 + 8 + 4 + i)];
  CHECK(s.v[static_cast<size_t>(1 * 25 + 3 * 5 + 4)] == Approx(dot / 2).margin(1e-5));
  for (const auto& op : ops) CHECK(OpKernel(op, 1).executed_macs() == op.macs);
}

TEST_CASE("kernel MAC counts equal the zoo's MACs for every op of real models", "[calibration]") {
  for (const char* name : {"resnet18", "mobilenet_v3_small", "squeezenet1_1", "efficientnet_b0", "yolov3_tiny_416"}) {
    const ModelProfile* m = find_model(name);
    REQUIRE(m);
    uint64_t total = 0;
    for (const auto& row : m->row_ops)
      for (const auto& op : row) total += OpKernel(op, 1).executed_macs();
    INFO(name);
    CHECK(total == m->total_macs());
  }
  malloc_trim(0);
}

TEST_CASE("end-to-end forward pass wires real tensors through whole models", "[calibration]") {
  // fresh_inputs == 1: the model input is the only tensor not produced by an earlier op, so the
  // residual adds, downsample branches, Fire concats, SE gates and YOLO routes all found theirs.
  for (const char* name : {"resnet18", "squeezenet1_1", "mobilenet_v3_small", "yolov3_tiny_416"}) {
    const ModelProfile* m = find_model(name);
    ForwardPass fp(*m, 11);
    fp.run();
    INFO(name);
    CHECK(fp.fresh_inputs() == 1);
    size_t ops = 0;
    for (const auto& row : m->row_ops) ops += row.size();
    CHECK(fp.op_count() == ops);
    CHECK(std::isfinite(fp.checksum()));
    CHECK(fp.checksum() != 0);
  }
  // Hand the freed tensors back to the OS: a later test in this process measures peak RSS.
  malloc_trim(0);
}

TEST_CASE("op-cost hosts cost zoo rows op by op — other models keep rates", "[calibration][cost]") {
  const ModelProfile* m = find_model("mobilenet_v2");
  HostSpec h;
  h.pstates.push_back({2e9, 0, 0, 0});
  h.layer_overhead_s = 1e-3;
  const double rates_only = stage_seconds(h, *m, 1, m->layers.size() - 1);
  CHECK(rates_only == Approx(static_cast<double>(m->total_macs()) / 1e9 + 1e-3 * (m->layers.size() - 1)));
  h.op_costs["conv"] = {1e-10, 0, 1e-6};
  h.op_costs["dwconv"] = {2e-10, 1e-11, 0};
  double expect = 0;
  for (size_t r = 1; r < m->layers.size(); ++r)
    for (const auto& op : m->row_ops[r]) {
      const std::string cls = op_cost_class(op);
      expect += h.op_costs.count(cls) ? op_seconds(h.op_costs.at(cls), op) : static_cast<double>(op.macs) / 1e9;
    }
  CHECK(stage_seconds(h, *m, 1, m->layers.size() - 1) == Approx(expect));
  ModelProfile custom;  // no row_ops: the rates path, overhead included
  custom.layers = {{"input", "input", 0, 0, 10, 0}, {"whole", "default", 2000000000, 0, 10, 0}};
  CHECK(stage_seconds(h, custom, 1, 1) == Approx(2.0 + 1e-3));
}

TEST_CASE("a host's profile: fills rates and op_costs — the host's own keys win", "[calibration][config]") {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/ce-calib-unit-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  fs::create_directories(dir / "hosts");
  std::ofstream(dir / "hosts" / "me.yaml")
      << "name: me\ncalibration: {threads: 1}\nrates: {conv: 2.0e9, default: 1.0e9}\nlayer_overhead: 0.5ms\n"
         "op_costs:\n  conv: {per_mac: 1.0e-10, per_byte: 0, fixed: 2.0e-6}\n";
  const std::string host = "  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z, profile: hosts/me.yaml";
  std::ofstream(dir / "p.yaml") << "name: p\nhosts:\n" << host << ", rates: {conv: 3.0e9}}\n";
  PlatformSpec p = load_platform((dir / "p.yaml").string());
  const HostSpec& h = p.hosts.at(0);
  CHECK(h.rates.at("conv") == 3.0e9);     // host key wins
  CHECK(h.rates.at("default") == 1.0e9);  // from the profile
  CHECK(h.layer_overhead_s == Approx(5e-4));
  CHECK(h.op_costs.at("conv").per_mac == 1.0e-10);
  CHECK(h.op_costs.at("conv").fixed == 2.0e-6);

  std::ofstream(dir / "q.yaml") << "name: q\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z, "
                                   "profile: hosts/none.yaml}\n";
  try {
    load_platform((dir / "q.yaml").string());
    FAIL("missing profile accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("hosts[0].profile") != std::string::npos);
  }
  std::ofstream(dir / "hosts" / "bad.yaml") << "op_costs:\n  conv: {per_mac: -1}\n";
  std::ofstream(dir / "r.yaml") << "name: r\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z, "
                                   "profile: hosts/bad.yaml}\n";
  try {
    load_platform((dir / "r.yaml").string());
    FAIL("negative per_mac accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("bad.yaml") != std::string::npos);
    CHECK(std::string(e.what()).find("op_costs.conv.per_mac") != std::string::npos);
  }
  fs::remove_all(dir);
}
