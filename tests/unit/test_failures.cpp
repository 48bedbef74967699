// The outage processes of `failures:` (config/failures.hpp): the draws follow their distributions,
// are deterministic per seed, alternate up and down and are clipped to the run.
#include <catch2/catch.hpp>

#include <cmath>

#include "config/failures.hpp"

using namespace ce;

namespace {

LifetimeDist fixed(double s) {
  LifetimeDist d;
  d.kind = LifetimeDist::Fixed;
  d.mean_s = s;
  return d;
}

// Mean up time and mean down time over a long run.
std::pair<double, double> means(const LifetimeDist& ttf, const LifetimeDist& ttr, uint64_t seed) {
  const auto out = draw_outages(ttf, ttr, 1e10, seed);
  double up = 0, down = 0, last_up = 0;
  for (size_t i = 0; i + 1 < out.size(); ++i) {  // the last outage may be clipped
    up += out[i].down_s - last_up;
    down += out[i].up_s - out[i].down_s;
    last_up = out[i].up_s;
  }
  const double n = static_cast<double>(out.size() - 1);
  return {up / n, down / n};
}

}  // namespace

TEST_CASE("failures: fixed times give the outages by hand, the last one clipped to the run", "[failures]") {
  const auto out = draw_outages(fixed(900), fixed(300), 3600, 1);
  REQUIRE(out.size() == 3);
  CHECK(out[0].down_s == 900);
  CHECK(out[0].up_s == 1200);
  CHECK(out[1].down_s == 2100);
  CHECK(out[1].up_s == 2400);
  CHECK(out[2].down_s == 3300);
  CHECK(out[2].up_s == 3600);
  CHECK(draw_outages(fixed(3600), fixed(1), 3600, 1).empty());  // the first failure would be at the end
}

TEST_CASE("failures: exponential and Weibull draws have their distributions' means; same seed, same draws",
          "[failures]") {
  LifetimeDist exp_ttf;
  exp_ttf.kind = LifetimeDist::Exponential;
  exp_ttf.mean_s = 5 * 86400.0;
  LifetimeDist weibull_ttr;
  weibull_ttr.kind = LifetimeDist::Weibull;
  weibull_ttr.shape = 0.7;
  weibull_ttr.scale_s = 3600;
  const auto [up, down] = means(exp_ttf, weibull_ttr, 42);
  CHECK(std::abs(up / exp_ttf.mean_s - 1) < 0.03);
  // Weibull mean = λ Γ(1 + 1/k).
  CHECK(std::abs(down / (3600 * std::tgamma(1 + 1 / 0.7)) - 1) < 0.05);
  const auto a = draw_outages(exp_ttf, weibull_ttr, 1e8, 7), b = draw_outages(exp_ttf, weibull_ttr, 1e8, 7),
             c = draw_outages(exp_ttf, weibull_ttr, 1e8, 8);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK((a[i].down_s == b[i].down_s && a[i].up_s == b[i].up_s));
  CHECK((c.size() != a.size() || c[0].down_s != a[0].down_s));
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].down_s < a[i].up_s);
    if (i) CHECK(a[i - 1].up_s < a[i].down_s);
  }
}
