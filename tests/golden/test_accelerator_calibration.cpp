// Calibration of the accelerator profiles (platforms/accelerators/*.yaml) against the published
// figures they cite (tests/data/accelerator_figures.csv; docs/calibration.md "Accelerators"): the
// simulator runs each MLPerf scenario on the profile and must reproduce every `fit` figure within
// 10 %. `held_out` figures (not used to build the tables) are simulated the same way and their
// errors printed, not asserted: docs/calibration.md reports them.
//   single_stream: one client sends back to back (MLPerf SingleStream): mean latency, and mean wall
//                  power = the device's energy / the time until the last result;
//   offline:       every request queued at t = 0, batches of the table's largest size (MLPerf
//                  Offline): throughput = requests / time of the last result, power likewise.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <set>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

struct Figure {
  std::string profile, mode, model, scenario, metric, role, source;
  double value = 0;
};

std::vector<Figure> figures() {
  auto rows = read_csv_rows(source_dir() + "/tests/data/accelerator_figures.csv");
  const auto& h = rows.at(0);
  std::vector<Figure> out;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    out.push_back({r[column(h, "profile")], r[column(h, "mode")], r[column(h, "model")], r[column(h, "scenario")],
                   r[column(h, "metric")], r[column(h, "role")], r[column(h, "source")],
                   std::stod(r[column(h, "value")])});
  }
  return out;
}

// The simulated latency (ms), throughput (/s) and power (W) of one scenario.
struct Simulated {
  double latency_ms = 0, throughput = 0, power_w = 0;
};

Simulated simulate(const Figure& f, const TempDir& tmp) {
  const bool offline = f.scenario == "offline";
  // Offline: every request waits at t = 0, so a short queue delay lets the batcher see them all
  // before the first batch leaves (they arrive one after another at the same instant).
  const std::string batching = offline ? ", batching: {max_batch: 100000, max_queue_delay: 1us}" : "";
  tmp.file("platform.yaml", "name: calib\nhosts:\n  - {name: a, accelerator: " + source_dir() +
                                "/platforms/accelerators/" + f.profile + ".yaml, mode: " + f.mode +
                                ", region: Z" + batching + "}\n");
  // 2000 requests back to back, or 20 full batches at once, within the run's hour.
  const int n = offline ? 20 * 256 : 2000;
  const std::string workload = offline ? "clients: " + std::to_string(n) + ", requests_per_client: 1"
                                       : "clients: 1, requests_per_client: " + std::to_string(n);
  auto exp = tmp.file("exp.yaml", "name: calib\nseed: 1\nplatform: platform.yaml\n"
                                  "carbon: {start: 2023-01-01T00:00:00Z, duration: 1h, static: {Z: 100}}\n"
                                  "workload: {type: closed_loop, " +
                                      workload + ", think_time: 0, model: " + f.model +
                                      ", source: a}\n"
                                      "policies:\n  mono: {type: monolithic, host: a}\n");
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const auto s = read_json(tmp / "out/mono/summary.json");
  REQUIRE(s["requests_completed"] == n);
  // The scenario ends with its last result; the device idles from then to the end of the hour.
  const auto rows = read_csv_rows(tmp / "out/mono/requests.csv");
  double end = 0;
  for (size_t i = 1; i < rows.size(); ++i)
    end = std::max(end, std::stod(rows[i][column(rows[0], "arrival_s")]) +
                            std::stod(rows[i][column(rows[0], "latency_ms")]) / 1e3);
  const double span = s["span_s"];
  const auto& a = s["per_host"]["a"];
  const double energy = a["idle_energy_j"].get<double>() * end / span + a["dynamic_energy_j"].get<double>();
  return {s["latency_ms"]["mean"], n / end, energy / end};
}

double simulated_value(const Figure& f, const Simulated& s) {
  if (f.metric == "latency_ms") return s.latency_ms;
  if (f.metric == "throughput_per_s") return s.throughput;
  if (f.metric == "power_w") return s.power_w;
  FAIL("unknown metric " << f.metric);
  return 0;
}

}  // namespace

TEST_CASE("accelerator profiles reproduce every cited figure within 10 %, held-out errors reported",
          "[golden][accelerators][calibration]") {
  const auto figs = figures();
  std::map<std::string, Simulated> cache;  // one simulation per (profile, mode, model, scenario)
  size_t fit = 0, held_out = 0;
  std::printf("%-18s %-8s %-14s %-14s %-17s %10s %10s %7s %s\n", "profile", "mode", "model", "scenario", "metric",
              "published", "simulated", "error", "role");
  for (const Figure& f : figs) {
    const std::string key = f.profile + "/" + f.mode + "/" + f.model + "/" + f.scenario;
    if (!cache.count(key)) {
      TempDir tmp;
      cache[key] = simulate(f, tmp);
    }
    const double got = simulated_value(f, cache[key]);
    const double err = (got - f.value) / f.value;
    std::printf("%-18s %-8s %-14s %-14s %-17s %10.4g %10.4g %+6.1f%% %s\n", f.profile.c_str(), f.mode.c_str(),
                f.model.c_str(), f.scenario.c_str(), f.metric.c_str(), f.value, got, 100 * err, f.role.c_str());
    INFO(key << " " << f.metric << ": published " << f.value << ", simulated " << got << " (" << f.source << ")");
    if (f.role == "fit") {
      CHECK(std::abs(err) <= 0.10);
      ++fit;
    } else {
      REQUIRE(f.role == "held_out");
      ++held_out;
    }
  }
  // The minimum: four devices, two power modes on AGX Orin, and some held-out figures.
  CHECK(fit >= 12);
  CHECK(held_out >= 4);
  std::map<std::string, std::set<std::string>> modes;
  for (const Figure& f : figs)
    if (f.role == "fit") modes[f.profile].insert(f.mode);
  CHECK(modes.size() >= 4);
  CHECK(modes["jetson_agx_orin"].size() >= 2);
}
