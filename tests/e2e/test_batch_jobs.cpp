// Batch jobs (workload batch_job) under the time-shifting policies: a golden run against a hand
// computation, and random small instances on which the oracle bound (oracle_batch_carbon_g) is at
// most every policy's batch carbon and the oracle policy meets it.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <random>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

const char* kPolicies[] = {"carbon-agnostic", "wait-awhile", "carbon-scaler", "lacs", "oracle"};

std::string experiment(const std::string& job, const std::string& duration = "1h", const std::string& platform = "platform.yaml") {
  std::string e = "name: batch\nseed: 1\nplatform: " + platform + "\n"
                  "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: " + duration + "\n"
                  "  traces: {Z: {file: z.csv, format: generic}}\n"
                  "models:\n  - {name: block, gmacs: 0.9, input_elems: 0, output_elems: 0}\n"
                  "workload:\n  type: batch_job\n  model: block\n  source: h\n" + job +
                  "policies:\n";
  for (const char* p : kPolicies) e += fmt::format("  {}: {{host: h}}\n", p);
  return e;
}

}  // namespace

// One single-core host h (1 Gf: a 0.9 GMAC item takes 1.8 s; 10 W idle, 30 W busy) in zone Z at
// 300, 100, 50, 400, 400 g/kWh in hours 0..4. A job at t = 0 of 10 items in 2 requests (chunk 5:
// 9 s each), deadline 4 h, one worker.
TEST_CASE("batch job: two requests by hand, every policy", "[e2e][batch]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: golden\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n");
  tmp.file("z.csv", "timestamp,value\n0,300\n3600,100\n7200,50\n10800,400\n14400,400\n");
  const std::string exp =
      tmp.file("exp.yaml", experiment("  items: 10\n  chunk: 5\n  max_workers: 1\n  deadline: 4h\n"));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q --data-root " + data_root(), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const double dyn_j = 20 * 18.0;                 // (30 − 10) W × 2 requests × 9 s
  const double idle_j = 10 * 5 * 3600;            // the span is 1 h + the 4 h deadline
  const double idle_g = 10 * 3600 * (300 + 100 + 50 + 400 + 400) / 3.6e6;
  const double bound_g = dyn_j * 50 / 3.6e6;      // all of it in hour 2
  // carbon-agnostic runs both at once; the planners wait for hour 2, the cleanest (lacs: below).
  struct Case {
    const char* policy;
    double intensity;  // where both requests run
  };
  for (const Case& c : {Case{"carbon-agnostic", 300}, Case{"wait-awhile", 50}, Case{"carbon-scaler", 50},
                        Case{"oracle", 50}}) {
    INFO(c.policy);
    auto s = read_json(tmp / (std::string("out/") + c.policy + "/summary.json"));
    CHECK(s["span_s"].get<double>() == 5 * 3600);
    CHECK(s["requests_completed"] == 2);
    CHECK(s["batch_items_completed"].get<double>() == 10);
    CHECK(s["jobs_late"] == 0);
    CHECK(s["dynamic_energy_j"].get<double>() == Approx(dyn_j).epsilon(1e-9));
    CHECK(s["batch_energy_j"].get<double>() == Approx(dyn_j).epsilon(1e-9));
    CHECK(s["energy_j"].get<double>() == Approx(idle_j + dyn_j).epsilon(1e-9));
    CHECK(s["batch_carbon_g"].get<double>() == Approx(dyn_j * c.intensity / 3.6e6).epsilon(1e-9));
    CHECK(s["carbon_g"].get<double>() == Approx(idle_g + dyn_j * c.intensity / 3.6e6).epsilon(1e-9));
    CHECK(s["oracle_batch_carbon_g"].get<double>() == Approx(bound_g).epsilon(1e-9));
    CHECK(s["regret_vs_oracle"].get<double>() == Approx(c.intensity / 50 - 1).margin(1e-9));
    const double total = idle_g + dyn_j * c.intensity / 3.6e6;
    CHECK(s["total_regret_vs_oracle"].get<double>() ==
          Approx(total / (total - dyn_j * c.intensity / 3.6e6 + bound_g) - 1).margin(1e-12));
  }
  // lacs finishes by the deadline, at most as dear as running at once.
  auto lacs = read_json(tmp / "out/lacs/summary.json");
  CHECK(lacs["requests_completed"] == 2);
  CHECK(lacs["jobs_late"] == 0);
  CHECK(lacs["batch_carbon_g"].get<double>() <= dyn_j * 300 / 3.6e6 * (1 + 1e-9));
}

TEST_CASE("batch job that cannot finish by its deadline is rejected and counted", "[e2e][batch]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: golden\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n");
  tmp.file("z.csv", "timestamp,value\n0,300\n3600,100\n7200,50\n10800,400\n14400,400\n");
  // 4,000 items × 1.8 s = 2 h of work on the one worker, 1 h deadline.
  const std::string exp =
      tmp.file("exp.yaml", experiment("  items: 4000\n  chunk: 100\n  max_workers: 4\n  deadline: 1h\n"));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q --data-root " + data_root(), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  for (const char* p : kPolicies) {
    INFO(p);
    auto s = read_json(tmp / (std::string("out/") + p + "/summary.json"));
    CHECK(s["requests_arrived"] == 40);
    CHECK(s["requests_rejected"] == 40);
    CHECK(s["jobs_rejected"] == 1);
    CHECK(s["batch_carbon_g"].get<double>() == 0);
    CHECK(s["oracle_batch_carbon_g"].get<double>() == 0);
    CHECK(s["regret_vs_oracle"].is_null());
  }
}

// Random small instances: 1–3 hosts of 1–4 cores with a concave power curve, hourly intensities
// drawn at random over 12 h, one job of random size, chunk, workers, scaling and deadline. Every
// policy's batch carbon is at least the bound; the oracle policy, which carries out the optimum
// re-solved each hour, comes within what whole requests allow.
TEST_CASE("the oracle bound is below every policy on random instances, and the oracle meets it", "[e2e][batch]") {
  std::mt19937_64 rng(20261130);
  std::uniform_real_distribution<double> u(0, 1);
  for (int inst = 0; inst < 40; ++inst) {
    TempDir tmp;
    const int hosts = 1 + static_cast<int>(u(rng) * 3), cores = 1 + static_cast<int>(u(rng) * 4);
    std::string plat = "name: rnd\nhosts:\n", links = "links:\n", attach;
    std::string names;
    for (int h = 0; h < hosts; ++h) {
      plat += fmt::format("  - {{name: {}, cores: {}, speed: 1Gf, power: \"10:{}:{}\", region: Z}}\n",
                          h == 0 ? "h" : fmt::format("w{}", h), cores, 30, 30 + 12 * (cores - 1));
      const std::string name = h == 0 ? "h" : fmt::format("w{}", h);
      names += (h ? ", " : "") + name;
      links += fmt::format("  - {{name: l-{}, bandwidth: 1Gbps, latency: 0.1ms}}\n", name);
      attach += (h ? ", " : "") + fmt::format("{}: l-{}", name, name);
    }
    tmp.file("platform.yaml", plat + links + "network:\n  attach: {" + attach + "}\n");
    std::string csv = "timestamp,value\n";
    for (int t = 0; t <= 14; ++t) csv += fmt::format("{},{:.1f}\n", t * 3600, 50 + 450 * u(rng));
    tmp.file("z.csv", csv);
    const int workers = hosts * cores;
    const int max_workers = 1 + static_cast<int>(u(rng) * workers);
    const double deadline_h = 2 + static_cast<int>(u(rng) * 9);
    // Up to 60% of what all workers could do by the deadline (1.8 s per item per worker).
    const double items = std::floor(0.6 * u(rng) * max_workers * deadline_h * 3600 / 1.8) + 1;
    const int chunk = 1 + static_cast<int>(u(rng) * 100);  // requests of at most 3 min
    const char* scaling = u(rng) < 0.5 ? "linear" : "{amdahl: 0.9}";
    const std::string job = fmt::format(
        "  items: {}\n  chunk: {}\n  max_workers: {}\n  deadline: {}h\n  scaling: {}\n  hosts: [{}]\n"
        "  at: {}min\n",
        items, chunk, max_workers, deadline_h, scaling, names, static_cast<int>(u(rng) * 50));
    INFO(job);
    const std::string exp = tmp.file("exp.yaml", experiment(job));
    auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q --data-root " + data_root(), tmp);
    INFO(r.err);
    REQUIRE(r.rc == 0);
    const double bound = read_json(tmp / "out/oracle/summary.json")["oracle_batch_carbon_g"].get<double>();
    REQUIRE(bound > 0);
    for (const char* p : kPolicies) {
      INFO(p);
      auto s = read_json(tmp / (std::string("out/") + p + "/summary.json"));
      CHECK(s["requests_completed"] == s["requests_arrived"]);
      CHECK(s["oracle_batch_carbon_g"].get<double>() == bound);
      CHECK(s["batch_carbon_g"].get<double>() >= bound * (1 - 1e-9));
      // The oracle policy runs whole requests: a slot's share is rounded up to one, and the last
      // may not start later than its service time before the deadline (the bound's fluid work
      // may), and requests straddle slot boundaries on every worker: within two requests per
      // worker of the job, plus 1%.
      if (std::string(p) == "oracle")
        CHECK(s["regret_vs_oracle"].get<double>() <= 2.0 * max_workers * chunk / items + 0.01);
    }
  }
}

// The size: an 8-day hourly window, 20 single-core hosts, an Amdahl job that needs most of
// them: the oracle policy (CBC at the job's arrival) and the bound (Clp) within 60 s.
TEST_CASE("an 8-day job on 20 hosts: the oracle and its bound within a minute", "[e2e][batch][scale]") {
  TempDir tmp;
  std::string plat = "name: twenty\nhosts:\n", links = "links:\n", attach;
  for (int i = 0; i < 20; ++i) {
    plat += fmt::format("  - {{name: h{}, cores: 1, speed: 1Gf, power: \"10:30\", region: DE}}\n", i);
    links += fmt::format("  - {{name: l{}, bandwidth: 1Gbps, latency: 0.1ms}}\n", i);
    attach += fmt::format("{}h{}: l{}", i ? ", " : "", i, i);
  }
  tmp.file("platform.yaml", plat + links + "network:\n  attach: {" + attach + "}\n");
  const std::string exp = tmp.file(
      "exp.yaml",
      "name: eight_days\nseed: 1\nplatform: platform.yaml\n"
      "carbon:\n  start: 2022-03-01T00:00:00Z\n  duration: 1h\n"
      "models:\n  - {name: block, gmacs: 0.9, input_elems: 0, output_elems: 0}\n"
      "workload:\n  type: batch_job\n  model: block\n  source: h0\n  hosts: [\"h*\"]\n  items: 2000000\n"
      "  chunk: 2000\n  max_workers: 20\n  scaling: {amdahl: 0.95}\n  deadline: 8d\n"
      "policies:\n  oracle: {host: h0}\n");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q --data-root " + data_root(), tmp);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(seconds < 60);
  auto s = read_json(tmp / "out/oracle/summary.json");
  CHECK(s["requests_completed"] == 1000);
  CHECK(s["jobs_late"] == 0);
  CHECK(s["regret_vs_oracle"].get<double>() >= 0);
  CHECK(s["regret_vs_oracle"].get<double>() < 0.02);
}

// docs/reproductions.md §d: the California row of experiments/batch_scaling_year.yaml (a year of
// daily jobs), and the interactive week's claims on two of its days.
TEST_CASE("batch_scaling_year in California: the documented savings and regrets", "[e2e][batch][reproduction]") {
  TempDir tmp;
  auto r = run_cli("run " + source_dir() + "/experiments/batch_scaling_year.yaml --out " + (tmp / "out") +
                       " -q --data-root " + data_root() + " --set platform.region=US-CAL-CISO",
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto batch = [&](const char* p) { return read_json(tmp / (std::string("out/") + p + "/summary.json")); };
  const double base = batch("agnostic-1")["batch_carbon_g"].get<double>();
  auto saving = [&](const char* p) { return 100 * (1 - batch(p)["batch_carbon_g"].get<double>() / base); };
  CHECK(saving("agnostic-max") == Approx(-24.1).margin(0.05));
  CHECK(saving("suspend-resume") == Approx(9.8).margin(0.05));
  CHECK(saving("carbon-scaler") == Approx(29.1).margin(0.05));
  CHECK(saving("lacs") == Approx(25.3).margin(0.05));
  CHECK(saving("oracle") == Approx(29.1).margin(0.05));
  const double bound = batch("oracle")["oracle_batch_carbon_g"].get<double>();
  CHECK(100 * (1 - bound / base) == Approx(29.2).margin(0.05));
  for (const char* p : {"agnostic-1", "agnostic-max", "suspend-resume", "carbon-scaler", "lacs", "oracle"}) {
    INFO(p);
    auto s = batch(p);
    CHECK(s["jobs_late"] == 0);
    CHECK(s["jobs_rejected"] == 0);
    CHECK(s["batch_items_completed"].get<double>() == 365 * 140859000.0);
    CHECK(s["batch_carbon_g"].get<double>() >= bound);
  }
  CHECK(batch("carbon-scaler")["regret_vs_oracle"].get<double>() < 0.003);
}

TEST_CASE("batch jobs beside interactive traffic keep the interactive SLO", "[e2e][batch][reproduction]") {
  TempDir tmp;
  auto r = run_cli("run " + source_dir() + "/experiments/batch_interactive_week.yaml --out " + (tmp / "out") +
                       " -q --data-root " + data_root() +
                       " --set carbon.duration=2d --set output.requests=false --set output.timeseries=false",
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const double base = read_json(tmp / "out/agnostic-1/summary.json")["batch_carbon_g"].get<double>();
  for (const char* p : {"agnostic-1", "agnostic-max", "suspend-resume", "carbon-scaler", "lacs", "oracle"}) {
    INFO(p);
    auto s = read_json(tmp / (std::string("out/") + p + "/summary.json"));
    CHECK(s["slo_violation_rate"].get<double>() == 0);
    CHECK(s["jobs_late"] == 0);
    CHECK(s["requests_arrived"] == s["requests_completed"]);
    if (std::string(p) == "carbon-scaler") CHECK(s["batch_carbon_g"].get<double>() < 0.75 * base);
  }
}
