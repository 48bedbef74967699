// Golden tests for fan-out plans (the ensemble policy): two members run at once on two hosts, the
// head combines at a third; latency is the slower member's plus the head's, energy every part's,
// by hand. A member down: the other answers alone; a member failing mid-request fails it.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// d (source) and m1, m2, h: 1 Gf (one MAC = 2 ns), 10 W idle, 30 W busy; every host on a 0.5-ms
// arm of one star, so any two talk in 1 ms (the models ship nothing: latency only).
const char* kPlatform =
    "name: star\n"
    "hosts:\n"
    "  - {name: d, cores: 1, speed: 1Gf, power: \"2:4\", region: Z, attach: {bandwidth: 1GBps, latency: 0.5ms}}\n"
    "  - {name: m1, cores: 1, speed: 1Gf, power: \"10:30\", region: Z, attach: {bandwidth: 1GBps, latency: 0.5ms}}\n"
    "  - {name: m2, cores: 1, speed: 1Gf, power: \"10:30\", region: Z, attach: {bandwidth: 1GBps, latency: 0.5ms}}\n"
    "  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z, attach: {bandwidth: 1GBps, latency: 0.5ms}}\n";

// One request at t = 0 for model b, which the ensemble serves (family `mel`): members a (1 GMAC: 2 s) on m1, b (2 GMAC: 4 s) on m2,
// head c (0.5 GMAC: 1 s) on h; top-1 70 % with one member, 75 % with both.
std::string experiment(const std::string& extra) {
  return "name: ens\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  static: {Z: 100}\n"
         "models:\n"
         "  - {name: a, family: mel, gmacs: 1, input_elems: 0, output_elems: 0}\n"
         "  - {name: b, family: mel, gmacs: 2, input_elems: 0, output_elems: 0}\n"
         "  - {name: c, family: mel, gmacs: 0.5, input_elems: 0, output_elems: 0}\n"
         "workload:\n  type: closed_loop\n  clients: 1\n  think_time: 0\n  requests_per_client: 1\n"
         "  model: b\n  source: d\n"
         "policies:\n  ens:\n    type: ensemble\n    service: b\n"
         "    members: [{host: m1, model: a}, {host: m2, model: b}]\n"
         "    head: {host: h, model: c}\n    accuracy: [70, 75]\n" +
         extra;
}

nlohmann::json run(const TempDir& tmp, const std::string& extra) {
  tmp.file("platform.yaml", kPlatform);
  auto exp = tmp.file("exp.yaml", experiment(extra));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  return read_json(tmp / "out/ens/summary.json");
}

void check_invariant(const nlohmann::json& s) {
  CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
}

}  // namespace

TEST_CASE("ensemble: members run at once, the head combines, latency and energy by hand", "[golden][ensemble]") {
  TempDir tmp;
  auto s = run(tmp, "");
  // Input to m1 and m2 by 0.001; a runs [0.001, 2.001), b [0.001, 4.001); their outputs reach h at
  // 2.002 and 4.002; c runs [4.002, 5.002); the result is back at d at 5.003.
  CHECK(s["requests_completed"] == 1);
  CHECK(s["latency_ms"]["max"].get<double>() == Approx(5003).epsilon(1e-9));
  CHECK(rel_err(s["dynamic_energy_j"], 20 * (2 + 4 + 1.0)) < 1e-9);
  CHECK(s["per_model"]["c@2"]["requests"] == 1);
  CHECK(s["mean_top1"].get<double>() == 75);
  const double end = 3600;  // the run lasts its hour
  CHECK(rel_err(s["per_host"]["m2"]["energy_j"], 10 * end + 20 * 4.0) < 1e-9);
  CHECK(rel_err(s["per_host"]["h"]["energy_j"], 10 * end + 20 * 1.0) < 1e-9);
  check_invariant(s);
}

TEST_CASE("ensemble: with a member down the other answers through its own exit", "[golden][ensemble]") {
  TempDir tmp;
  auto s = run(tmp, "events:\n  - {at: 0s, host: m2, state: off}\n");
  // a on m1: input at 0.001, runs [0.001, 2.001), result back at 2.002.
  CHECK(s["requests_completed"] == 1);
  CHECK(s["latency_ms"]["max"].get<double>() == Approx(2002).epsilon(1e-9));
  CHECK(rel_err(s["dynamic_energy_j"], 20 * 2.0) < 1e-9);
  CHECK(s["per_model"]["c@1"]["requests"] == 1);
  CHECK(s["mean_top1"].get<double>() == 70);
  check_invariant(s);
}

TEST_CASE("ensemble: a member failing mid-request fails the request, its work still counted", "[golden][ensemble]") {
  TempDir tmp;
  tmp.file("outages.csv", "down,up\n2023-01-01T00:00:03Z,2023-01-01T00:10:00Z\n");
  auto s = run(tmp, "failures:\n  - {host: m2, trace: outages.csv}\n");
  // a completes [0.001, 2.001) and waits at h; b runs [0.001, 3) and fails with m2.
  CHECK(s["requests_failed"] == 1);
  CHECK(s["requests_completed"] == 0);
  CHECK(rel_err(s["dynamic_energy_j"], 20 * (2 + 2.999)) < 1e-9);
  check_invariant(s);
}
