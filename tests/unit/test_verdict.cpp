// The verdict line under the printed table (src/output/verdict.hpp): lowest carbon per inference,
// lowest p95, the Pareto set; ties name every policy; a policy that completed nothing takes no part.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "output/verdict.hpp"

using namespace ce;

namespace {

const double kNull = std::numeric_limits<double>::quiet_NaN();

VerdictPoint pt(const std::string& name, double carbon, double p95, double top1 = 76.13, uint64_t completed = 100) {
  VerdictPoint p;
  p.policy = name;
  p.completed = completed;
  p.gco2_per_inference = carbon;
  p.p95_ms = p95;
  p.top1 = top1;
  return p;
}

}  // namespace

TEST_CASE("verdict: the lowest carbon, the lowest p95 and the non-dominated policies", "[output][verdict]") {
  // green: least carbon, slow; fast: quickest, more carbon; bad: dominated by green.
  const Verdict v = make_verdict({pt("fast", 0.006, 50), pt("green", 0.004, 270), pt("bad", 0.005, 300)});
  CHECK(v.lowest_carbon == std::vector<std::string>{"green"});
  CHECK(v.carbon == 0.004);
  CHECK(v.lowest_p95 == std::vector<std::string>{"fast"});
  CHECK(v.p95_ms == 50);
  CHECK(v.pareto == std::vector<std::string>{"fast", "green"});
  CHECK_FALSE(v.with_accuracy);  // same model everywhere: accuracy is no axis
  CHECK(verdict_line(v) ==
        "verdict: lowest carbon/inference green (0.004 g); lowest p95 latency fast (50.00 ms); Pareto (carbon/"
        "inference, p95): fast, green\n");
}

TEST_CASE("verdict: ties name every policy, equal points are both Pareto-optimal", "[output][verdict]") {
  const Verdict v = make_verdict({pt("a", 0.004, 100), pt("b", 0.004, 100), pt("c", 0.004, 120)});
  CHECK(v.lowest_carbon == std::vector<std::string>{"a", "b", "c"});
  CHECK(v.lowest_p95 == std::vector<std::string>{"a", "b"});
  CHECK(v.pareto == std::vector<std::string>{"a", "b"});  // c: same carbon, slower
  CHECK(verdict_line(v).find("lowest carbon/inference a = b = c (0.004 g)") != std::string::npos);
}

TEST_CASE("verdict: a policy with no completed request is left out and named", "[output][verdict]") {
  // Nothing completed: per-inference figures are null and p95 is 0 — it must not win on latency.
  const Verdict v = make_verdict({pt("idle", kNull, 0, kNull, 0), pt("busy", 0.25, 120)});
  CHECK(v.lowest_p95 == std::vector<std::string>{"busy"});
  CHECK(v.pareto == std::vector<std::string>{"busy"});
  CHECK(v.no_completed == std::vector<std::string>{"idle"});
  CHECK(verdict_line(v).find("; no completed request: idle\n") != std::string::npos);

  const Verdict none = make_verdict({pt("x", kNull, 0, kNull, 0), pt("y", kNull, 0, kNull, 0)});
  CHECK(none.pareto.empty());
  CHECK(verdict_line(none) == "verdict: no policy completed a request\n");
}

TEST_CASE("verdict: accuracy is a Pareto axis only when the policies' accuracies differ", "[output][verdict]") {
  // big: more carbon and latency, but more accurate — Pareto-optimal only with the accuracy axis.
  const Verdict v = make_verdict({pt("small", 0.003, 2, 56.5), pt("big", 0.004, 8, 78.3)});
  CHECK(v.with_accuracy);
  CHECK(v.pareto == std::vector<std::string>{"small", "big"});
  CHECK(verdict_line(v).find("Pareto (carbon/inference, p95, top-1): small, big") != std::string::npos);
  // A model without accuracy (null) makes accuracy no axis: big is then dominated.
  const Verdict w = make_verdict({pt("small", 0.003, 2, kNull), pt("big", 0.004, 8, 78.3)});
  CHECK_FALSE(w.with_accuracy);
  CHECK(w.pareto == std::vector<std::string>{"small"});
}

TEST_CASE("verdict_point reads a summary, null figures stay null", "[output][verdict]") {
  const nlohmann::json s = {{"requests_completed", 150},
                            {"gco2_per_inference", 0.0054},
                            {"latency_ms", {{"p95", 254.97}}},
                            {"mean_top1", nullptr}};
  const VerdictPoint p = verdict_point("mono", s);
  CHECK(p.completed == 150);
  CHECK(p.gco2_per_inference == 0.0054);
  CHECK(p.p95_ms == 254.97);
  CHECK(std::isnan(p.top1));
}
