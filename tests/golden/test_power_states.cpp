// Golden tests of the host power-state machine (off → booting → on → shutting-down → off) through
// `events:` on a host that declares boot and shutdown times and powers: energy and carbon against
// hand computation, work sent to a booting host waits for it, and the accounting invariant
// holds through every transition. Relative tolerance 1e-9.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

const char* kPlatform =
    "name: g\nhosts:\n"
    "  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", power_off: 1, region: Z,\n"
    "     boot: {time: 60s, power: 25}, shutdown: {time: 30s, power: 15}}\n"
    "  - {name: dev, cores: 1, speed: 1Gf, power: \"0:0\", region: Z}\n"
    "links:\n  - {name: l, bandwidth: 1Gbps, latency: 0, power: \"0:0\", region: Z}\n"
    "network:\n  attach: {h: l, dev: l}\n";

std::string experiment(const std::string& request_at) {
  return "name: golden\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  traces: {Z: {file: z.csv}}\n"
         "models:\n  - {name: block, gmacs: 0.5, input_elems: 0, output_elems: 0}\n"
         "workload: {type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, start: " +
         request_at + ", model: block, source: dev}\n"
         "policies:\n  p: {type: monolithic, host: h}\n"
         "events:\n  - {at: 10min, host: h, state: off}\n  - {at: 20min, host: h, state: on}\n";
}

}  // namespace

TEST_CASE("power states: shutdown and boot draw their own power for their duration", "[golden][power]") {
  TempDir tmp;
  tmp.file("platform.yaml", kPlatform);
  // 100 g/kWh until 15 min, 300 after: the change falls inside the off period.
  tmp.file("z.csv", "timestamp,value\n0,100\n900,300\n3600,300\n");
  // The request arrives at 1210 s, while h boots (1200–1260 s): it waits, then runs 1 s.
  auto exp = tmp.file("exp.yaml", experiment("1210s"));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/p/summary.json");
  // [0,600) on idle 10 W; [600,630) shutting down 15 W; [630,1200) off 1 W; [1200,1260) booting
  // 25 W; [1260,1261) busy 30 W; [1261,3600) idle 10 W.
  const double e_before = 10 * 600.0 + 15 * 30 + 1 * (900 - 630);             // up to 15 min at 100
  const double e_after = 1 * (1200 - 900) + 25 * 60 + 30 * 1 + 10 * (3600 - 1261.0);  // at 300
  CHECK(rel_err(s["energy_j"], e_before + e_after) < 1e-9);
  CHECK(rel_err(s["carbon_g"], (e_before * 100 + e_after * 300) / 3.6e6) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], 20.0) < 1e-9);
  CHECK(rel_err(s["idle_energy_j"], e_before + e_after - 20) < 1e-9);
  CHECK(s["requests_completed"] == 1);
  CHECK(rel_err(s["latency_ms"]["mean"], (1261 - 1210) * 1e3) < 1e-9);
}

TEST_CASE("power states: a request running when the host shuts down fails, accounting stays exact",
          "[golden][power]") {
  TempDir tmp;
  tmp.file("platform.yaml", kPlatform);
  tmp.file("z.csv", "timestamp,value\n0,200\n3600,200\n");
  auto exp = tmp.file("exp.yaml", experiment("599.5s"));  // runs 599.5–600.5: cut at 600
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/p/summary.json");
  CHECK(s["requests_failed"] == 1);
  CHECK(rel_err(s["dynamic_energy_j"], 20 * 0.5) < 1e-9);  // half a second at 30 − 10 W
  CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
  const double e = 10 * 599.5 + 30 * 0.5 + 15 * 30 + 1 * 570 + 25 * 60 + 10 * (3600 - 1260.0);
  CHECK(rel_err(s["energy_j"], e) < 1e-9);
}

TEST_CASE("power states: sleep draws its power, waking takes wake_time at idle, then work runs", "[golden][power]") {
  TempDir tmp;
  tmp.file("platform.yaml",
           "name: g\nhosts:\n"
           "  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", power_off: 1, region: Z,\n"
           "     sleep: {power: 3, wake_time: 5s}}\n"
           "  - {name: dev, cores: 1, speed: 1Gf, power: \"0:0\", region: Z}\n"
           "links:\n  - {name: l, bandwidth: 1Gbps, latency: 0, power: \"0:0\", region: Z}\n"
           "network:\n  attach: {h: l, dev: l}\n");
  tmp.file("z.csv", "timestamp,value\n0,200\n3600,200\n");
  std::string exp = experiment("1210s");
  exp.replace(exp.find("state: off"), 10, "state: sleep");
  auto path = tmp.file("exp.yaml", exp);
  auto r = run_cli("run " + path + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/p/summary.json");
  // [0,600) idle 10 W; [600,1200) asleep 3 W; [1200,1205) waking at idle 10 W; the request sent at
  // 1210 runs 1210–1211 at 30 W; idle 10 W to 3600.
  const double e = 10 * 600.0 + 3 * 600 + 10 * 5 + (1210 - 1205) * 10 + 30 * 1 + 10 * (3600 - 1211.0);
  CHECK(rel_err(s["energy_j"], e) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], 20.0) < 1e-9);
  CHECK(rel_err(s["idle_energy_j"], e - 20) < 1e-9);
  CHECK(rel_err(s["latency_ms"]["mean"], 1000) < 1e-9);
}
