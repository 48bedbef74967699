// timing.json's decision statistics (src/accounting/run_metrics.hpp decision_timing): the first,
// cold decision apart; later samples weighted by the decisions each stands for; a trimmed mean
// that stays <= p99 when a few preempted samples make the plain mean exceed it.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "accounting/run_metrics.hpp"

using namespace ce;

TEST_CASE("decision timing: first decision apart, mean and quantiles over the same samples", "[accounting][timing]") {
  // 1 cold decision of 50 µs, 99 of 100 ns, one preempted at 1 ms.
  std::vector<double> ns(101, 100.0);
  ns[0] = 50000;
  ns[100] = 1e6;
  const DecisionTiming t = decision_timing(ns);
  CHECK(t.sampled == 101);
  CHECK(t.first_us == 50.0);
  CHECK(t.p50_us == Approx(0.1));
  CHECK(t.p99_us == Approx(0.1));
  CHECK(t.max_us == Approx(1000.0));
  CHECK(t.mean_us == Approx((99 * 100.0 + 1e6) / 100 / 1e3));  // ~10 µs: above p99, as max explains
  CHECK(t.trimmed_mean_us == Approx(0.1));
  CHECK(t.trimmed_mean_us <= t.p99_us);
}

TEST_CASE("decision timing: samples after the first kDecisionTimedAll stand for kDecisionTimedEvery each",
          "[accounting][timing]") {
  // The warm-up (all timed) is slow, the sampled rest fast: unweighted, the warm-up would be
  // kDecisionTimedAll of kDecisionTimedAll + 100 samples; weighted, it is 4095 of 4095 + 6400.
  std::vector<double> ns(kDecisionTimedAll, 1000.0);
  ns.insert(ns.end(), 100, 100.0);
  const DecisionTiming t = decision_timing(ns);
  const double w_late = 100.0 * kDecisionTimedEvery, w_early = kDecisionTimedAll - 1.0;
  CHECK(t.mean_us == Approx((w_early * 1000 + w_late * 100) / (w_early + w_late) / 1e3));
  CHECK(t.p50_us == Approx(0.1));  // most decisions were the fast, sampled ones
  CHECK(t.p99_us == Approx(1.0));
}

TEST_CASE("decision timing: nothing timed gives null, one decision only the first", "[accounting][timing]") {
  const DecisionTiming none = decision_timing({});
  CHECK(none.sampled == 0);
  CHECK(std::isnan(none.first_us));
  CHECK(std::isnan(none.mean_us));
  const DecisionTiming one = decision_timing({2000.0});
  CHECK(one.first_us == 2.0);
  CHECK(std::isnan(one.p99_us));
  CHECK(std::isnan(one.trimmed_mean_us));
}
