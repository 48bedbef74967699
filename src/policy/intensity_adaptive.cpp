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
// C_l, C_h come from, in order: the `c_low`/`c_high` parameters; ClusterView::window_min_max[h]
// when sim/ fills it; else the min/max of h's zone over the whole experiment (carbon.start ..
// start + duration), computed once by the factory from the experiment's carbon inputs.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "carbon/carbon_catalog.hpp"
#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class IntensityAdaptive : public Policy {
 public:
  IntensityAdaptive(int host, bool all_cores, double c_low, double c_high, std::vector<std::pair<double, double>> exp)
      : host_(host), all_cores_(all_cores), c_low_(c_low), c_high_(c_high), exp_minmax_(std::move(exp)) {}

  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const uint32_t h = host_ >= 0 ? static_cast<uint32_t>(host_) : req.source;
    const HostState& hs = view.hosts[h];
    const HostSpec& spec = view.platform->hosts[h];
    if (!hs.on) return Plan{nullptr, {}, "serving host is off"};
    if (h != req.source && (!view.platform->reachable[req.source][h] || !view.platform->reachable[h][req.source]))
      return Plan{nullptr, {}, "serving host is unreachable from the source"};
    const double slow = spec.pstates.at(0).speed / spec.pstates.at(hs.pstate).speed;
    const double watts = all_cores_ ? spec.power_w(hs.pstate, spec.cores)
                                    : spec.power_w(hs.pstate, 1) - spec.pstates.at(hs.pstate).idle_w;
    std::vector<std::pair<double, const ModelProfile*>> e;  // (energy J, variant), cheapest MACs first
    for (const ModelProfile* m : variants) {
      const size_t R = m->row_count() - 1;
      if (spec.memory_bytes > 0 && stage_weight_bytes(*m, 1, R) > spec.memory_bytes) continue;
      e.push_back({watts * stage_seconds(spec, *m, 1, R) * slow, m});
    }
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
    if (h < view.window_min_max.size()) w = view.window_min_max[h];
    else if (h < exp_minmax_.size()) w = exp_minmax_[h];
    if (!std::isnan(c_low_)) w.first = c_low_;
    if (!std::isnan(c_high_)) w.second = c_high_;
    if (std::isnan(w.first)) w.first = view.hosts[h].intensity;
    if (std::isnan(w.second)) w.second = view.hosts[h].intensity;
    return w;
  }

  int host_;  // -1: the source device
  bool all_cores_;
  double c_low_, c_high_;                              // NaN: not configured
  std::vector<std::pair<double, double>> exp_minmax_;  // per host, over the experiment; may be empty
};

}  // namespace

std::unique_ptr<Policy> make_intensity_adaptive(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "energy", "c_low", "c_high"});
  std::string host = p.str_or("host", "source");
  int h = host == "source" ? -1 : static_cast<int>(host_param(p, "host", ctx));
  std::string energy = p.str_or("energy", "dynamic");
  if (energy != "dynamic" && energy != "all_cores")
    p.fail("energy", fmt::format("'{}' is not dynamic or all_cores", energy));
  double cl = p.has("c_low") ? p.num("c_low") : kNaN;
  double ch = p.has("c_high") ? p.num("c_high") : kNaN;
  if (!std::isnan(cl) && !std::isnan(ch) && !(ch > cl)) p.fail("c_high", "must be > c_low");
  // Fallback window: the experiment's whole span, per host zone.
  std::vector<std::pair<double, double>> mm;
  if (ctx.experiment && (std::isnan(cl) || std::isnan(ch))) {
    const Experiment& e = *ctx.experiment;
    std::set<std::string> zones;
    for (const auto& hs : ctx.platform->hosts) zones.insert(hs.region);
    ZoneTimelines zt = load_zone_timelines(e, zones);
    for (const auto& hs : ctx.platform->hosts) {
      const Timeline& tl = zt.by_zone.at(hs.region);
      double lo = tl.at(0), hi = lo;
      for (const auto& pt : tl.points()) {
        if (pt.t >= e.carbon.duration_s) break;
        if (pt.t < 0) continue;
        lo = std::min(lo, pt.value);
        hi = std::max(hi, pt.value);
      }
      mm.push_back({lo, hi});
    }
  }
  return std::make_unique<IntensityAdaptive>(h, energy == "all_cores", cl, ch, std::move(mm));
}

}  // namespace ce
