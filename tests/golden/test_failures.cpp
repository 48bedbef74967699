// Golden tests for `failures:` (seeded outage processes): a failure stops the host at once, the
// running request fails, the queued one waits for the repair; PowerOn/PowerOff during an outage
// only choose how the host comes back; energy against hand computation.
#include <catch2/catch.hpp>

#include "../support/device_server.hpp"

using namespace cetest;

namespace {

// The two 1800-s requests on s (tests/support/device_server.hpp); s fails every 15 min of up time
// for 5 min: down [900, 1200), [2100, 2400), [3300, 3600).
const char* kFailures = "failures:\n  - {host: s, ttf: {dist: fixed, value: 15min}, ttr: {dist: fixed, value: 5min}}\n";

nlohmann::json run_failures(const TempDir& tmp, const std::string& extra) {
  return run_on_device_server(tmp, two_blocks_on_server(kFailures + extra));
}

}  // namespace

TEST_CASE("failures: the running request fails, the queued one runs after the repair until the next failure",
          "[golden][failures]") {
  TempDir tmp;
  auto s = run_failures(tmp, "");
  // A runs [0.001, 900) and fails; B waits out the outage, runs [1200, 2100) and fails too.
  CHECK(s["requests_arrived"] == 2);
  CHECK(s["requests_failed"] == 2);
  CHECK(s["requests_completed"] == 0);
  const double busy = (900 - 0.001) + 900, off = 3 * 300;
  const double energy_s = 30 * busy + 1 * off + 10 * (3600 - busy - off);
  CHECK(rel_err(s["per_host"]["s"]["energy_j"], energy_s) < 1e-9);
  // Carbon at a constant 100 g/kWh; Σ per-request dynamic = total − idle (30 − 10 W while busy).
  CHECK(rel_err(s["carbon_g"], (energy_s + s["per_host"]["d"]["energy_j"].get<double>()) / 3.6e6 * 100) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], 20 * busy) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
}

TEST_CASE("failures: PowerOff during an outage keeps the host off after its repair; PowerOn brings it back",
          "[golden][failures]") {
  TempDir tmp;
  SECTION("switched off during the first outage: stays off, B never runs") {
    auto s = run_failures(tmp, "events:\n  - {at: 16min, host: s, state: off}\n");
    // A fails at 900 s; B is still queued on s when the run ends, and counted failed then.
    CHECK(s["requests_failed"] == 2);
    CHECK(s["requests_completed"] == 0);
    CHECK(s["requests_arrived"] == 2);
    auto rows = read_csv_rows(tmp / "out/mono/requests.csv");
    REQUIRE(rows.size() == 3);
    const size_t latency = column(rows[0], "latency_ms");
    CHECK((rows[1][latency] == "3600000.000" || rows[2][latency] == "3600000.000"));  // failed at the end
    const double busy = 900 - 0.001;
    CHECK(rel_err(s["per_host"]["s"]["energy_j"], 30 * busy + 10 * 0.001 + 1 * 2700) < 1e-9);
  }
  SECTION("switched off, then on again within the outage: back at the repair as without either") {
    auto s = run_failures(tmp, "events:\n  - {at: 16min, host: s, state: off}\n  - {at: 17min, host: s, state: on}\n");
    auto plain = run_failures(TempDir(), "");
    CHECK(s["requests_failed"] == 2);
    CHECK(rel_err(s["per_host"]["s"]["energy_j"], plain["per_host"]["s"]["energy_j"]) < 1e-12);
  }
}

TEST_CASE("failures: same seed, same outages; a site's process takes all its hosts down", "[golden][failures]") {
  TempDir tmp;
  const std::string host = ", cores: 1, speed: 1Gf, power: \"10:30\", power_off: 1, attach: {bandwidth: 1Gbps, latency: 1ms}}\n";
  tmp.file("platform.yaml", "name: sites\ndefault_region: Z\nsites:\n"
                            "  - name: east\n    uplink: {bandwidth: 1Gbps, latency: 1ms}\n    hosts:\n"
                            "      - {name: a" + host + "      - {name: b" + host +
                            "  - name: west\n    uplink: {bandwidth: 1Gbps, latency: 1ms}\n    hosts:\n"
                            "      - {name: c" + host);
  auto exp = [&](int seed) {
    return tmp.file("exp" + std::to_string(seed) + ".yaml",
                    "name: sites\nseed: " + std::to_string(seed) + "\nplatform: platform.yaml\n"
                    "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 6h\n  static: {Z: 100}\n"
                    "models:\n  - {name: block, gmacs: 0.001, input_elems: 0, output_elems: 0}\n"
                    "workload: {type: poisson, rate: 0.01, model: block, source: c}\n"
                    "policies:\n  mono: {type: monolithic, host: c}\n"
                    "failures:\n  - {site: east, ttf: {dist: weibull, shape: 0.8, scale: 1h}, "
                    "ttr: {dist: exponential, mean: 20min}}\n");
  };
  auto energy = [&](int seed, const std::string& out) {
    auto r = run_cli("run " + exp(seed) + " --out " + (tmp / out) + " --quiet", tmp);
    REQUIRE(r.rc == 0);
    auto s = read_json(tmp / (out + "/mono/summary.json"));
    return std::make_pair(s["per_host"]["a"]["energy_j"].get<double>(), s["per_host"]["b"]["energy_j"].get<double>());
  };
  const auto first = energy(7, "r1"), again = energy(7, "r2"), other = energy(8, "r3");
  CHECK(first == again);                 // deterministic per seed
  CHECK(first.first == first.second);    // a and b go down and up together
  CHECK(first.first < 10 * 6 * 3600.0);  // down for a while (1 W instead of 10 W idle)
  CHECK(first.first > 1 * 6 * 3600.0);
  CHECK(first != other);
}

TEST_CASE("failures: a recorded outage trace gives the same run as the process that drew those outages",
          "[golden][failures]") {
  TempDir tmp;
  auto drawn = run_failures(tmp, "");
  TempDir tmp2;
  tmp2.file("outages.csv", "down,up\n2023-01-01 00:15:00,2023-01-01 00:20:00\n"
                           "2023-01-01 00:35:00,2023-01-01 00:40:00\n2023-01-01 00:55:00,2023-01-01 02:00:00\n");
  auto traced = run_on_device_server(tmp2, two_blocks_on_server("failures:\n  - {host: s, trace: outages.csv}\n"));
  CHECK(traced["requests_failed"] == drawn["requests_failed"]);
  CHECK(rel_err(traced["per_host"]["s"]["energy_j"], drawn["per_host"]["s"]["energy_j"]) < 1e-12);
  // run.json lists the trace among the inputs.
  CHECK(slurp((tmp2 / "out/run.json")).find("outages.csv") != std::string::npos);
}

TEST_CASE("failures: a site's links draw nothing while the site is down", "[golden][failures]") {
  TempDir tmp;
  // Site st: server s on its arm (2 W), the site's uplink (3 W); the device d at the platform's
  // gateway on its own arm (1 W). The site is down [900, 1200) and [2100, 2400) ...: every 15 min
  // of up time for 5 min, three outages in the hour.
  tmp.file("platform.yaml",
           "name: sitep\n"
           "hosts:\n"
           "  - {name: d, cores: 1, speed: 1Gf, power: \"2:4\", region: Z, attach: {bandwidth: 1GBps, latency: 0.5ms, "
           "power: \"1:1\"}}\n"
           "sites:\n"
           "  - name: st\n    region: Z\n    uplink: {bandwidth: 1GBps, latency: 1ms, power: \"3:3\"}\n"
           "    hosts:\n"
           "      - {name: s, cores: 1, speed: 1Gf, power: \"10:30\", power_off: 1, attach: {bandwidth: 1GBps, "
           "latency: 0.5ms, power: \"2:2\"}}\n");
  std::string exp = two_blocks_on_server("failures:\n  - {site: st, ttf: {dist: fixed, value: 15min}, ttr: {dist: fixed, value: 5min}}\n");
  auto path = tmp.file("exp.yaml", exp);
  auto r = run_cli("run " + path + " --out " + (tmp / "out") + " --quiet", tmp);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/mono/summary.json");
  const double up = 3600 - 3 * 300;
  CHECK(rel_err(s["per_link"]["st-uplink"]["energy_j"], 3 * up) < 1e-12);
  CHECK(rel_err(s["per_link"]["s-link"]["energy_j"], 2 * up) < 1e-12);
  CHECK(rel_err(s["per_link"]["d-link"]["energy_j"], 1 * 3600.0) < 1e-12);  // not the site's
  CHECK(rel_err(s["per_link"]["st-uplink"]["carbon_g"], 3 * up / 3.6e6 * 100) < 1e-12);
  CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
}
