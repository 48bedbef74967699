// Golden tests of the energy model on what the single-core golden tests cannot see: multi-core
// hosts (SimGrid's Epsilon against the YAML's one-core power), an initial pstate other than 0,
// transfers (time and link energy), and the accounting invariant
//   Σ per-request dynamic energy (and carbon) = Σ consumers (total − idle)
// on random loads over hosts with 1, 2, 4 and 8 cores, with pstate and on/off events.
// Hand computations use the docs' formula with the one-core power, P(k) = one + (k − 1)(all −
// one)/(C − 1), not the code's Epsilon form. Relative tolerance 1e-9.
#include <catch2/catch.hpp>

#include <map>

#include "../support/cli_harness.hpp"
#include "config/platform_spec.hpp"

using namespace cetest;

namespace {

std::string experiment(const std::string& workload, const std::string& policy, const std::string& duration,
                       const std::string& extra = "") {
  return "name: golden\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: " + duration + "\n  static: {Z: 250}\n"
         "models:\n  - {name: block, gmacs: 1800, input_elems: 0, output_elems: 0}\n"
         "  - {name: small, gmacs: 0.5, input_elems: 250000, output_elems: 25000}\n"
         "workload: " + workload + "\npolicies:\n  p: " + policy + "\noutput: {stages: true}\n" + extra;
}

CliResult run_in(const TempDir& tmp, const std::string& exp) {
  auto path = tmp.file("exp.yaml", exp);
  return run_cli("run " + path + " --out " + (tmp / "out") + " --quiet", tmp);
}

double one_core_formula(double one, double all, int cores, int k) {
  return cores == 1 ? all : one + (k - 1) * (all - one) / (cores - 1);
}

}  // namespace

TEST_CASE("a 4-core host with 3 busy cores draws the one-core formula's power, split 3 ways", "[golden][energy]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: g\nhosts:\n  - {name: h, cores: 4, speed: 1Gf, power: \"10:30:70\", region: Z}\n");
  // Three clients send one 1800-GMAC request each at t = 0: three cores busy for 3600 s, then idle.
  auto r = run_in(tmp, experiment("{type: closed_loop, clients: 3, think_time: 0, requests_per_client: 1, "
                                  "model: block, source: h}",
                                  "{type: monolithic, host: h}", "2h"));
  REQUIRE(r.rc == 0);
  const double p3 = one_core_formula(30, 70, 4, 3);  // 56.67 W
  auto s = read_json(tmp / "out/p/summary.json");
  CHECK(rel_err(s["energy_j"], p3 * 3600 + 10 * 3600) < 1e-9);
  CHECK(rel_err(s["idle_energy_j"], 10 * 7200.0) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], (p3 - 10) * 3600) < 1e-9);
  CHECK(rel_err(s["dynamic_carbon_g"], (p3 - 10) * 3600 * 250 / 3.6e6) < 1e-9);
  auto rows = read_csv_rows(tmp / "out/p/requests.csv");
  REQUIRE(rows.size() == 4);
  for (size_t i = 1; i < rows.size(); ++i)
    CHECK(rel_err(std::stod(rows[i][column(rows[0], "dynamic_energy_j")]), (p3 - 10) * 3600 / 3) < 1e-9);
}

TEST_CASE("a 2-core host given as idle:all draws SimGrid's idle + load × (all − idle)", "[golden][energy]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: g\nhosts:\n  - {name: h, cores: 2, speed: 1Gf, power: \"20:61\", region: Z}\n");
  auto r = run_in(tmp, experiment("{type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, "
                                  "model: block, source: h}",
                                  "{type: monolithic, host: h}", "2h"));
  REQUIRE(r.rc == 0);
  const double p1 = 20 + 0.5 * (61 - 20);  // one of two cores busy
  auto s = read_json(tmp / "out/p/summary.json");
  CHECK(rel_err(s["energy_j"], p1 * 3600 + 20 * 3600) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], (p1 - 20) * 3600) < 1e-9);
}

TEST_CASE("a host that starts in pstate 1 pays pstate 1's idle power from t = 0", "[golden][energy]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: g\nhosts:\n  - {name: h, cores: 2, speed: [1Gf, 0.5Gf], "
                            "power: [\"10:30\", \"5:12\"], pstate: 1, region: Z}\n");
  auto r = run_in(tmp, experiment("{type: poisson, rate: 1e-12, model: block, source: h}",
                                  "{type: monolithic, host: h}", "3h"));
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/p/summary.json");
  CHECK(s["requests_arrived"] == 0);
  CHECK(rel_err(s["energy_j"], 5.0 * 3 * 3600) < 1e-9);
  CHECK(rel_err(s["idle_energy_j"], 5.0 * 3 * 3600) < 1e-9);
  // Nothing completed: no per-inference figure (null, an empty CSV cell), never a "free" 0.
  CHECK(s["gco2_per_inference"].is_null());
  CHECK(s["dynamic_gco2_per_inference"].is_null());
  CHECK(s["mean_top1"].is_null());
  auto cmp = read_csv_rows(tmp / "out/comparison.csv");
  CHECK(cmp[1][column(cmp[0], "gco2_per_inference")].empty());
  CHECK(cmp[1][column(cmp[0], "inferences_per_gco2")] == "0.0");
}

TEST_CASE("a lone transfer takes latency + bytes / bandwidth, as predicted, and its links' energy is exact",
          "[golden][energy]") {
  TempDir tmp;
  // a --La--> router --Lb--> b: route latency 15 ms, bottleneck 1e6 B/s (La).
  tmp.file("platform.yaml",
           "name: g\nhosts:\n"
           "  - {name: a, cores: 1, speed: 1Mf, power: \"1:2\", region: Z}\n"
           "  - {name: b, cores: 4, speed: 1Gf, power: \"10:30:70\", region: Z}\n"
           "links:\n"
           "  - {name: La, bandwidth: 8Mbps, latency: 10ms, power: \"2:5\", region: Z}\n"
           "  - {name: Lb, bandwidth: 32Mbps, latency: 5ms, power: \"1:3\", region: Z}\n"
           "network:\n  attach: {a: La, b: Lb}\n");
  auto r = run_in(tmp, experiment("{type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, "
                                  "model: small, source: a}",
                                  "{type: latency-first, max_stages: 1}", "1h"));
  REQUIRE(r.rc == 0);
  // Input 250,000 fp32 = 1e6 B; result 25,000 fp32 = 1e5 B; 0.5 GMAC = 1 s on b.
  const double in_s = 0.015 + 1e6 / 1e6, exec_s = 1.0, out_s = 0.015 + 1e5 / 1e6;
  // latency-first's prediction goes through PlatformSpec::transfer_time: the same numbers.
  ce::PlatformSpec plat = ce::load_platform(tmp / "platform.yaml");
  CHECK(rel_err(plat.transfer_time(0, 1, 1e6), in_s) < 1e-12);
  CHECK(rel_err(plat.transfer_time(1, 0, 1e5), out_s) < 1e-12);

  auto st = read_csv_rows(tmp / "out/p/stages.csv");
  REQUIRE(st.size() == 4);  // header, transfer in, exec on b, transfer back
  const auto& h = st[0];
  auto dur = [&](size_t i) { return std::stod(st[i][column(h, "end_s")]) - std::stod(st[i][column(h, "start_s")]); };
  CHECK(st[1][column(h, "kind")] == "transfer");
  CHECK(st[1][column(h, "where")] == "La;Lb");
  CHECK(rel_err(dur(1), in_s) < 1e-9);
  CHECK(st[2][column(h, "kind")] == "exec");
  CHECK(st[2][column(h, "where")] == "b");
  CHECK(rel_err(dur(2), exec_s) < 1e-9);
  CHECK(rel_err(dur(3), out_s) < 1e-9);
  auto req = read_csv_rows(tmp / "out/p/requests.csv");
  CHECK(rel_err(std::stod(req[1][column(req[0], "latency_ms")]), (in_s + exec_s + out_s) * 1e3) < 1e-9);

  // Link energy: idle × span + (busy − idle) × bytes / bandwidth for each transfer.
  const double span = 3600, bytes = 1.1e6;
  auto s = read_json(tmp / "out/p/summary.json");
  const double la = 2 * span + 3 * bytes / 1e6, lb = 1 * span + 2 * bytes / 4e6;
  CHECK(rel_err(s["per_link"]["La"]["energy_j"], la) < 1e-9);
  CHECK(rel_err(s["per_link"]["Lb"]["energy_j"], lb) < 1e-9);
  CHECK(rel_err(std::stod(st[1][column(h, "dynamic_energy_j")]), (3 / 1e6 + 2 / 4e6) * 1e6) < 1e-9);
  // The request's dynamic energy: b's share (one of 4 cores busy for 1 s) plus both transfers.
  const double exec_j = (30 - 10) * exec_s;
  CHECK(rel_err(s["dynamic_energy_j"], exec_j + 3 * bytes / 1e6 + 2 * bytes / 4e6) < 1e-9);
}

// Random loads on hosts with 1, 2, 4 and 8 cores behind links, a pstate change and a host turned
// off and on (its running stages fail): Σ per-request dynamic = total − idle, per host, per link
// and in the summary, at every load level.
TEST_CASE("accounting invariant: per-request dynamic energy and carbon sum to total − idle", "[golden][energy]") {
  const char* platform =
      "name: inv\nhosts:\n"
      "  - {name: dev, cores: 1, speed: 1Gf, power: \"2:4\", region: Z}\n"
      "  - {name: c1, cores: 1, speed: 2Gf, power: \"5:12\", region: Z}\n"
      "  - {name: c2, cores: 2, speed: [2Gf, 1Gf], power: [\"8:14:20\", \"6:9:12\"], region: Y}\n"
      "  - {name: c4, cores: 4, speed: 2Gf, power: \"41.5:56:96\", power_off: 1, region: Z}\n"
      "  - {name: c8, cores: 8, speed: 1Gf, power: \"50:70:150\", region: Y}\n"
      "links:\n"
      "  - {name: l-dev, bandwidth: 100Mbps, latency: 2ms, power: \"0.5:1.5\"}\n"
      "  - {name: l-c1, bandwidth: 1Gbps, latency: 1ms, power: \"0.3:0.6\"}\n"
      "  - {name: l-c2, bandwidth: 1Gbps, latency: 1ms, power: \"0.3:0.6\"}\n"
      "  - {name: l-c4, bandwidth: 1Gbps, latency: 1ms, power: \"0.3:0.6\"}\n"
      "  - {name: l-c8, bandwidth: 1Gbps, latency: 1ms, power: \"0.3:0.6\"}\n"
      "network:\n  attach: {dev: l-dev, c1: l-c1, c2: l-c2, c4: l-c4, c8: l-c8}\n";
  for (double rate : {0.5, 3.0, 8.0})
    for (int seed : {1, 2}) {
      DYNAMIC_SECTION("rate " << rate << " seed " << seed) {
        TempDir tmp;
        tmp.file("platform.yaml", platform);
        tmp.file("y.csv", "timestamp,value\n0,300\n600,120\n1500,480\n2400,60\n7200,200\n36000,200\n");
        std::string exp =
            "name: inv\nseed: " + std::to_string(seed) + "\nplatform: platform.yaml\n"
            "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 40min\n  static: {Z: 250}\n"
            "  traces: {Y: {file: y.csv}}\n"
            "models:\n  - {name: m, gmacs: 1, input_elems: 150000, output_elems: 1000}\n"
            "workload: {type: poisson, rate: " + std::to_string(rate) + ", model: m, source: dev}\n"
            "policies:\n  rr: {type: round-robin, hosts: [c1, c2, c4, c8]}\n"
            "output: {stages: true}\n"
            "events:\n  - {at: 7min, host: c2, pstate: 1}\n  - {at: 13min, host: c4, state: off}\n"
            "  - {at: 21min, host: c4, state: on}\n";
        auto r = run_in(tmp, exp);
        REQUIRE(r.rc == 0);
        auto s = read_json(tmp / "out/rr/summary.json");
        INFO(s.dump(1));
        CHECK(s["requests_completed"].get<double>() > 0);
        CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
        CHECK(rel_err(s["dynamic_carbon_g"], s["carbon_g"].get<double>() - s["idle_carbon_g"].get<double>()) < 1e-9);
        // Idle by hand: every host's idle power over the span, with c2's pstate change and c4 off.
        const double span = s["span_s"];
        const double idle = 2 * span + 5 * span + (8 * 420 + 6 * (span - 420)) + (41.5 * (span - 480) + 1 * 480) +
                            50 * span + (0.5 + 4 * 0.3) * span;
        CHECK(rel_err(s["idle_energy_j"], idle) < 1e-9);
        // Per consumer: Σ of its stages' (or transfers') energy = its total − idle.
        auto st = read_csv_rows(tmp / "out/rr/stages.csv");
        const auto& h = st[0];
        std::map<std::string, double> by_host, by_link;
        double failed_stages = 0, stage_sum = 0;
        for (size_t i = 1; i < st.size(); ++i) {
          const double e = std::stod(st[i][column(h, "dynamic_energy_j")]);
          stage_sum += e;
          if (st[i][column(h, "status")] == "failed") ++failed_stages;
          if (st[i][column(h, "kind")] == "exec") by_host[st[i][column(h, "where")]] += e;
        }
        for (const char* host : {"c1", "c2", "c4", "c8"}) {
          INFO(host);
          const auto& ph = s["per_host"][host];
          CHECK(rel_err(by_host[host], ph["dynamic_energy_j"].get<double>()) < 1e-9);
          CHECK(rel_err(ph["dynamic_energy_j"], ph["energy_j"].get<double>() - ph["idle_energy_j"].get<double>()) <
                1e-9);
        }
        CHECK(rel_err(stage_sum, s["dynamic_energy_j"]) < 1e-9);
        // Σ requests.csv dynamic (completed and failed) = the summary's dynamic energy and carbon.
        auto rq = read_csv_rows(tmp / "out/rr/requests.csv");
        double rj = 0, rg = 0;
        for (size_t i = 1; i < rq.size(); ++i) {
          rj += std::stod(rq[i][column(rq[0], "dynamic_energy_j")]);
          rg += std::stod(rq[i][column(rq[0], "dynamic_carbon_g")]);
        }
        CHECK(rel_err(rj, s["dynamic_energy_j"]) < 1e-9);
        CHECK(rel_err(rg, s["dynamic_carbon_g"]) < 1e-9);
        if (rate > 5) CHECK(failed_stages > 0);  // c4 went off under running stages
      }
    }
}

TEST_CASE("processor sharing: three stages on two cores share them and draw P(2)", "[golden][energy]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: g\nhosts:\n  - {name: h, cores: 2, speed: 1Gf, power: \"10:30:50\", "
                            "region: Z, scheduler: ps}\n");
  // Three 1-s requests (0.5 GMAC at 1 Gf) at t = 0: each runs at 2/3 of a core, all end at 1.5 s.
  auto r = run_in(tmp, "name: golden\nseed: 1\nplatform: platform.yaml\n"
                       "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  static: {Z: 250}\n"
                       "models:\n  - {name: s, gmacs: 0.5, input_elems: 0, output_elems: 0}\n"
                       "workload: {type: closed_loop, clients: 3, think_time: 0, requests_per_client: 1, "
                       "model: s, source: h}\n"
                       "policies:\n  p: {type: monolithic, host: h}\n");
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/p/summary.json");
  CHECK(rel_err(s["latency_ms"]["max"], 1500) < 1e-9);
  CHECK(rel_err(s["latency_ms"]["mean"], 1500) < 1e-9);
  CHECK(rel_err(s["energy_j"], 50 * 1.5 + 10 * (3600 - 1.5)) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], (50 - 10) * 1.5) < 1e-9);
  // FIFO on the same host: two run 0–1 s, the third 1–2 s.
  tmp.file("platform.yaml", "name: g\nhosts:\n  - {name: h, cores: 2, speed: 1Gf, power: \"10:30:50\", "
                            "region: Z, scheduler: fifo}\n");
  r = run_cli("run " + (tmp / "exp.yaml") + " --out " + (tmp / "out2") + " --quiet", tmp);
  REQUIRE(r.rc == 0);
  s = read_json(tmp / "out2/p/summary.json");
  CHECK(rel_err(s["latency_ms"]["max"], 2000) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], (50 - 10) * 1 + (30 - 10) * 1) < 1e-9);
}
