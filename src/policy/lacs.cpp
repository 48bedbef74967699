// lacs: online carbon-aware scaling of a batch job whose length is not known (LACS, Bostandoost
// et al., e-Energy'24, arXiv 2404.15211), built, as LACS is, on RORO's threshold algorithm for
// online conversion with switching costs (Lechowicz et al., SIGMETRICS'24; the code of
// umassos/roro-experiments, `roroOnline` and `thresholdFunc`; ../shared/reference/temporal-shifting.md
// §3). LACS's own extensions are not public; what is here is RORO over the job's slots with a
// length prediction in place of the known demand:
//   prices c_t: the slot's forecast intensity; L, U: the lowest and highest forecast over the rest
//   of the job's window (re-read at every slot); β = switching_cost · U per unit change of rate;
//   α = 1 / (1 − 2β/U + W0(((2β/U + L/U − 1)·e^{2β/U}) / e)),  φ(w) = U − β + (U/α − U + 2β)·e^{w/α};
//   w = fraction of the predicted length started so far; each slot runs the fraction
//   x = argmin_{x ∈ [0, min(1 − w, x_max)]} c_t·x + β·|x − x_prev| − ∫_w^{w+x} φ(u) du
//   (x_max: what all workers do in the slot), but at least what the remaining slots at all workers
//   cannot do (compulsory). With `length_known: false` the length is the prediction, the job's
//   length × (1 + length_error) (`length_error`, default 0: the advice is right), and the true
//   length is never read; a prediction overtaken while requests are left runs the rest flat out.
//   x becomes the fewest workers that do it in the slot (at least the job's min_workers).
#include <boost/math/special_functions/lambert_w.hpp>

#include <algorithm>
#include <cmath>

#include "policy/batch_policy.hpp"
#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

struct Roro {
  double alpha, U, beta;
  double phi(double w) const { return U - beta + (U / alpha - U + 2 * beta) * std::exp(w / alpha); }
  // ∫_a^b φ(u) du
  double integral(double a, double b) const {
    return (U - beta) * (b - a) + (U / alpha - U + 2 * beta) * alpha * (std::exp(b / alpha) - std::exp(a / alpha));
  }
};

Roro roro(double L, double U, double beta) {
  const double b = 2 * beta / U;
  const double arg = (b + L / U - 1) * std::exp(b) / std::exp(1.0);
  const double w0 = boost::math::lambert_w0(std::max(arg, -1 / std::exp(1.0)));
  return Roro{1 / (1 - b + w0), U, beta};
}

SlotPlan plan_lacs(const JobPlanInput& in, double length_error, double switching_cost) {
  const ScalingProfile& p = in.rest.profile;
  const uint32_t K = p.max_workers();
  const SlotGrid& g = in.grid;
  SlotPlan plan;
  plan.workers.assign(g.intensity.size(), 0);
  plan.use.assign(g.intensity.size(), 0.0);
  plan.feasible = true;
  const BatchJob& job = *in.job;
  const double begun = in.items_done + in.items_running;
  // The job's length: known, or the prediction. A prediction overtaken while requests are left
  // says nothing of how many: the rest runs flat out.
  const double total = job.length_known ? job.items : job.items * (1 + length_error);
  if (!job.length_known && begun >= total * (1 - 1e-9)) {
    plan.workers[0] = K;
    plan.use[0] = 1;
    return plan;
  }
  const double w = begun / total;
  double L = g.intensity[0], U = g.intensity[0];
  for (double c : g.intensity) L = std::min(L, c), U = std::max(U, c);
  auto slot_fraction = [&](size_t t, uint32_t k) { return g.seconds(t) * p.throughput[k] / total; };
  double later = 0;  // what all workers can do after this slot
  for (size_t t = 1; t < g.intensity.size(); ++t) later += slot_fraction(t, K);
  const double x_max = std::min(1 - w, slot_fraction(0, K));
  const double compulsory = std::clamp((1 - w) - later, 0.0, x_max);
  double x = compulsory;
  if (U > 0 && U > L && x_max > compulsory) {
    const Roro r = roro(L, U, switching_cost * U);
    const double x_prev = in.previous_workers ? slot_fraction(0, in.previous_workers) : 0.0;
    auto cost = [&](double v) { return g.intensity[0] * v + r.beta * std::abs(v - x_prev) - r.integral(w, w + v); };
    double best = cost(compulsory);
    constexpr int kSteps = 256;  // the objective is convex in x: a fine grid is within 1/256 of x_max
    for (int i = 1; i <= kSteps; ++i) {
      const double v = compulsory + (x_max - compulsory) * i / kSteps;
      const double c = cost(v);
      if (c < best) best = c, x = v;
    }
    if (x_prev > compulsory && x_prev < x_max && cost(x_prev) < best) x = x_prev;
  } else if (U <= L) {
    x = x_max;  // a flat forecast: waiting gains nothing
  }
  if (!(x > 0)) return plan;
  const double items = x * total;
  uint32_t k = std::min(in.rest.min_workers, K);
  while (k < K && g.seconds(0) * p.throughput[k] < items) ++k;
  plan.workers[0] = k;
  plan.use[0] = std::min(1.0, items / (g.seconds(0) * p.throughput[k]));
  return plan;
}

}  // namespace

std::unique_ptr<Policy> make_lacs(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "variant", "slot", "margin", "length_error", "switching_cost"});
  const double length_error = p.num_or("length_error", 0);
  if (!(length_error > -1) || !std::isfinite(length_error)) p.fail("length_error", "must be a number > -1 (0: exact)");
  const double switching = p.non_negative_or("switching_cost", 0);
  if (!(switching < 0.5)) p.fail("switching_cost", "must be in [0, 0.5) (a fraction of the highest intensity)");
  return make_batch_policy(p, ctx, [length_error, switching](const JobPlanInput& in) {
    return plan_lacs(in, length_error, switching);
  });
}

}  // namespace ce
