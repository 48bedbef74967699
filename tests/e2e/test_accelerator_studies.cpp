// The accelerator studies of docs/reproductions.md §g and §h, in miniature: the batching study's
// platform and sweep with a small grid (energy per inference falls with max_batch, waiting for a
// batch costs latency, plot (g) marks the knee), and the power-mode week cut to six hours (the
// efficient mode saves carbon, the fast one latency, the carbon-aware policy lies between).
#include <catch2/catch.hpp>

#include <map>

#include "../support/cli_harness.hpp"

using namespace cetest;

TEST_CASE("batching study: energy per inference falls with max_batch, waiting costs latency, plot (g) marks the knee",
          "[e2e][accelerators]") {
  TempDir tmp;
  const std::string exp = tmp.file("batching.yaml", "name: batching_small\nseed: 5\nplatform: " + source_dir() +
                                                        "/platforms/orin_site.yaml\n"
                                                        "carbon: {start: 2023-06-01T12:00:00Z, duration: 10s}\n"
                                                        "workload: {type: poisson, rate: 600, model: resnet50, "
                                                        "source: cameras, slo: 50ms}\n"
                                                        "policies:\n  orin: {type: monolithic, host: orin}\n"
                                                        "output: {requests: false}\n"
                                                        "sweep:\n  grid:\n"
                                                        "    platform.hosts.orin.batching.max_queue_delay: [0ms, 10ms]\n"
                                                        "    platform.hosts.orin.batching.max_batch: [1, 4, 16]\n");
  auto r = run_cli("sweep " + exp + " --out " + (tmp / "sw") + " -q --data-root " + data_root(), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const auto rows = read_csv_rows(tmp / "sw/results.csv");
  const auto& h = rows.at(0);
  auto val = [&](size_t i, const std::string& col) { return std::stod(rows[i][column(h, col)]); };
  std::map<std::pair<std::string, int>, std::pair<double, double>> at;  // (delay, max_batch) -> (mJ/inference, p95)
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::string delay = rows[i][column(h, "platform.hosts.orin.batching.max_queue_delay")];
    const int b = static_cast<int>(val(i, "platform.hosts.orin.batching.max_batch"));
    CHECK(val(i, "requests_completed") == val(i, "requests_arrived"));
    at[{delay, b}] = {1e3 * val(i, "energy_j") / val(i, "requests_completed"), val(i, "latency_ms.p95")};
  }
  REQUIRE(at.size() == 6);
  // Held batches: over 20 % less energy per inference at max_batch 16 than one by one (the table's
  // dynamic 12.5 mJ per image alone, 5.2 mJ past its knee; the idle power is the same)...
  CHECK(at[{"10ms", 16}].first < 0.8 * at[{"10ms", 1}].first);
  CHECK(at[{"10ms", 4}].first <= at[{"10ms", 1}].first);
  // ... and a longer p95: requests wait up to 10 ms for company.
  CHECK(at[{"10ms", 16}].second > at[{"0ms", 16}].second + 3);
  // max_batch 1 ignores the delay (a batch of one is full at once).
  CHECK(at[{"0ms", 1}].first == Approx(at[{"10ms", 1}].first).epsilon(1e-12));
  auto p = run_cli("plot " + (tmp / "sw") + " --only g --out " + (tmp / "plots"), tmp);
  INFO(p.out << p.err);
  REQUIRE(p.rc == 0);
  CHECK(fs::exists(tmp / "plots/g_batching.png"));
  CHECK(fs::exists(tmp / "plots/g_batching.svg"));
  CHECK(p.out.find("knee at max_batch") != std::string::npos);
}

TEST_CASE("power modes (six hours of the GB week): MaxQ saves carbon, MAXN latency, the carbon-aware policy between",
          "[e2e][accelerators]") {
  TempDir tmp;
  auto r = run_cli("run " + source_dir() + "/experiments/power_modes_gb_week.yaml --set carbon.duration=6h -q --out " +
                       (tmp / "out") + " --data-root " + data_root(),
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto s = [&](const char* p) { return read_json(tmp / (std::string("out/") + p + "/summary.json")); };
  const auto q = s("maxq"), n = s("maxn"), c = s("carbon");
  for (const auto* x : {&q, &n, &c}) {
    CHECK((*x)["requests_completed"] == (*x)["requests_arrived"]);
    CHECK(rel_err((*x)["dynamic_energy_j"],
                  (*x)["energy_j"].get<double>() - (*x)["idle_energy_j"].get<double>()) < 1e-9);
  }
  CHECK(q["carbon_g"].get<double>() < c["carbon_g"].get<double>());
  CHECK(c["carbon_g"].get<double>() < n["carbon_g"].get<double>());
  CHECK(n["latency_ms"]["mean"].get<double>() < c["latency_ms"]["mean"].get<double>());
  CHECK(c["latency_ms"]["mean"].get<double>() < q["latency_ms"]["mean"].get<double>());
}
