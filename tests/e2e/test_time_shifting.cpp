// Time shifting of deferrable requests (workload `deadline:`, policy wait-awhile): a golden run
// against a hand computation, and the day-long experiment's claims (experiments/deferrable_day.yaml).
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// One single-core host h (1 Gf: one MAC = 2 ns; 10 W idle, 30 W busy) in zone Z, whose intensity
// is 300, 100, 50, 400, 400 g/kWh in hours 0..4 (the last row holds one more hour: data to 5 h).
// One request of 0.9 GMAC (1.8 s) at t = 0 from h, SLO 1 h, deadline 4 h; arrivals for 1 h.
std::string golden_experiment(const std::string& policy) {
  return "name: shift\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n"
         "  traces: {Z: {file: z.csv, format: generic}}\n"
         "models:\n  - {name: block, gmacs: 0.9, input_elems: 0, output_elems: 0}\n"
         "workload:\n  type: closed_loop\n  clients: 1\n  think_time: 0\n  requests_per_client: 1\n"
         "  model: block\n  source: h\n  slo: 1h\n  deadline: 4h\n"
         "policies:\n  p: " + policy + "\n";
}

}  // namespace

TEST_CASE("wait-awhile: one deferrable request by hand", "[e2e][shifting]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: golden\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n");
  tmp.file("z.csv", "timestamp,value\n0,300\n3600,100\n7200,50\n10800,400\n14400,400\n");
  const double dyn_j = 20 * 1.8;                          // (30 − 10) W × 1.8 s
  const double idle_j = 10 * 18000;                       // the span is 1 h + the 4 h deadline
  const double idle_g = 10 * 3600 * (300 + 100 + 50 + 400 + 400) / 3.6e6;
  struct Case {
    const char* policy;
    double run_at, intensity;
  };
  // monolithic runs it at once (300 g/kWh); wait-awhile at 2 h, the cleanest hour (50) that starts
  // before the latest start 4 h − 1.8 s (hours 1 and 3 cost 100 and 400).
  for (const Case& c : {Case{"{type: monolithic, host: h}", 0, 300}, Case{"{type: wait-awhile, host: h}", 7200, 50}}) {
    INFO(c.policy);
    const std::string exp = tmp.file("exp.yaml", golden_experiment(c.policy));
    fs::remove_all(tmp / "out");
    auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q --data-root " + data_root(), tmp);
    INFO(r.err);
    REQUIRE(r.rc == 0);
    auto s = read_json(tmp / "out/p/summary.json");
    CHECK(s["span_s"].get<double>() == 18000);
    CHECK(s["requests_completed"] == 1);
    CHECK(s["deferrable_completed"] == 1);
    CHECK(s["deadline_violations"] == 0);
    CHECK(s["dynamic_energy_j"].get<double>() == Approx(dyn_j).epsilon(1e-9));
    CHECK(s["energy_j"].get<double>() == Approx(idle_j + dyn_j).epsilon(1e-9));
    CHECK(s["dynamic_carbon_g"].get<double>() == Approx(dyn_j * c.intensity / 3.6e6).epsilon(1e-9));
    CHECK(s["carbon_g"].get<double>() == Approx(idle_g + dyn_j * c.intensity / 3.6e6).epsilon(1e-9));
    CHECK(s["deferrable_latency_ms"]["max"].get<double>() == Approx((c.run_at + 1.8) * 1e3).epsilon(1e-9));
    CHECK(s["slo_violation_rate"].is_null());  // no request without a deadline
  }
}

TEST_CASE("wait-awhile on a day of deferrable photo indexing: less dynamic carbon, deadlines and SLOs kept",
          "[e2e][shifting]") {
  TempDir tmp;
  const std::string exp = source_dir() + "/experiments/deferrable_day.yaml";
  auto r = run_cli("run " + exp + " --out " + (tmp / "a") + " -q --data-root " + data_root() +
                       " --set carbon.duration=6h --set output.requests=false --set output.timeseries=false",
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto mono = read_json(tmp / "a/monolithic/summary.json");
  auto wait = read_json(tmp / "a/wait-awhile/summary.json");
  for (auto* s : {&mono, &wait}) {
    CHECK((*s)["span_s"].get<double>() == 6 * 3600 + 12 * 3600);  // the same span for both
    CHECK((*s)["requests_arrived"] == (*s)["requests_completed"]);
    CHECK((*s)["deadline_violations"] == 0);
    CHECK((*s)["deferrable_completed"].get<double>() > 30000);
    CHECK((*s)["slo_violation_rate"].get<double>() <= 0.001);
  }
  // Same work on the same host over the same span: the same energy; the deferred work ran in
  // cleaner hours.
  CHECK(wait["energy_j"].get<double>() == Approx(mono["energy_j"].get<double>()).epsilon(1e-9));
  CHECK(wait["dynamic_carbon_g"].get<double>() < 0.9 * mono["dynamic_carbon_g"].get<double>());
  CHECK(wait["carbon_g"].get<double>() < mono["carbon_g"].get<double>());
  CHECK(wait["deferrable_latency_ms"]["p50"].get<double>() > 3600e3);  // deferred by hours
  CHECK(mono["deferrable_latency_ms"]["max"].get<double>() < 1e3);     // run at once
}
