// intensity-adaptive: carbon-intensity-aware model selection (arXiv 2403.15824, papers.md §2.1).
// For a family request, on the serving host h (configured `host`, default the request's source):
//   E_m      = predicted energy of one inference of variant m on h (see `energy` below)
//   E_l, E_h = min / max of E_m over the family's variants that fit in h's memory
//   C_cur    = HostState::intensity of h, clamped to [C_l, C_h]
//   E_target = E_h − (C_cur − C_l)/(C_h − C_l) · (E_h − E_l)      (E_h when C_h == C_l)
//   serve argmin_m |E_m − E_target| (ties: the cheaper variant), whole model on h.
// So the lowest intensity of the window serves the largest model, the highest the smallest.
// energy: dynamic (default)  → E_m = (P(pstate, 1 busy core) − P_idle(pstate)) · t_m
//         all_cores          → E_m = P(pstate, all cores busy) · t_m
//   t_m = stage_seconds(h, m, all rows) × speed(pstate 0)/speed(pstate).
//   On an accelerator or an LLM engine the device's own figures replace the pstate model:
//   stage_dynamic_energy (its table's power at batch 1; an LLM's nominal request, prefill and decode
//   phases at their power) in the host's current mode, + idle × t_m with all_cores; variants the
//   device cannot run are left out.
// C_l, C_h come from, in order: the `c_low`/`c_high` parameters; with `window: DURATION` the min/max
// of h's zone over the trailing window [now − W, now] (causal: only intensities already observed);
// with `lookahead: DURATION` the min/max of C_cur and the forecast of h's zone issued now at every
// hour of (now, now + L] (ClusterView::forecast: perfect, persistence, noisy or a file); with
// `window: span` (default) ClusterView::window_min_max[h] when sim/ fills it, else the min/max of h's
// zone over the whole experiment (carbon.start .. start + duration) — an oracle that knows the
// evaluation period in advance, as the paper's "lowest/highest observed CI" is read in papers.md §2.1.
// Every intensity beyond C_cur is read through the view (ClusterView::forecast and its trace()),
// never from files; without a forecaster in the view (a hand-built view) C_l = C_h = C_cur.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "carbon/forecast.hpp"
#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/model_cache.hpp"

namespace ce {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per model: whole-model weight bytes and time on each host at pstate 0, memoised.
struct ModelFacts {
  double weight = 0;
  std::vector<double> seconds;
};

class IntensityAdaptive : public Policy {
 public:
  // A variant is dominated when another costs no more energy and is at least as accurate (one of
  // the two strictly): e.g. VGG-16 next to ResNet-152. The paper's rule would still serve it.
  void set_pareto(bool on) { pareto_ = on; }

  static void drop_dominated(std::vector<std::pair<double, const ModelProfile*>>& e) {
    auto dominated = [&](const std::pair<double, const ModelProfile*>& a) {
      for (const auto& b : e)
        if (b.first <= a.first && b.second->top1 >= a.second->top1 &&
            (b.first < a.first || b.second->top1 > a.second->top1))
          return true;
      return false;
    };
    thread_local std::vector<std::pair<double, const ModelProfile*>> kept;
    kept.clear();
    for (const auto& a : e)
      if (!dominated(a)) kept.push_back(a);
    e.swap(kept);
  }

  // span_s: the experiment's duration (NaN: unknown); window_s > 0: trailing window; lookahead_s > 0:
  // forecast window.
  IntensityAdaptive(int host, bool all_cores, double c_low, double c_high, double span_s, double window_s,
                    double lookahead_s)
      : host_(host),
        all_cores_(all_cores),
        c_low_(c_low),
        c_high_(c_high),
        span_s_(span_s),
        window_s_(window_s),
        lookahead_s_(lookahead_s) {}

  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const uint32_t h = host_ >= 0 ? static_cast<uint32_t>(host_) : req.source;
    const HostState& hs = view.hosts[h];
    const HostSpec& spec = view.platform->hosts[h];
    if (!hs.on) return Plan{nullptr, {}, "serving host is off"};
    if (h != req.source && (!view.platform->reachable(req.source, h) || !view.platform->reachable(h, req.source)))
      return Plan{nullptr, {}, "serving host is unreachable from the source"};
    const double slow = spec.pstates.at(0).speed / spec.pstates.at(hs.pstate).speed;
    const double watts = all_cores_ ? spec.power_w(hs.pstate, spec.cores)
                                    : spec.power_w(hs.pstate, 1) - spec.pstates.at(hs.pstate).idle_w;
    thread_local std::vector<std::pair<double, const ModelProfile*>> e;  // (energy J, variant), cheapest MACs first
    e.clear();
    for (const ModelProfile* m : variants) {
      const ModelFacts& mf = facts_.get(m, [&] {
        const size_t R = m->row_count() - 1;
        ModelFacts f;
        f.weight = stage_weight_bytes(*m, 1, R);
        for (const HostSpec& hs2 : view.platform->hosts) f.seconds.push_back(stage_seconds(hs2, *m, 1, R));
        return f;
      });
      if (spec.memory_bytes > 0 && mf.weight > spec.memory_bytes) continue;
      // An accelerator or LLM engine says what a variant draws itself (its table, its phases' power).
      const double dyn = spec.accelerator ? stage_dynamic_energy(spec, *m, 1, m->row_count() - 1, hs.pstate) : kNaN;
      if (std::isinf(dyn)) continue;  // the device cannot run it
      if (!std::isnan(dyn)) {
        e.push_back({dyn + (all_cores_ ? spec.pstates.at(hs.pstate).idle_w * mf.seconds[h] : 0.0), m});
        continue;
      }
      e.push_back({watts * mf.seconds[h] * slow, m});
    }
    if (pareto_) drop_dominated(e);
    if (e.empty()) return Plan{nullptr, {}, "no variant fits in the serving host's memory"};
    double el = e[0].first, eh = e[0].first;
    for (auto& [x, m] : e) {
      el = std::min(el, x);
      eh = std::max(eh, x);
    }
    auto [cl, ch] = window(h, view);
    const double target = energy_target(hs.intensity, cl, ch, el, eh);
    const ModelProfile* best = nullptr;
    double best_d = std::numeric_limits<double>::infinity(), best_e = 0;
    for (auto& [x, m] : e) {
      double d = std::abs(x - target);
      if (d < best_d || (d == best_d && x < best_e)) {
        best_d = d;
        best_e = x;
        best = m;
      }
    }
    return whole_model_on(best, h);
  }

  static double energy_target(double c, double cl, double ch, double el, double eh) {
    if (!(ch > cl)) return eh;
    c = std::clamp(c, cl, ch);
    return eh - (c - cl) / (ch - cl) * (eh - el);
  }

 private:
  std::pair<double, double> window(uint32_t h, const ClusterView& view) const {
    std::pair<double, double> w{kNaN, kNaN};
    const Forecaster* f = view.forecast;
    const std::string& zone = view.platform->hosts[h].region;
    if (!std::isnan(c_low_) && !std::isnan(c_high_)) {
      // both fixed: nothing to read
    } else if (window_s_ > 0) {  // trailing: what has been observed over [now − W, now]
      if (f) w = timeline_min_max(f->trace(zone), view.now_s - window_s_, view.now_s, true);
    } else if (lookahead_s_ > 0) {  // ahead: now and the forecast issued now, hourly over (now, now + L]
      if (f) {
        const size_t z = f->zone_index(zone);
        w = {view.hosts[h].intensity, view.hosts[h].intensity};
        for (double k = 1; k * 3600.0 <= lookahead_s_; ++k) {
          const double v = f->at(z, view.now_s, view.now_s + k * 3600.0);
          w.first = std::min(w.first, v);
          w.second = std::max(w.second, v);
        }
      }
    } else if (h < view.window_min_max.size()) {  // span, from sim/
      w = view.window_min_max[h];
    } else if (f && !std::isnan(span_s_)) {  // span, from the trace in the view (a hand-built view)
      w = timeline_min_max(f->trace(zone), 0, span_s_, false);
    }
    if (!std::isnan(c_low_)) w.first = c_low_;
    if (!std::isnan(c_high_)) w.second = c_high_;
    if (std::isnan(w.first)) w.first = view.hosts[h].intensity;
    if (std::isnan(w.second)) w.second = view.hosts[h].intensity;
    return w;
  }

  int host_;  // -1: the source device
  bool all_cores_;
  bool pareto_ = false;  // serve only variants no other variant beats on both energy and top-1
  double c_low_, c_high_;  // NaN: not configured
  double span_s_;          // the experiment's duration (window: span without sim/'s window_min_max)
  double window_s_;        // > 0: `window: DURATION`
  double lookahead_s_;     // > 0: `lookahead: DURATION`
  PerModelCache<ModelFacts> facts_;
};

}  // namespace

std::unique_ptr<Policy> make_intensity_adaptive(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "energy", "c_low", "c_high", "window", "lookahead", "pareto"});
  std::string host = p.str_or("host", "source");
  int h = host == "source" ? -1 : static_cast<int>(host_param(p, "host", ctx));
  std::string energy = p.str_or("energy", "dynamic");
  if (energy != "dynamic" && energy != "all_cores")
    p.fail("energy", fmt::format("'{}' is not dynamic or all_cores", energy));
  double cl = p.has("c_low") ? p.num("c_low") : kNaN;
  double ch = p.has("c_high") ? p.num("c_high") : kNaN;
  if (!std::isnan(cl) && !std::isnan(ch) && !(ch > cl)) p.fail("c_high", "must be > c_low");
  const bool span = p.str_or("window", "span") == "span";
  const double window_s = span ? 0 : p.quantity("window", Unit::Duration);
  if (!span && !(window_s > 0)) p.fail("window", "must be 'span' or a positive duration such as 24h");
  const double lookahead_s = p.has("lookahead") ? p.quantity("lookahead", Unit::Duration) : 0;
  if (p.has("lookahead") && !(lookahead_s >= 3600))
    p.fail("lookahead", "must be a duration of at least 1h (the forecast is read hourly), such as 24h");
  if (p.has("lookahead") && p.has("window")) p.fail("lookahead", "use either window or lookahead, not both");
  // Intensities are read from the view at decision time (ClusterView::forecast); only the span's
  // length comes from the experiment.
  const double span_s = ctx.experiment ? ctx.experiment->carbon.duration_s : kNaN;
  auto policy = std::make_unique<IntensityAdaptive>(h, energy == "all_cores", cl, ch, span_s, window_s, lookahead_s);
  policy->set_pareto(p.boolean_or("pareto", false));
  return policy;
}

}  // namespace ce
