// Golden tests: energy and carbon from a full simulation (the real binary) against numbers computed
// by hand in the test. Relative tolerance 1e-9.
#include <catch2/catch.hpp>

#include <algorithm>

#include <cmath>
#include <fstream>
#include <sstream>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// One single-core host "h" (1 Gf, so one MAC = 2 ns at pstate 0) with the given power, region Z.
std::string one_host_platform(const std::string& power, const std::string& speed = "1Gf",
                              const std::string& extra = "") {
  return "name: golden\nhosts:\n  - {name: h, cores: 1, speed: " + speed + ", power: " + power +
         ", region: Z" + extra + "}\n";
}

// A closed loop of one client that sends exactly one request of `gmacs` GMAC at t = 0 from h to h.
std::string one_request_experiment(double gmacs, const std::string& duration, const std::string& carbon_extra,
                                   const std::string& events = "") {
  return "name: golden\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: " + duration + "\n" + carbon_extra +
         "models:\n  - {name: block, gmacs: " + std::to_string(gmacs) + ", input_elems: 0, output_elems: 0}\n"
         "workload:\n  type: closed_loop\n  clients: 1\n  think_time: 0\n  requests_per_client: 1\n"
         "  model: block\n  source: h\n"
         "policies:\n  mono: {type: monolithic, host: h}\n" + events;
}

}  // namespace

TEST_CASE("one host, constant load, constant intensity: carbon equals the hand computation", "[golden]") {
  TempDir tmp;
  // 1800 GMAC at 1 Gf with 2 flops per MAC = 3600 s busy, then 3600 s idle; 250 g/kWh throughout.
  tmp.file("platform.yaml", one_host_platform("\"10:30\""));
  auto exp = tmp.file("exp.yaml", one_request_experiment(1800, "2h", "  static: {Z: 250}\n"));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/mono/summary.json");
  const double energy = 30.0 * 3600 + 10.0 * 3600;  // busy hour at 30 W, idle hour at 10 W
  const double carbon = energy * 250 / 3.6e6;
  CHECK(rel_err(s["energy_j"], energy) < 1e-9);
  CHECK(rel_err(s["carbon_g"], carbon) < 1e-9);
  CHECK(s["requests_completed"] == 1);
  CHECK(rel_err(s["latency_ms"]["mean"], 3600e3) < 1e-9);
  // The request's dynamic share is the power above idle over its run: 20 W × 3600 s.
  CHECK(rel_err(s["dynamic_energy_j"], 20.0 * 3600) < 1e-9);
  // Per-request attribution sums to the total.
  // A completed request's total = its dynamic share (requests.csv) + the idle share per completed
  // request (summary.json): here the one request carries the whole run.
  auto rows = read_csv_rows(tmp / "out/mono/requests.csv");
  REQUIRE(rows.size() == 2);
  auto cell = [&](const char* c) {
    const auto& h = rows[0];
    const size_t k = static_cast<size_t>(std::find(h.begin(), h.end(), c) - h.begin());
    REQUIRE(k < h.size());
    return std::stod(rows[1][k]);
  };
  CHECK(rel_err(cell("dynamic_energy_j") + s["idle_share_per_request_j"].get<double>(), energy) < 1e-9);
  CHECK(rel_err(cell("dynamic_carbon_g") + s["idle_share_per_request_g"].get<double>(), carbon) < 1e-9);
}

TEST_CASE("busy across an intensity change: each hour is charged at its own intensity", "[golden]") {
  TempDir tmp;
  tmp.file("platform.yaml", one_host_platform("\"10:30\""));
  // Generic trace, seconds since start: 100 g/kWh for [0,1800), 400 for [1800,3600), 50 after.
  tmp.file("z.csv", "timestamp,value\n0,100\n1800,400\n3600,50\n5400,50\n");
  auto exp = tmp.file("exp.yaml", one_request_experiment(1350, "2h", "  traces: {Z: {file: z.csv}}\n"));
  // 1350 GMAC = 2700 s busy: 1800 s at 100, 900 s at 400; then idle 900 s at 400, 3600 s at 50.
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/mono/summary.json");
  const double carbon = (30 * 1800 * 100.0 + 30 * 900 * 400.0 + 10 * 900 * 400.0 + 10 * 3600 * 50.0) / 3.6e6;
  CHECK(rel_err(s["carbon_g"], carbon) < 1e-9);
  CHECK(rel_err(s["energy_j"], 30 * 2700.0 + 10 * 4500.0) < 1e-9);
  // The request's own dynamic carbon integrates the intensity over its run.
  CHECK(rel_err(s["dynamic_carbon_g"], (20 * 1800 * 100.0 + 20 * 900 * 400.0) / 3.6e6) < 1e-9);
}

TEST_CASE("a pstate switch in the middle of an intensity interval, then the host turned off", "[golden]") {
  TempDir tmp;
  tmp.file("platform.yaml", one_host_platform("[\"10:30\", \"5:12\"]", "[1Gf, 0.5Gf]", ", power_off: 1"));
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,200\n7200,300\n");
  auto exp = tmp.file("exp.yaml",
                      one_request_experiment(0.001, "3h", "  traces: {Z: {file: z.csv}}\n",
                                             "events:\n  - {at: 30min, host: h, pstate: 1}\n"
                                             "  - {at: 90min, host: h, state: off}\n"));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  REQUIRE(r.rc == 0);
  // The request (1 MMAC = 2 ms at 30 W) runs first; the rest of the first half hour is idle at 10 W.
  const double busy = 0.002;
  const double h0 = 30 * busy + 10 * (1800 - busy) + 5 * 1800;  // [0,1h): switch to pstate 1 at 30 min
  const double h1 = 5 * 1800 + 1 * 1800;                       // [1h,2h): off from 90 min at 1 W
  const double h2 = 1 * 3600.0;                                // [2h,3h): off
  auto rows = read_csv_rows(tmp / "out/mono/timeseries.csv");
  REQUIRE(rows.size() == 4);  // header + 3 hourly intervals of host h (no links)
  CHECK(rel_err(std::stod(rows[1][7]), h0) < 1e-9);
  CHECK(rel_err(std::stod(rows[2][7]), h1) < 1e-9);
  CHECK(rel_err(std::stod(rows[3][7]), h2) < 1e-9);
  auto s = read_json(tmp / "out/mono/summary.json");
  CHECK(rel_err(s["carbon_g"], (h0 * 100 + h1 * 200 + h2 * 300) / 3.6e6) < 1e-9);
}

TEST_CASE("an idle host over 48 h of the real GB 2023 trace", "[golden]") {
  TempDir tmp;
  // Zone GB: the manifest's real Electricity Maps file.
  std::string plat = "name: idle\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"7:9\", region: GB}\n";
  tmp.file("platform.yaml", plat);
  auto exp = tmp.file("exp.yaml",
                      "name: idle\nplatform: platform.yaml\n"
                      "carbon:\n  start: 2023-03-10T00:00:00Z\n  duration: 48h\n"
                      "  manifest: " + source_dir() + "/carbon_traces/manifest.yaml\n"
                      "workload: {type: poisson, rate: 1e-12, model: resnet18, source: h}\n"
                      "policies:\n  mono: {type: monolithic, host: h}\n");
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet --data-root " + data_root(), tmp);
  REQUIRE(r.rc == 0);
  // Hand computation from the raw CSV rows: Σ idle_W × 3600 × CI_h / 3.6e6 over 2023-03-10 00:00 .. +48 h.
  std::ifstream in(data_root() + "/carbon/GB/electricitymaps/GB_2023_hourly.csv");
  std::string line;
  std::getline(in, line);
  double expected = 0;
  int hours = 0;
  bool inside = false;
  while (std::getline(in, line) && hours < 48) {
    if (line.rfind("2023-03-10 00:00:00", 0) == 0) inside = true;
    if (!inside) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) f.push_back(x);
    expected += 7.0 * 3600 * std::stod(f[4]) / 3.6e6;  // column 4: Carbon Intensity (direct)
    ++hours;
  }
  REQUIRE(hours == 48);
  auto s = read_json(tmp / "out/mono/summary.json");
  CHECK(s["requests_completed"] == 0);
  CHECK(rel_err(s["energy_j"], 7.0 * 48 * 3600) < 1e-9);
  CHECK(rel_err(s["carbon_g"], expected) < 1e-9);
}
