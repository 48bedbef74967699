// faillite's backup MILP (placement/backup_plan.hpp) against brute force on small random instances,
// and its memory rules by hand.
#include <catch2/catch.hpp>

#include <functional>
#include <random>

#include "placement/backup_plan.hpp"

using namespace ce;

namespace {

BackupPlan brute_force(const BackupProblem& p) {
  BackupPlan best = evaluate_backups(p, std::vector<int>(p.services.size(), -1));
  std::vector<int> choice(p.services.size(), -1);
  std::function<void(size_t)> rec = [&](size_t s) {
    if (s == p.services.size()) {
      const BackupPlan x = evaluate_backups(p, choice);
      if (x.feasible && x.objective > best.objective) best = x;
      return;
    }
    for (int o = -1; o < static_cast<int>(p.services[s].options.size()); ++o) {
      choice[s] = o;
      rec(s + 1);
    }
    choice[s] = -1;
  };
  rec(0);
  return best;
}

}  // namespace

TEST_CASE("backup plan: CBC equals brute force on 300 random instances", "[placement][replicas]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  for (int k = 0; k < 300; ++k) {
    BackupProblem p;
    const uint32_t hosts = 2 + static_cast<uint32_t>(rng() % 3);
    for (uint32_t h = 0; h < hosts; ++h) p.free_bytes.push_back((0.1 + u(rng)) * 1e9);
    const size_t services = 1 + rng() % 4;
    for (size_t s = 0; s < services; ++s) {
      BackupService bs;
      bs.primary = static_cast<uint32_t>(rng() % hosts);
      bs.warm = rng() % 2 == 0;
      const size_t options = rng() % 4;
      for (size_t o = 0; o < options; ++o) {
        uint32_t h = static_cast<uint32_t>(rng() % hosts);
        if (h == bs.primary) h = (h + 1) % hosts;
        bs.options.push_back({h, (0.05 + u(rng)) * 0.6e9, 0.5 + u(rng)});
      }
      p.services.push_back(bs);
    }
    INFO("instance " << k);
    const BackupPlan cbc = plan_backups(p), bf = brute_force(p);
    REQUIRE(cbc.feasible);
    CHECK(cbc.proven_optimal);
    CHECK(cbc.objective == Approx(bf.objective).epsilon(1e-9).margin(1e-12));
  }
}

TEST_CASE("backup plan: warm backups always count, cold ones only in their primary's failure", "[placement][replicas]") {
  // Host 2 has 1 GB free. Services 0 and 1 (primaries 0 and 1, cold) each want a 0.8 GB backup on
  // host 2: both fit, as their primaries do not fail together. A warm service 2 wanting 0.3 GB there
  // too leaves room for neither cold one beside it.
  BackupProblem p;
  p.free_bytes = {1e9, 1e9, 1e9};
  p.services = {{0, false, {{2, 0.8e9, 1.0}}}, {1, false, {{2, 0.8e9, 1.0}}}};
  BackupPlan x = plan_backups(p);
  CHECK(x.option == std::vector<int>{0, 0});
  p.services.push_back({0, true, {{2, 0.3e9, 1.5}}});
  x = plan_backups(p);
  CHECK(x.feasible);
  // Warm (1.5) + nothing cold (0.3 + 0.8 > 1) vs both cold (2.0) without the warm one: 2.0 wins.
  CHECK(x.option == std::vector<int>{0, 0, -1});
  p.services[2].options[0].value = 2.5;
  CHECK(plan_backups(p).option == std::vector<int>{-1, -1, 0});
}
