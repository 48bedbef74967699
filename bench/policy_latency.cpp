// Benchmark 3 (docs/performance.md): wall time of one Policy::decide() for every built-in policy on
// synthetic clusters of 10, 100 and 1000 hosts and a 20-row model (20 cut points). Hosts sit on a star
// (one arm link each), with varied speeds, loads, memory and carbon intensity, so no policy gets a
// degenerate tie-everywhere case. Run with --benchmark_repetitions=N to get medians.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "policy/policy.hpp"

namespace {

struct Cluster {
  ce::PlatformSpec plat;
  ce::ModelCatalog models;
  ce::ModelProfile model;
  ce::ClusterView view;
  std::vector<const ce::ModelProfile*> variants;

  explicit Cluster(size_t n) {
    std::mt19937_64 rng(n);
    std::uniform_real_distribution<double> u(0, 1);
    plat.name = "bench";
    plat.file = "bench.yaml";
    for (size_t i = 0; i < n; ++i) {
      ce::HostSpec h;
      h.name = "h" + std::to_string(i);
      h.cores = 1 + static_cast<uint32_t>(i % 8);
      const double speed = 1e9 * (1 + 99 * u(rng));
      h.pstates = {{speed, 5, 8, 5.0 + 10 * h.cores}, {speed / 2, 4, 6, 4.0 + 6 * h.cores}};  // speed, idle, epsilon, all cores
      h.memory_bytes = i % 3 == 0 ? 0 : 2e8 * (1 + 10 * u(rng));
      h.region = "Z";
      plat.hosts.push_back(h);
      plat.links.push_back({"arm" + std::to_string(i), 1e6 * (10 + 990 * u(rng)), 1e-4 * (1 + 50 * u(rng)), 0.5, 1.5, "Z"});
    }
    plat.routes.assign(n, std::vector<std::vector<uint32_t>>(n));
    plat.reachable.assign(n, std::vector<bool>(n, true));
    for (uint32_t i = 0; i < n; ++i)
      for (uint32_t j = 0; j < n; ++j)
        if (i != j) plat.routes[i][j] = {i, j};
    model.name = model.family = "twenty";
    model.layers.push_back({"in", "input", 0, 0, 150528, 0});
    for (int k = 1; k <= 20; ++k)
      model.layers.push_back(
          {"r" + std::to_string(k), "conv", 50000000ull * (1 + k % 4), 200000ull * (k % 5 + 1), 400000ull / k, 0});
    variants = {&model};
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(n);
    for (size_t i = 0; i < n; ++i) {
      ce::HostState& hs = view.hosts[i];
      hs.pstate = i % 5 == 4 ? 1 : 0;
      hs.busy = static_cast<uint32_t>(rng() % (plat.hosts[i].cores + 1));
      hs.queued = i % 4 == 0 ? static_cast<uint32_t>(rng() % 3) : 0;
      hs.completed = i % 2 ? 10 + rng() % 100 : 0;
      hs.busy_seconds = static_cast<double>(hs.completed) * 0.05 * (1 + u(rng));
      hs.intensity = 50 + 500 * u(rng);
    }
  }
};

void decide(benchmark::State& state, const std::string& type, const std::string& params) {
  Cluster c(static_cast<size_t>(state.range(0)));
  ce::PolicySpec spec{type, type, YAML::Load(params), "policies." + type};
  ce::PolicyContext ctx{&c.plat, &c.models, nullptr, {}};
  std::unique_ptr<ce::Policy> p = ce::make_policy(spec, ctx);
  ce::Request r;
  uint32_t n = static_cast<uint32_t>(c.plat.hosts.size());
  uint64_t id = 0;
  for (auto _ : state) {
    r.id = id++;
    r.source = static_cast<uint32_t>(id % n);
    ce::Plan plan = p->decide(r, c.variants, c.view);
    benchmark::DoNotOptimize(plan.stages.data());
  }
}

const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> kPolicies = {
    {"monolithic", {"monolithic", "{}"}},
    {"round-robin", {"round-robin", "{}"}},
    {"latency-first/max_stages:1", {"latency-first", "{max_stages: 1}"}},
    {"latency-first/max_stages:2", {"latency-first", "{max_stages: 2}"}},
    {"carbonedge/balanced", {"carbonedge", "{mode: balanced}"}},
    {"carbonedge/green+history", {"carbonedge", "{mode: green, t_avg: history}"}},
    {"carbonedge/amp4ec:2", {"carbonedge", "{mode: balanced, partition: amp4ec, nodes: 2}"}},
    {"intensity-adaptive", {"intensity-adaptive", "{c_low: 50, c_high: 550}"}},
};

int register_all() {
  for (const auto& [name, tp] : kPolicies) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [tp = tp](benchmark::State& s) { decide(s, tp.first, tp.second); });
    b->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kNanosecond);
  }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
