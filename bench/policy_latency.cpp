// Benchmark 3 (docs/performance.md): wall time of one Policy::decide() for every built-in policy on
// synthetic clusters of 10, 100 and 1000 hosts and a 20-row model (20 cut points). Hosts sit on a star
// (one arm link each), with varied speeds, loads, memory and carbon intensity, so no policy gets a
// degenerate tie-everywhere case. Run with --benchmark_repetitions=N to get medians.
// Plus latency-first on the YAML platforms (edge_city_200 / edge_city_2000 with 2 stages, city_100k
// with 1), with a tracked view whose hosts change between decisions as in a run (see `City`).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "config/platform_spec.hpp"
#include "models/zoo.hpp"
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
    for (uint32_t i = 0; i < n; ++i) plat.arm.push_back(static_cast<int32_t>(i));  // host i's arm: link i
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
  ce::PolicySpec spec{type, type, YAML::Load(params), "policies." + type, {}};
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

// A YAML platform with a realistic load: most hosts idle, ~30% busy, some of them queued, a few at
// a lower pstate, 2% off, half with a history. The view is tracked (change log on), and before each
// decision two hosts change state and are logged, as arrivals and completions do in a run; the log
// restarts at 2 × hosts + 1024 entries like sim/'s. Requests come from `source_prefix` hosts.
struct City {
  ce::PlatformSpec plat;
  ce::ModelCatalog models;
  ce::ClusterView view;
  std::vector<uint32_t> sources;
  std::mt19937_64 rng{42};

  City(const std::string& file, const std::string& source_part) {
    // The repository's platforms/ (this file's path is absolute in the build).
    plat = ce::load_platform((std::filesystem::path(__FILE__).parent_path().parent_path() / "platforms" / file).string());
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(plat.hosts.size());
    view.changes_epoch = 1;
    for (uint32_t h = 0; h < plat.hosts.size(); ++h) {
      randomise(h);
      if (plat.hosts[h].name.find(source_part) != std::string::npos) sources.push_back(h);
    }
  }
  void randomise(uint32_t h) {
    ce::HostState& hs = view.hosts[h];
    const ce::HostSpec& spec = plat.hosts[h];
    const uint64_t r = rng() % 100;
    hs.on = r >= 2;
    hs.power = hs.on ? ce::Power::On : ce::Power::Off;
    hs.pstate = spec.pstates.size() > 1 && r % 10 == 0 ? 1 : 0;
    hs.busy = r >= 70 ? static_cast<uint32_t>(1 + rng() % spec.cores) : 0;
    hs.queued = hs.busy == spec.cores && r >= 90 ? static_cast<uint32_t>(1 + rng() % 3) : 0;
    hs.completed = r % 2 ? 1 + rng() % 1000 : 0;
    hs.busy_seconds = static_cast<double>(hs.completed) * 0.05 * (1 + static_cast<double>(rng() % 1000) / 1000);
  }
  void step() {  // two logged state changes
    for (int i = 0; i < 2; ++i) {
      const auto h = static_cast<uint32_t>(rng() % plat.hosts.size());
      randomise(h);
      view.changes.push_back(h);
    }
    if (view.changes.size() >= 2 * plat.hosts.size() + 1024) {
      view.changes.clear();
      ++view.changes_epoch;
    }
  }
};

void decide_city(benchmark::State& state, const std::string& file, const std::string& source_part,
                 const std::string& model, const std::string& params) {
  static std::map<std::string, std::unique_ptr<City>> cities;  // loaded once per platform
  auto& c = cities[file + source_part];
  if (!c) c = std::make_unique<City>(file, source_part);
  const ce::ModelProfile* m = ce::find_model(model);
  std::vector<const ce::ModelProfile*> variants = {m};
  ce::PolicySpec spec{"latency-first", "latency-first", YAML::Load(params), "policies.lf", {}};
  ce::PolicyContext ctx{&c->plat, &c->models, nullptr, {}};
  std::unique_ptr<ce::Policy> p = ce::make_policy(spec, ctx);
  ce::Request r;
  uint64_t id = 0;
  for (auto _ : state) {
    c->step();
    r.id = id++;
    r.source = c->sources[id % c->sources.size()];
    ce::Plan plan = p->decide(r, variants, c->view);
    benchmark::DoNotOptimize(plan.stages.data());
  }
}

int register_all() {
  struct CityCase {
    const char *name, *file, *sources, *model, *params;
  };
  const CityCase cities[] = {
      {"latency-first/city/edge_city_200/max_stages:2/resnet50", "edge_city_200.yaml", "rpi4-", "resnet50", "{max_stages: 2}"},
      {"latency-first/city/edge_city_200/max_stages:2/jetson/resnet50", "edge_city_200.yaml", "jetson-", "resnet50", "{max_stages: 2}"},
      {"latency-first/city/edge_city_200/max_stages:2/resnet152", "edge_city_200.yaml", "rpi4-", "resnet152", "{max_stages: 2}"},
      {"latency-first/city/edge_city_2000/max_stages:2/resnet50", "edge_city_2000.yaml", "rpi4-", "resnet50", "{max_stages: 2}"},
      {"latency-first/city/edge_city_2000/max_stages:2/resnet152", "edge_city_2000.yaml", "rpi4-", "resnet152", "{max_stages: 2}"},
      {"latency-first/city/city_100k/max_stages:1/resnet50", "city_100k.yaml", "-cam-", "resnet50", "{max_stages: 1}"},
  };
  for (const CityCase& cc : cities) {
    auto* b = benchmark::RegisterBenchmark(cc.name, [cc](benchmark::State& s) {
      decide_city(s, cc.file, cc.sources, cc.model, cc.params);
    });
    b->Unit(benchmark::kNanosecond);
  }
  for (const auto& [name, tp] : kPolicies) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [tp = tp](benchmark::State& s) { decide(s, tp.first, tp.second); });
    b->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kNanosecond);
  }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
