// The optimised policies (memoised tables, pruned transfer step, argmax instead of a sort) against
// straightforward reference implementations on random snapshots: brute-force enumeration of every
// plan for latency-first, the CarbonEdge score written out and sorted for carbonedge.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/policy.hpp"
#include "../support/plan_latency.hpp"

using namespace ce;

namespace {

struct RandomSnap {
  PlatformSpec plat;
  ModelCatalog models;
  ModelProfile model;
  ClusterView view;

  RandomSnap(std::mt19937_64& rng, size_t H, size_t R) {
    std::uniform_real_distribution<double> u(0, 1);
    plat.file = "p.yaml";
    for (size_t i = 0; i < H; ++i) {
      HostSpec h;
      h.name = "h" + std::to_string(i);
      h.cores = 1 + static_cast<uint32_t>(rng() % 4);
      double sp = 1e9 * (1 + 50 * u(rng));
      h.pstates = {{sp, 1, 2, 3}, {sp / 3, 1, 1.5, 2}};
      h.memory_bytes = rng() % 3 == 0 ? 4.0 * 1000 * (1 + rng() % (4 * R)) : 0;
      h.layer_overhead_s = rng() % 2 ? 1e-4 : 0;
      h.region = "Z";
      plat.hosts.push_back(h);
      plat.links.push_back({"arm" + std::to_string(i), 1e5 * (1 + 1000 * u(rng)), 1e-3 * (1 + 20 * u(rng)), 0, 0, "Z"});
    }
    for (uint32_t i = 0; i < H; ++i)
      for (uint32_t j = 0; j < H; ++j)
        if (i != j && rng() % 10 != 0) plat.add_route(i, j, {i, j});  // 1 pair in 10 unreachable
    model.name = model.family = "rand";
    model.layers.push_back({"in", "input", 0, 0, 1000 + rng() % 100000, 0});
    for (size_t k = 1; k <= R; ++k)
      model.layers.push_back({"r" + std::to_string(k), "conv", 1000000ull * (1 + rng() % 1000), 1000 * (1 + rng() % 3),
                              1 + rng() % 200000, 0});
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(H);
    for (size_t i = 0; i < H; ++i) {
      HostState& hs = view.hosts[i];
      hs.on = rng() % 6 != 0;
      hs.pstate = rng() % 4 == 0 ? 1 : 0;
      hs.busy = static_cast<uint32_t>(rng() % (plat.hosts[i].cores + 1));
      hs.queued = hs.busy == plat.hosts[i].cores ? static_cast<uint32_t>(rng() % 4) : 0;
      hs.completed = rng() % 2 ? rng() % 50 : 0;
      hs.busy_seconds = static_cast<double>(hs.completed) * 0.01 * (1 + u(rng));
      hs.intensity = 20 + 700 * u(rng);
    }
  }

  std::unique_ptr<Policy> make(const std::string& type, const std::string& yaml) {
    PolicySpec s{type, type, YAML::Load(yaml), "policies." + type, {}};
    PolicyContext ctx{&plat, &models, nullptr, {}};
    return make_policy(s, ctx);
  }

  // Predicted latency of a plan, straight from the formula in latency_first.cpp's header.
  double latency(const std::vector<PlanStage>& st, uint32_t src) const {
    return cetest::plan_latency(plat, view, model, st, src);
  }

  // Every feasible plan with 1..S stages over the candidates (on, listed), consecutive stages on
  // different hosts, each stage's weights within its host's memory.
  void enumerate(uint32_t S, uint32_t src, std::vector<PlanStage>& cur, uint32_t next_row,
                 std::vector<std::pair<double, std::vector<PlanStage>>>& out) const {
    const uint32_t R = static_cast<uint32_t>(model.row_count() - 1);
    if (next_row > R) {
      out.push_back({latency(cur, src), cur});
      return;
    }
    if (cur.size() == S) return;
    for (uint32_t h = 0; h < plat.hosts.size(); ++h) {
      if (!view.hosts[h].on || (!cur.empty() && cur.back().host == h)) continue;
      for (uint32_t last = next_row; last <= R; ++last) {
        double mem = plat.hosts[h].memory_bytes;
        if (mem > 0 && stage_weight_bytes(model, next_row, last) > mem) break;
        cur.push_back({h, next_row, last});
        enumerate(S, src, cur, last + 1, out);
        cur.pop_back();
      }
    }
  }
};

bool same(const std::vector<PlanStage>& a, const std::vector<PlanStage>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].host != b[i].host || a[i].first_row != b[i].first_row || a[i].last_row != b[i].last_row) return false;
  return true;
}

}  // namespace

TEST_CASE("latency-first equals brute-force enumeration on random snapshots", "[policy]") {
  std::mt19937_64 rng(2024);
  int compared = 0, unique_best = 0;
  for (int iter = 0; iter < 400; ++iter) {
    const size_t H = 2 + rng() % 5, R = 1 + rng() % 6;
    RandomSnap s(rng, H, R);
    const uint32_t S = 1 + static_cast<uint32_t>(rng() % 3);
    auto p = s.make("latency-first", "{max_stages: " + std::to_string(S) + "}");
    Request r;
    r.source = static_cast<uint32_t>(rng() % H);
    Plan plan = p->decide(r, {&s.model}, s.view);
    std::vector<std::pair<double, std::vector<PlanStage>>> all;
    std::vector<PlanStage> cur;
    s.enumerate(std::min<uint32_t>(S, static_cast<uint32_t>(R)), r.source, cur, 1, all);
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first < b.first; });
    const bool feasible = !all.empty() && std::isfinite(all[0].first);
    INFO("iteration " << iter << ", H " << H << ", R " << R << ", S " << S);
    REQUIRE(plan.rejected() == !feasible);
    if (!feasible) continue;
    ++compared;
    const double got = s.latency(plan.stages, r.source), want = all[0].first;
    // Same optimum (up to the rounding of prefix sums vs direct sums).
    CHECK(got == Approx(want).epsilon(1e-9));
    // Where the optimum is unique by a clear margin, the very same plan.
    if (all.size() == 1 || all[1].first > want * (1 + 1e-6)) {
      ++unique_best;
      CHECK(same(plan.stages, all[0].second));
    }
  }
  CHECK(compared > 200);
  CHECK(unique_best > 100);
}

TEST_CASE("latency-first's bounded two-stage search returns the full DP's plans, ties included", "[policy]") {
  std::mt19937_64 rng(99);
  int two_stage = 0, one_stage = 0, rejected = 0;
  for (int iter = 0; iter < 600; ++iter) {
    const size_t H = 2 + rng() % 60, R = 1 + rng() % 24;
    RandomSnap s(rng, H, R);
    if (iter % 2) {  // clones of a few hosts (spec, state and arm link): exact ties everywhere
      for (size_t i = 1; i < H; ++i)
        if (rng() % 2) {
          const size_t j = rng() % i;
          std::string name = s.plat.hosts[i].name;
          s.plat.hosts[i] = s.plat.hosts[j];
          s.plat.hosts[i].name = name;
          s.plat.links[i].bandwidth = s.plat.links[j].bandwidth;
          s.plat.links[i].latency = s.plat.links[j].latency;
          s.view.hosts[i] = s.view.hosts[j];
        }
    }
    if (iter % 3 == 0)  // fast hosts: splits pay off more often
      for (auto& h : s.plat.hosts)
        if (rng() % 4 == 0) h.pstates[0].speed *= 50;
    if (iter % 7 == 0)  // a few hosts ten million times slower: rounding at the scale of the bounds
      for (auto& h : s.plat.hosts)
        if (rng() % 5 == 0) h.pstates[0].speed /= 1e7;
    std::string yaml = "{max_stages: 2";
    if (iter % 5 == 0) {
      yaml += ", hosts: [";
      for (size_t h = 0; h < H; ++h)
        if (h == 0 || rng() % 2) yaml += (h ? ", h" : "h") + std::to_string(h);
      yaml += "]";
    }
    yaml += "}";
    auto fast = s.make("latency-first", yaml);
    PolicyContext ctx{&s.plat, &s.models, nullptr, {}};
    auto full = make_latency_first_exhaustive(YamlSection(YAML::Load(yaml), "p.yaml", "policies.lf"), ctx);
    for (int q = 0; q < 4; ++q) {
      Request r;
      r.source = static_cast<uint32_t>(rng() % H);
      Plan a = fast->decide(r, {&s.model}, s.view), b = full->decide(r, {&s.model}, s.view);
      INFO("iteration " << iter << ", H " << H << ", R " << R << ", source " << r.source << ", " << yaml);
      REQUIRE(a.rejected() == b.rejected());
      if (a.rejected()) {
        ++rejected;
        continue;
      }
      REQUIRE(same(a.stages, b.stages));
      ++(a.stages.size() == 2 ? two_stage : one_stage);
    }
  }
  // Both outcomes are exercised: plans with a split, and plans where the bound pruned every split.
  CHECK(two_stage > 200);
  CHECK(one_stage > 200);
  WARN("two-stage plans " << two_stage << ", one-stage " << one_stage << ", rejected " << rejected);
}

TEST_CASE("carbonedge equals its score formula written out and sorted, on random snapshots", "[policy]") {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    const size_t H = 1 + rng() % 12, R = 1 + rng() % 8;
    RandomSnap s(rng, H, R);
    const char* modes[] = {"performance", "balanced", "green"};
    const std::string mode = modes[rng() % 3];
    const bool history = rng() % 2;
    auto p = s.make("carbonedge", "{mode: " + mode + ", units: kwh" + (history ? ", t_avg: history}" : "}"));
    Request r;
    r.source = static_cast<uint32_t>(rng() % H);
    Plan plan = p->decide(r, {&s.model}, s.view);
    // Reference: every node scored from scratch, sorted by (score desc, host asc).
    double w[5];
    if (mode == "performance") std::copy_n(std::begin({0.25, 0.25, 0.30, 0.15, 0.05}), 5, w);
    else if (mode == "balanced") std::copy_n(std::begin({0.20, 0.20, 0.15, 0.15, 0.30}), 5, w);
    else std::copy_n(std::begin({0.15, 0.15, 0.10, 0.10, 0.50}), 5, w);
    const double weight = stage_weight_bytes(s.model, 1, R);
    std::vector<std::pair<double, uint32_t>> scored;
    for (uint32_t h = 0; h < H; ++h) {
      const HostSpec& spec = s.plat.hosts[h];
      const HostState& hs = s.view.hosts[h];
      if (!hs.on || !s.plat.reachable(r.source, h) || !s.plat.reachable(h, r.source)) continue;
      const double load = hs.load(spec.cores);
      if (load > 0.8 || (spec.memory_bytes > 0 && weight > spec.memory_bytes)) continue;
      double t = stage_seconds(spec, s.model, 1, R) * spec.pstates[0].speed / spec.pstates[hs.pstate].speed;
      if (history && hs.completed > 0) t = hs.mean_service_s();
      const double free = std::max(0.0, 1.0 - load);
      const double cpu = std::min(spec.cores * free / 1.0, 1.0);
      const double mem = spec.memory_bytes > 0 && weight > 0 ? std::min(spec.memory_bytes * free / weight, 1.0) : 1.0;
      const double e = spec.power_w(hs.pstate, spec.cores) * t / 3.6e6;
      // Same expression order as the policy, so equal inputs give bit-equal scores.
      const double S_R = 0.5 * (cpu + mem), S_L = free, S_P = 1.0 / (1.0 + t),
                   S_B = 1.0 / (1.0 + 2.0 * (hs.busy + hs.queued)), S_C = 1.0 / (1.0 + hs.intensity * e);
      scored.push_back({w[0] * S_R + w[1] * S_L + w[2] * S_P + w[3] * S_B + w[4] * S_C, h});
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](auto& a, auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    INFO("iteration " << iter);
    REQUIRE(plan.rejected() == scored.empty());
    if (scored.empty()) continue;
    REQUIRE(plan.stages.size() == 1);
    CHECK(plan.stages[0].host == scored[0].second);
  }
}
