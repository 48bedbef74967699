// geo-carbon end to end: a golden run whose energy follows by hand through a server switched off
// (shutdown time and power, then off power), and a day of the central-European testbed where it
// must keep the SLOs nearest keeps (but for rare bursts), emit no more than carbon-greedy, and keep the accounting
// invariants (Σ per-request dynamic = total − idle; every request accounted for).
#include <catch2/catch.hpp>

#include <cmath>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// Users and a server in a dirty zone (D, 500 g/kWh), a second server 300 km away in a clean one
// (C, 50). Servers: 1 core, 1 Gf, 100 W idle / 200 W busy, shutdown 20 s at 150 W, 5 W off.
const char* kPlatform =
    "name: two\ndefault_region: D\nnetwork: {distance: {}}\n"
    "sites:\n"
    "  - {name: d, lat: 50.0, lon: 8.0, region: D, uplink: {bandwidth: 1Gbps, latency: 1ms}, hosts: [\n"
    "      {name: users, cores: 1, speed: 1Gf, power: \"10:15\", attach: {bandwidth: 1Gbps, latency: 1ms}},\n"
    "      {name: d-srv, cores: 1, speed: 1Gf, power: \"100:200\", power_off: 5, shutdown: {time: 20s, power: 150},\n"
    "       attach: {bandwidth: 1Gbps, latency: 1ms}}]}\n"
    "  - {name: c, lat: 50.0, lon: 12.2, region: C, uplink: {bandwidth: 1Gbps, latency: 1ms}, hosts: [\n"
    "      {name: c-srv, cores: 1, speed: 1Gf, power: \"100:200\", power_off: 5, shutdown: {time: 20s, power: 150},\n"
    "       attach: {bandwidth: 1Gbps, latency: 1ms}}]}\n";

// One request of 0.9 GMAC (1.8 s) at t = 1 s, no bytes; the plan's first solve at 10 s.
const char* kExperiment =
    "name: golden\nseed: 1\nplatform: platform.yaml\n"
    "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  traces: {D: {file: d.csv}, C: {file: c.csv}}\n"
    "models:\n  - {name: block, gmacs: 0.9, input_elems: 0, output_elems: 0}\n"
    "workload: {type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, start: 1s, "
    "model: block, source: users, slo: 5s}\n"
    "policies:\n  geo: {type: geo-carbon, hosts: ['*-srv'], warmup: 10s}\n";

}  // namespace

TEST_CASE("geo-carbon golden: the dirty server goes off at the first solve, energy and carbon by hand",
          "[e2e][geo][golden]") {
  TempDir tmp;
  tmp.file("platform.yaml", kPlatform);
  tmp.file("d.csv", "timestamp,value\n0,500\n3600,500\n");
  tmp.file("c.csv", "timestamp,value\n0,50\n3600,50\n");
  const std::string exp = tmp.file("exp.yaml", kExperiment);
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/geo/summary.json");
  REQUIRE(s["requests_completed"] == 1);
  // The request runs on the clean server (all on before the solve): 1.8 s at 100 W over idle.
  CHECK(s["per_host"]["c-srv"]["tasks"] == 1);
  const double T = 3600;
  const double c_srv = 100 * T + 100 * 1.8;
  // The dirty one: idle until 10 s, shutting down 20 s at 150 W, then off at 5 W.
  const double d_srv = 100 * 10 + 150 * 20 + 5 * (T - 30);
  CHECK(rel_err(s["per_host"]["c-srv"]["energy_j"].get<double>(), c_srv) < 1e-9);
  CHECK(rel_err(s["per_host"]["d-srv"]["energy_j"].get<double>(), d_srv) < 1e-9);
  CHECK(rel_err(s["per_host"]["d-srv"]["carbon_g"].get<double>(), d_srv / 3.6e6 * 500) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"].get<double>(), 180.0) < 1e-9);
  // Σ per-request dynamic = total − idle.
  CHECK(rel_err(s["energy_j"].get<double>() - s["idle_energy_j"].get<double>(), 180.0) < 1e-9);
  const double users = 10 * T;
  CHECK(rel_err(s["energy_j"].get<double>(), c_srv + d_srv + users) < 1e-9);
  CHECK(rel_err(s["carbon_g"].get<double>(), (c_srv * 50 + (d_srv + users) * 500) / 3.6e6) < 1e-9);
}

TEST_CASE("geo-carbon on a day of the central-European testbed: SLOs kept, carbon <= carbon-greedy",
          "[e2e][geo]") {
  TempDir tmp;
  const std::string exp = std::string(CE_TEST_SOURCE_DIR) + "/experiments/geo_central_europe.yaml";
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") +
                       " -q --set carbon.duration=1d --set output.requests=true --policies nearest,carbon-greedy,geo-carbon",
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto nearest = read_json(tmp / "out/nearest/summary.json");
  auto greedy = read_json(tmp / "out/carbon-greedy/summary.json");
  auto geo = read_json(tmp / "out/geo-carbon/summary.json");
  const double arrived = geo["requests_arrived"].get<double>();
  const long nearest_late = std::lround(nearest["slo_violation_rate"].get<double>() * arrived);
  const long geo_late = std::lround(geo["slo_violation_rate"].get<double>() * arrived);
  CHECK(nearest_late == 0);
  // The experiment has geo-carbon plan every stream only where its SLO holds with each transfer
  // sharing its links with three others (link_sharing: 3): with the default two, bursts of three
  // inputs on the Jetson's 1 Gbps arm made 8 of 3.02 M late over the week (docs/reproductions.md
  // §e). Carbon-greedy, which plans on an idle network, has thousands.
  CHECK(geo_late <= nearest_late);
  CHECK(geo_late < std::lround(greedy["slo_violation_rate"].get<double>() * arrived) / 100);
  CHECK(geo["carbon_g"].get<double>() <= greedy["carbon_g"].get<double>());
  CHECK(geo["carbon_g"].get<double>() < 0.2 * nearest["carbon_g"].get<double>());  // servers switched off
  CHECK(geo["requests_arrived"] == nearest["requests_arrived"]);
  CHECK(geo["requests_completed"] == geo["requests_arrived"]);
  // Σ per-request dynamic energy (requests.csv) = total − idle, through the power actions.
  auto rows = read_csv_rows(tmp / "out/geo-carbon/requests.csv");
  const size_t col = column(rows[0], "dynamic_energy_j");
  double sum = 0;
  for (size_t i = 1; i < rows.size(); ++i) sum += std::stod(rows[i][col]);
  CHECK(rows.size() - 1 == geo["requests_arrived"].get<size_t>());
  const double dyn = geo["energy_j"].get<double>() - geo["idle_energy_j"].get<double>();
  CHECK(std::abs(sum - dyn) <= 1e-6 * dyn + 1e-6 * (rows.size() - 1));  // requests.csv rounds each value
}
