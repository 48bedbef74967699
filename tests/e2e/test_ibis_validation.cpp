// The exclusive (Edge TPU) sharing model against the measurements it comes from: Ibis (arXiv
// 2201.07312; umassos/ibis, MIT licence) ran two or three models on one Coral Edge TPU under Poisson
// arrivals at five load levels and logged every request (data/queueing_validation/*.csv); the
// measured mean response time per model and load is tests/data/ibis_edgetpu_validation.csv. Here
// the same models run on an `exclusive` accelerator with the service and switch times of Ibis'
// notebook (notebooks/queueing_validation_edgetpu.ipynb: s_i / o_i, ../shared/reference/
// accelerators-llm.md §1), Poisson arrivals at the measured rates for an hour each, and the
// simulated mean latency per model is compared with the measurement. Ibis' own analytic model
// (M/G/1 FCFS with switch penalty) misses by 3.8 % MAPE on these points (reference §1); the
// simulation must stay within 10 % MAPE and 25 % at any point (the measurements average ~150-3000
// requests each over 3 minutes, so single points carry sampling noise).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <map>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

struct Timing {
  double s_ms, o_ms;
};
// Ibis notebook constants (ms): isolated service time s_i and parameter-swap cost o_i.
const std::map<std::string, Timing> kTiming = {{"efficientnet-L", {42.18, 17.53}},
                                               {"inception_v3", {62.95, 19.39}},
                                               {"inception_v4", {125.13, 19.43}},
                                               {"ssd_mobilenet_v2", {19.23, 24.63}},
                                               {"mobilenet_v2", {4.91, 10.43}}};

struct Point {
  std::string experiment, rho;
  std::vector<std::string> models;
  std::vector<double> rates, measured;
};

std::vector<Point> points() {
  auto rows = read_csv_rows(source_dir() + "/tests/data/ibis_edgetpu_validation.csv");
  const auto& h = rows.at(0);
  std::vector<Point> out;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const std::string e = r[column(h, "experiment")], rho = r[column(h, "vary_rho")];
    if (out.empty() || out.back().experiment != e || out.back().rho != rho) out.push_back({e, rho, {}, {}, {}});
    out.back().models.push_back(r[column(h, "model")]);
    out.back().rates.push_back(std::stod(r[column(h, "rate_per_s")]));
    out.back().measured.push_back(std::stod(r[column(h, "measured_mean_ms")]));
  }
  return out;
}

// Simulated mean latency (ms) per model of one point.
std::map<std::string, double> simulate(const Point& p, const TempDir& tmp) {
  std::string prof = "name: coral_ibis\nsource: \"Ibis notebook s_i / o_i\"\nsharing: exclusive\n"
                     "modes:\n  - {name: std, idle: 0.5}\nmodels:\n";
  std::string models = "models:\n", sources;
  for (size_t k = 0; k < p.models.size(); ++k) {
    const Timing& t = kTiming.at(p.models[k]);
    char line[256];
    std::snprintf(line, sizeof line, "  %s:\n    switch: %gms\n    std: {batch: [1], latency: [%gms], power: [2]}\n",
                  p.models[k].c_str(), t.o_ms, t.s_ms);
    prof += line;
    models += "  - {name: " + p.models[k] + ", gmacs: 1, input_elems: 0, output_elems: 0}\n";
    std::snprintf(line, sizeof line, "    - {type: poisson, rate: %.17g, model: %s, source: tpu}\n", p.rates[k],
                  p.models[k].c_str());
    sources += line;
  }
  tmp.file("coral_ibis.yaml", prof);
  tmp.file("platform.yaml", "name: tpu\nhosts:\n  - {name: tpu, accelerator: coral_ibis.yaml, region: Z}\n");
  auto exp = tmp.file("exp.yaml", "name: ibis\nseed: 1\nplatform: platform.yaml\n"
                                  "carbon: {start: 2023-01-01T00:00:00Z, duration: 1h, static: {Z: 100}}\n" +
                                      models + "workload:\n  sources:\n" + sources +
                                      "policies:\n  mono: {type: monolithic, host: tpu}\n");
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const auto rows = read_csv_rows(tmp / "out/mono/requests.csv");
  std::map<std::string, std::pair<double, double>> sum;  // model -> (Σ latency, n)
  for (size_t i = 1; i < rows.size(); ++i) {
    auto& s = sum[rows[i][column(rows[0], "model")]];
    s.first += std::stod(rows[i][column(rows[0], "latency_ms")]);
    s.second += 1;
  }
  std::map<std::string, double> out;
  for (const auto& [m, s] : sum) out[m] = s.first / s.second;
  return out;
}

}  // namespace

TEST_CASE("exclusive sharing reproduces Ibis' Edge TPU measurements under Poisson load (MAPE <= 10 %)",
          "[e2e][accelerators][validation]") {
  double abs_sum = 0, worst = 0;
  size_t n = 0;
  std::printf("%-42s %4s %-17s %9s %9s %7s\n", "experiment", "rho", "model", "measured", "simulated", "error");
  for (const Point& p : points()) {
    TempDir tmp;
    const auto sim = simulate(p, tmp);
    for (size_t k = 0; k < p.models.size(); ++k) {
      REQUIRE(sim.count(p.models[k]));
      const double got = sim.at(p.models[k]), err = (got - p.measured[k]) / p.measured[k];
      std::printf("%-42s %4s %-17s %9.1f %9.1f %+6.1f%%\n", p.experiment.c_str(), p.rho.c_str(), p.models[k].c_str(),
                  p.measured[k], got, 100 * err);
      INFO(p.experiment << " rho " << p.rho << " " << p.models[k] << ": measured " << p.measured[k] << " ms, simulated "
                        << got);
      CHECK(std::abs(err) <= 0.25);
      abs_sum += std::abs(err);
      worst = std::max(worst, std::abs(err));
      ++n;
    }
  }
  const double mape = abs_sum / n;
  std::printf("MAPE %.1f %% over %zu points, worst %.1f %%\n", 100 * mape, n, 100 * worst);
  CHECK(n == 35);
  CHECK(mape <= 0.10);
}
