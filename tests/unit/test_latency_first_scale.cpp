// latency-first's class index (src/policy/latency_first.cpp, select()) against the full DP
// (`make_latency_first_exhaustive`) on star platforms: the YAML edge_city_200 with random loads,
// hand-built stars with sites, identical hosts (exact ties) and memory limits, states changed
// between decisions through the view's change log. Also: the star transfers the policy computes
// from arms and sites against brute force with PlatformSpec::transfer_time() (sites, shared and
// missing arms, flat stars), and the 100,000-host platform builds quickly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "config/platform_spec.hpp"
#include "models/cost_model.hpp"
#include "models/zoo.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/policy.hpp"
#include "../support/plan_latency.hpp"

using namespace ce;
using cetest::plan_latency;

namespace {

bool same(const Plan& a, const Plan& b) {
  if (a.rejected() != b.rejected() || a.stages.size() != b.stages.size()) return false;
  for (size_t i = 0; i < a.stages.size(); ++i)
    if (a.stages[i].host != b.stages[i].host || a.stages[i].first_row != b.stages[i].first_row ||
        a.stages[i].last_row != b.stages[i].last_row)
      return false;
  return true;
}

// A random but realistic state: mostly idle hosts (which tie exactly), some busy or queued, with
// and without history, some at a slower pstate, a few off.
void randomise(HostState& hs, const HostSpec& spec, std::mt19937_64& rng, bool heavy) {
  hs = HostState{};
  const uint64_t r = rng() % 100;
  hs.on = r >= 3;
  hs.power = hs.on ? Power::On : Power::Off;
  hs.pstate = spec.pstates.size() > 1 && rng() % 5 == 0 ? 1 : 0;
  if (heavy || r >= 60) {
    hs.busy = static_cast<uint32_t>(rng() % (spec.cores + 1));
    if (hs.busy == spec.cores) hs.queued = static_cast<uint32_t>(rng() % 4);
  }
  if (rng() % 2) {
    hs.completed = 1 + rng() % 40;
    // Coarse service times: equal wait keys across hosts happen, as in a real run's first seconds.
    hs.busy_seconds = static_cast<double>(hs.completed) * 0.01 * static_cast<double>(1 + rng() % 4);
  }
}

struct Tracked {
  ClusterView view;
  explicit Tracked(const PlatformSpec& p) {
    view.platform = &p;
    view.hosts.resize(p.hosts.size());
    view.changes_epoch = 1;  // tracked: the policy keeps its index up to date from `changes`
  }
  void set(uint32_t h, const HostState& hs) {
    view.hosts[h] = hs;
    view.changes.push_back(h);
  }
};

std::unique_ptr<Policy> make(const PlatformSpec& p, const std::string& yaml, bool exhaustive) {
  PolicyContext ctx{&p, nullptr, nullptr, {}};
  YamlSection s(YAML::Load(yaml), "p.yaml", "policies.lf");
  return exhaustive ? make_latency_first_exhaustive(s, ctx) : make_latency_first(s, ctx);
}

// Compares the indexed policy with the full DP over `decisions` random requests, changing a few
// hosts (through the change log) between decisions; returns how many plans split.
int compare(const PlatformSpec& p, const std::vector<const ModelProfile*>& models, uint32_t stages,
            const std::vector<uint32_t>& sources, std::mt19937_64& rng, int decisions, bool heavy) {
  const std::string yaml = "{max_stages: " + std::to_string(stages) + "}";
  auto fast = make(p, yaml, false), full = make(p, yaml, true);
  Tracked t(p);
  for (uint32_t h = 0; h < p.hosts.size(); ++h) randomise(t.view.hosts[h], p.hosts[h], rng, heavy);
  int split = 0;
  for (int d = 0; d < decisions; ++d) {
    for (int k = 0, n = static_cast<int>(rng() % 6); k < n; ++k) {
      const auto h = static_cast<uint32_t>(rng() % p.hosts.size());
      HostState hs;
      randomise(hs, p.hosts[h], rng, heavy);
      t.set(h, hs);
    }
    if (d % 50 == 49) {  // sim/ restarts the log now and then: the index rebuilds
      ++t.view.changes_epoch;
      t.view.changes.clear();
    }
    Request r;
    r.source = sources[rng() % sources.size()];
    const ModelProfile* m = models[rng() % models.size()];
    const Plan a = fast->decide(r, {m}, t.view), b = full->decide(r, {m}, t.view);
    INFO("decision " << d << ", source " << p.hosts[r.source].name << ", model " << m->name << ", stages " << stages);
    REQUIRE(same(a, b));
    split += a.stages.size() > 1;
  }
  return split;
}

// A hand-built star: `sites` sites (0 = every host at the gateway) of hosts drawn from a few specs
// (so classes have many members), each host on its own arm; a few arms and uplinks differ.
PlatformSpec star(std::mt19937_64& rng, size_t H, size_t sites, size_t specs) {
  PlatformSpec p;
  p.name = "star";
  p.file = "star.yaml";
  std::vector<HostSpec> kinds;
  for (size_t k = 0; k < specs; ++k) {
    HostSpec h;
    h.cores = 1 + static_cast<uint32_t>(rng() % 4);
    const double sp = 1e9 * static_cast<double>(1 + rng() % 200);
    h.pstates = {{sp, 1, 2, 3}, {sp / 3, 1, 1.5, 2}};
    h.memory_bytes = rng() % 3 == 0 ? 2e5 * static_cast<double>(1 + rng() % 20) : 0;
    h.layer_overhead_s = rng() % 2 ? 1e-4 : 0;
    h.region = "Z";
    kinds.push_back(h);
  }
  for (size_t s = 0; s < sites; ++s) {
    p.links.push_back({"up" + std::to_string(s), 1e8 * static_cast<double>(1 + rng() % 3), 1e-3 * static_cast<double>(1 + rng() % 2), 0, 0, "Z"});
    p.sites.push_back({"s" + std::to_string(s), "Z", static_cast<uint32_t>(p.links.size() - 1)});
  }
  for (size_t i = 0; i < H; ++i) {
    HostSpec h = kinds[rng() % specs];
    h.name = "h" + std::to_string(i);
    p.hosts.push_back(h);
    p.links.push_back({"arm" + std::to_string(i), 1e7 * static_cast<double>(1 + rng() % 3), 1e-3 * static_cast<double>(1 + rng() % 2), 0, 0, "Z"});
    p.arm.push_back(static_cast<int32_t>(p.links.size() - 1));
    p.site.push_back(sites ? static_cast<int32_t>(rng() % (sites + 1)) - 1 : -1);
  }
  return p;
}

// The best latency over every plan of 1..S stages on the candidates that are on (consecutive
// stages on different hosts, weights within memory): +inf when there is none.
double brute_best(const PlatformSpec& p, const ClusterView& v, const ModelProfile& m, const std::vector<uint32_t>& cands,
                  uint32_t S, uint32_t src) {
  const uint32_t R = static_cast<uint32_t>(m.row_count() - 1);
  double best = INFINITY;
  std::vector<PlanStage> cur;
  auto rec = [&](auto&& self, uint32_t next) -> void {
    if (next > R) {
      best = std::min(best, plan_latency(p, v, m, cur, src));
      return;
    }
    if (cur.size() == S) return;
    for (uint32_t h : cands) {
      if (!v.hosts[h].on || (!cur.empty() && cur.back().host == h)) continue;
      for (uint32_t last = next; last <= R; ++last) {
        const double mem = p.hosts[h].memory_bytes;
        if (mem > 0 && stage_weight_bytes(m, next, last) > mem) break;
        cur.push_back({h, next, last});
        self(self, last + 1);
        cur.pop_back();
      }
    }
  };
  rec(rec, 1);
  return best;
}

std::vector<uint32_t> all_hosts(const PlatformSpec& p) {
  std::vector<uint32_t> v(p.hosts.size());
  for (uint32_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

}  // namespace

TEST_CASE("latency-first's class index equals the full DP on edge_city_200", "[policy][scale]") {
  const PlatformSpec p = load_platform(std::string(CE_TEST_SOURCE_DIR) + "/platforms/edge_city_200.yaml");
  REQUIRE(p.hosts.size() == 200);
  std::vector<uint32_t> sources;  // the Pis and the Jetsons
  for (uint32_t h = 0; h < p.hosts.size(); ++h)
    if (p.hosts[h].name.rfind("rpi4-", 0) == 0 || p.hosts[h].name.rfind("jetson-", 0) == 0) sources.push_back(h);
  const std::vector<const ModelProfile*> models = {find_model("resnet50"), find_model("vgg16"),
                                                   find_model("mobilenet_v2")};
  for (auto* m : models) REQUIRE(m != nullptr);
  std::mt19937_64 rng(200);
  int split = 0;
  for (uint32_t stages : {1u, 2u})
    for (bool heavy : {false, true}) split += compare(p, models, stages, sources, rng, 150, heavy);
  WARN("edge_city_200: plans with a split " << split);
}

TEST_CASE("latency-first's class index equals the full DP on random stars with sites and ties", "[policy][scale]") {
  std::mt19937_64 rng(7);
  int split = 0;
  for (int iter = 0; iter < 60; ++iter) {
    const size_t H = 2 + rng() % 80, sites = iter % 3 == 0 ? 0 : 1 + rng() % 12, specs = 1 + rng() % 4;
    PlatformSpec p = star(rng, H, sites, specs);
    ModelProfile model;
    model.name = model.family = "rand";
    const size_t R = 1 + rng() % 16;
    model.layers.push_back({"in", "input", 0, 0, 1000 + rng() % 100000, 0});
    for (size_t k = 1; k <= R; ++k)
      model.layers.push_back({"r" + std::to_string(k), "conv", 1000000ull * (1 + rng() % 1000), 1000 * (1 + rng() % 300),
                              1 + rng() % 200000, 0});
    INFO("iteration " << iter << ", hosts " << H << ", sites " << sites << ", rows " << R);
    for (uint32_t stages : {1u, 2u}) split += compare(p, {&model}, stages, all_hosts(p), rng, 30, iter % 2 == 1);
  }
  CHECK(split > 20);  // splits are exercised, not only whole-model plans
  WARN("random stars: plans with a split " << split);
}

TEST_CASE("latency-first's class index equals the full DP with one stage on a sites platform", "[policy][scale]") {
  // city_100k in miniature: 300 sites × (9 cameras + 1 edge box), uplinks alike: sites are merged
  // into classes and the source's own site is evaluated host by host.
  PlatformSpec p;
  p.name = "mini-city";
  p.file = "mini.yaml";
  HostSpec cam, edge;
  cam.cores = 4;
  cam.pstates = {{2.4e9, 3.06, 3.4, 6.38}, {0.96e9, 2.7, 2.9, 4.0}};
  cam.memory_bytes = 4e9;
  edge.cores = 1;
  edge.pstates = {{3e12, 5.7, 20.4, 20.4}};
  edge.memory_bytes = 8e9;
  for (uint32_t s = 0; s < 300; ++s) {
    p.links.push_back({"up" + std::to_string(s), 1.25e8, 2e-3, 1, 2, "Z"});
    p.sites.push_back({"s" + std::to_string(s), "Z", static_cast<uint32_t>(p.links.size() - 1)});
    for (int i = 0; i < 10; ++i) {
      HostSpec h = i < 9 ? cam : edge;
      h.name = "s" + std::to_string(s) + "-" + std::to_string(i);
      p.hosts.push_back(h);
      p.links.push_back({h.name + "-link", i < 9 ? 1.5e7 : 1.25e8, i < 9 ? 3e-3 : 2e-4, 0.5, 1.5, "Z"});
      p.arm.push_back(static_cast<int32_t>(p.links.size() - 1));
      p.site.push_back(static_cast<int32_t>(s));
    }
  }
  std::vector<uint32_t> cams;
  for (uint32_t h = 0; h < p.hosts.size(); ++h)
    if (h % 10 < 9) cams.push_back(h);
  std::mt19937_64 rng(100);
  const std::vector<const ModelProfile*> models = {find_model("resnet50"), find_model("mobilenet_v2")};
  for (bool heavy : {false, true}) compare(p, models, 1, cams, rng, 300, heavy);
}

TEST_CASE("latency-first's star transfers match PlatformSpec's routes (sites, shared and missing arms)", "[policy][scale]") {
  // Small stars checked against brute-force enumeration with PlatformSpec::transfer_time(): the
  // policy computes transfers from each host's arm and site (no table per pair), through a fast
  // path on flat stars (one site, one arm per host) and the general one otherwise; hosts sharing
  // an arm, hosts without one (unreachable), sources outside the candidates, tracked and plain views.
  std::mt19937_64 rng(31);
  int compared = 0, flat = 0, split = 0;
  for (int iter = 0; iter < 300; ++iter) {
    const size_t H = 2 + rng() % 6, sites = iter % 4 == 0 ? 0 : 1 + rng() % 3;
    PlatformSpec p = star(rng, H, sites, 1 + rng() % 3);
    const int kind = iter % 5;  // 0: flat; 1: shared arm; 2: a host without an arm; 3, 4: as built
    if (kind == 0) {
      std::fill(p.site.begin(), p.site.end(), -1);
      ++flat;
    } else if (kind == 1) {
      p.arm[1] = p.arm[0];
    } else if (kind == 2) {
      p.arm[rng() % H] = -1;
    }
    for (size_t i = 0; i < p.links.size(); ++i)  // latencies and bandwidths varied more than star()'s
      if (rng() % 2) {
        p.links[i].latency *= 1 + static_cast<double>(rng() % 1000) / 100;
        p.links[i].bandwidth *= 1 + static_cast<double>(rng() % 1000) / 10;
      }
    ModelProfile model;
    model.name = model.family = "rand";
    const size_t R = 1 + rng() % 5;
    model.layers.push_back({"in", "input", 0, 0, 1000 + rng() % 10000000, 0});
    const bool cheap_cuts = iter % 2 == 0;  // small tensors between rows: splits pay more often
    for (size_t k = 1; k <= R; ++k)
      model.layers.push_back({"r" + std::to_string(k), "conv", 100000ull * (1 + rng() % 1000), 1000 * (1 + rng() % 300),
                              cheap_cuts ? 1 + rng() % 2000 : 1 + rng() % 20000000, 0});
    std::vector<uint32_t> cands = all_hosts(p);
    const bool subset = rng() % 3 == 0 && H > 2;
    if (subset) cands.erase(cands.begin());  // host 0 (often the source) is then not a candidate
    std::string yaml_hosts;
    for (uint32_t h : cands) yaml_hosts += (yaml_hosts.empty() ? "" : ", ") + p.hosts[h].name;
    Tracked t(p);
    if (rng() % 2) t.view.changes_epoch = 0;  // a plain view: no index
    for (uint32_t h = 0; h < H; ++h) randomise(t.view.hosts[h], p.hosts[h], rng, iter % 2 == 1);
    for (uint32_t S : {1u, 2u}) {
      const std::string yaml = "{max_stages: " + std::to_string(S) + (subset ? ", hosts: [" + yaml_hosts + "]" : "") + "}";
      auto pol = make(p, yaml, false);
      for (int d = 0; d < 4; ++d) {
        Request r;
        r.source = static_cast<uint32_t>(rng() % H);
        const Plan plan = pol->decide(r, {&model}, t.view);
        const double want = brute_best(p, t.view, model, cands, std::min<uint32_t>(S, static_cast<uint32_t>(R)), r.source);
        INFO("iteration " << iter << ", kind " << kind << ", hosts " << H << ", sites " << sites << ", stages " << S
                          << ", source " << r.source << ", subset " << subset);
        REQUIRE(plan.rejected() == !std::isfinite(want));
        if (plan.rejected()) continue;
        ++compared;
        split += plan.stages.size() > 1;
        // The same optimum, up to rounding (the policy multiplies by 1/bandwidth, transfer_time divides).
        CHECK(plan_latency(p, t.view, model, plan.stages, r.source) == Approx(want).epsilon(1e-9));
      }
    }
  }
  CHECK(compared > 1500);
  CHECK(flat > 50);
  CHECK(split > 50);  // transfers between candidates are exercised too
  WARN("star transfers: plans with a split " << split);
}

TEST_CASE("latency-first builds in well under a second at 100,000 hosts", "[policy][scale]") {
  const PlatformSpec p = load_platform(std::string(CE_TEST_SOURCE_DIR) + "/platforms/city_100k.yaml");
  REQUIRE(p.hosts.size() == 100000);
  const auto t0 = std::chrono::steady_clock::now();
  auto fast = make(p, "{max_stages: 1}", false);
  const double built = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN("latency-first constructor at 100,000 hosts: " << built << " s");
  CHECK(built < 2.0);  // generous for Debug and sanitizer builds; Release takes far less
  auto full = make(p, "{max_stages: 1}", true);
  Tracked t(p);
  std::mt19937_64 rng(1);
  for (uint32_t h = 0; h < p.hosts.size(); ++h) randomise(t.view.hosts[h], p.hosts[h], rng, false);
  const ModelProfile* m = find_model("resnet50");
  for (int d = 0; d < 20; ++d) {
    const auto h = static_cast<uint32_t>(rng() % p.hosts.size());
    HostState hs;
    randomise(hs, p.hosts[h], rng, true);
    t.set(h, hs);
    Request r;
    r.source = static_cast<uint32_t>(rng() % p.hosts.size());
    INFO("decision " << d);
    CHECK(same(fast->decide(r, {m}, t.view), full->decide(r, {m}, t.view)));
  }
}
