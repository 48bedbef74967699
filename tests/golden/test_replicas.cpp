// Golden tests for replicas (`replicas:`, host `replica:`): a cold replica is loaded before the
// first stage runs (latency + bytes / bandwidth at load power), a resident one draws hold power
// per GB while its host is on, a failure empties the memory so the next stage reloads. Energy and
// carbon against hand computation; Σ per-request dynamic = total − idle throughout.
#include <catch2/catch.hpp>

#include "../support/device_server.hpp"

using namespace cetest;

namespace {

// The device/server platform with replica costs on s: loads at 100 MB/s after 2 s, 20 W while
// loading, 5 W per GB resident; 4 GB of memory. The model `block` below has 250 M fp32 weights =
// 1 GB, so one load takes 2 + 1e9 / 1e8 = 12 s.
std::string platform() {
  std::string p = kDeviceServerPlatform;
  const std::string s_host = "power_off: 1, region: Z}";
  p.replace(p.find(s_host), s_host.size(),
            "power_off: 1, region: Z, memory: 4GB,\n"
            "     replica: {load_bandwidth: 100MBps, load_latency: 2s, load_power: 20, hold_power_per_gb: 5}}");
  return p;
}

std::string experiment(const std::string& state, const std::string& extra) {
  std::string e = two_blocks_on_server("replicas:\n  - {host: s, model: block, state: " + state + "}\n" + extra);
  const std::string m = "{name: block, gmacs: 900,";
  e.replace(e.find(m), m.size(), "{name: block, gmacs: 900, params: 250000000,");
  return e;
}

nlohmann::json run(const TempDir& tmp, const std::string& exp) {
  tmp.file("platform.yaml", platform());
  auto path = tmp.file("exp.yaml", exp);
  auto r = run_cli("run " + path + " --out " + (tmp / "out") + " --quiet", tmp);
  REQUIRE(r.rc == 0);
  return read_json(tmp / "out/mono/summary.json");
}

void check_invariant(const nlohmann::json& s) {
  CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
}

}  // namespace

TEST_CASE("replicas: a cold replica loads before the first stage, both requests wait for it", "[golden][replicas]") {
  TempDir tmp;
  auto s = run(tmp, experiment("cold", ""));
  // A reaches s at 0.001 and starts the load (12 s); B waits too. A runs [12.001, 1812.001), B
  // [1812.001, 3612.001); B's result is back at 3612.002, the end of the run.
  CHECK(s["requests_completed"] == 2);
  CHECK(s["replica_loads"] == 1);
  const double end = 3612.002;
  CHECK(rel_err(s["span_s"], end) < 1e-12);
  const double load = 20 * 12.0, hold = 5 * 1.0 * (end - 0.001);
  const double energy_s = 10 * end + 20 * 3600 + load + hold;
  CHECK(rel_err(s["per_host"]["s"]["energy_j"], energy_s) < 1e-9);
  CHECK(rel_err(s["replica_energy_j"], load + hold) < 1e-9);
  CHECK(rel_err(s["replica_carbon_g"], (load + hold) / 3.6e6 * 100) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], 20 * 3600.0) < 1e-9);  // loads and holds are no request's
  check_invariant(s);
}

TEST_CASE("replicas: a warm replica runs at once and draws hold power from the start", "[golden][replicas]") {
  TempDir tmp;
  auto s = run(tmp, experiment("warm", ""));
  CHECK(s["requests_completed"] == 2);
  CHECK(s["replica_loads"] == 0);
  const double end = 3600.002, hold = 5 * end;  // B's result back at 3600.002
  CHECK(rel_err(s["per_host"]["s"]["energy_j"], 10 * end + 20 * 3600 + hold) < 1e-9);
  CHECK(rel_err(s["replica_energy_j"], hold) < 1e-9);
  check_invariant(s);
}

TEST_CASE("replicas: a failure empties the memory, the queued request waits for the reload after the repair",
          "[golden][replicas]") {
  TempDir tmp;
  tmp.file("outages.csv", "down,up\n2023-01-01T00:15:00Z,2023-01-01T00:20:00Z\n");
  auto s = run(tmp, experiment("warm", "failures:\n  - {host: s, trace: outages.csv}\n"));
  // A runs [0.001, 900) and fails with s; the replica is lost. s is back at 1200 (no boot time),
  // B reloads it [1200, 1212) and runs [1212, 3012); its result is back at 3012.001; the run
  // lasts its hour.
  CHECK(s["requests_completed"] == 1);
  CHECK(s["requests_failed"] == 1);
  CHECK(s["replica_loads"] == 1);
  const double busy = (900 - 0.001) + 1800;
  const double load = 20 * 12.0, hold = 5 * (900 + (3600 - 1200));
  const double energy_s = 10 * (900 + 2400) + 1 * 300 + 20 * busy + load + hold;
  CHECK(rel_err(s["per_host"]["s"]["energy_j"], energy_s) < 1e-9);
  CHECK(rel_err(s["replica_energy_j"], load + hold) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], 20 * busy) < 1e-9);
  check_invariant(s);
}

TEST_CASE("replicas: a request placed where its model is absent is rejected", "[golden][replicas]") {
  TempDir tmp;
  std::string e = experiment("warm", "");
  const std::string r = "model: block, state: warm}";
  e.replace(e.find(r), r.size(), "model: other, state: warm}");
  const std::string m = "models:\n";
  e.replace(e.find(m), m.size(), "models:\n  - {name: other, gmacs: 1, params: 1000}\n");
  auto s = run(tmp, e);
  CHECK(s["requests_rejected"] == 2);
  CHECK(s["requests_completed"] == 0);
  CHECK(rel_err(s["replica_energy_j"], 5 * 4000e-9 * 3600) < 1e-9);  // other's 4 kB held for the hour
}
