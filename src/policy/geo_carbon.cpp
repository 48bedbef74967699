// geo-carbon: CarbonEdge's placement (Wu et al., HPDC'25; docs/policies.md "Space") — request
// streams (a source device × model × SLO) on pools of hosts (a site's hosts of one kind), chosen
// by a MILP (placement/placement_problem.hpp, COIN-OR CBC) that minimises each stream's dynamic
// energy × its pool's intensity plus the idle and boot carbon of the hosts kept or switched on,
// under capacity (`max_utilisation` of each host's cores), the streams' SLOs (only pools whose
// idle-host latency meets the SLO, and, with `latency_budget`, whose one-way network latency is
// within the budget of the nearest pool). Hosts no stream needs are powered off — never while they
// run requests (the paper's "running servers are not switched off": here a host drains first, then
// goes off; it is not kept on for the interval, so PlacementPool::min_on stays 0) — and when new
// hosts must boot first, the old ones keep serving until the boots are over (make before break).
//
// When: every `replan` (default 1 h, first at `warmup`) and at the first arrival after any zone's
// intensity changes; each stream's demand is its arrivals since the previous solve (at least one per
// interval, so every known stream keeps a host within its SLO). A stream seen for the first time is
// placed at once, incrementally: the option of least marginal carbon given the hosts on. CBC starts
// from the better of the plan in force and a greedy plan, and stops within `solver_gap` (default 1%)
// of the optimum, or at `solver_node_limit` nodes (deterministic) or `solver_time_limit` (wall
// clock: off by default, since it makes runs machine-dependent); the plan is then its best one,
// never worse than the one it started from. If even all hosts cannot carry the demand, every host is kept on
// and streams go to their cleanest option.
//
// Per request: the least-loaded host of the stream's pool that is on; if its queue (the requests
// sent there and not done) or the transfers on its links now would break the SLO, the cleanest host
// on among the stream's options that meets it; else the nearest candidate on that meets it; else
// the pool's least-loaded host (late), or a booting one (the request waits for it). A device no pool can serve within its SLO goes to the nearest usable host.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "placement/placement_problem.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/geo_pools.hpp"

namespace ce {
namespace {

constexpr double kJoulesPerKWh = 3.6e6;
constexpr uint64_t kReplanTimer = 1;

struct GeoCarbonOptions {
  double budget_s = std::numeric_limits<double>::infinity();
  double replan_s = 3600, warmup_s = 60;
  double max_utilisation = 0.7;
  uint32_t per_zone = 4;
  double link_sharing = 2;  // planning: each transfer shares its bottleneck with this many others
  PlacementLimits limits;
};

class GeoCarbon : public Policy {
 public:
  GeoCarbon(GeoCandidates cands, std::string variant, GeoCarbonOptions o)
      : cands_(std::move(cands)), variant_(std::move(variant)), o_(o), pools_(make_geo_pools(cands_)) {
    const auto& hosts = cands_.platform().hosts;
    leaving_.assign(hosts.size(), 0);
    outstanding_.assign(hosts.size(), 0);
    pool_load_.assign(pools_.size(), 0.0);
    target_.assign(pools_.size(), 0);
    for (uint32_t p = 0; p < pools_.size(); ++p) target_[p] = static_cast<uint32_t>(pools_[p].hosts.size());
  }

  uint32_t events() const override {
    return event_bit(PolicyEvent::Arrival) | event_bit(PolicyEvent::Start) | event_bit(PolicyEvent::Timer) |
           event_bit(PolicyEvent::IntensityChange) | event_bit(PolicyEvent::HostChange) |
           event_bit(PolicyEvent::RequestDone);
  }

  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    switch (ev.kind) {
      case PolicyEvent::Start: set_timer(o_.warmup_s, out); return;
      case PolicyEvent::IntensityChange:
        if (solved_) dirty_ = true;
        return;
      case PolicyEvent::Timer:
        if (ev.timer != kReplanTimer) return;
        replan(view, ev.t, out);
        set_timer((std::floor(ev.t / o_.replan_s) + 1) * o_.replan_s, out);
        return;
      case PolicyEvent::HostChange:
        booting_.erase(std::remove_if(booting_.begin(), booting_.end(),
                                      [&](uint32_t h) { return view.hosts[h].on || view.hosts[h].power == Power::Off; }),
                       booting_.end());
        if (booting_.empty()) switch_off_leaving(view, out);
        return;
      case PolicyEvent::RequestDone: {
        auto it = ev.request ? sent_.find(ev.request->id) : sent_.end();
        if (it != sent_.end()) --outstanding_[it->second], sent_.erase(it);
        if (!draining_.empty() && booting_.empty()) switch_off(draining_, view, out);
        return;
      }
      case PolicyEvent::Arrival: {
        if (dirty_) replan(view, ev.t, out);
        Decision d;
        d.request = ev.request->id;
        d.plan = route(*ev.request, *ev.variants, view, out);
        if (d.plan.rejected()) {
          d.kind = Decision::Reject, d.reason = d.plan.reject_reason;
        } else {
          const uint32_t h = d.plan.stages.front().host;
          ++outstanding_[h];
          sent_.emplace(d.request, h);
        }
        out.push_back(std::move(d));
        return;
      }
      default: return;
    }
  }

 private:
  struct Stream {
    uint32_t source = 0;
    const ModelProfile* model = nullptr;
    double slo = 0;
    std::vector<GeoOption> options;
    uint64_t arrivals = 0;  // since the last solve
    double rate = 0;        // req/s estimated at the last solve (0: not yet)
    int32_t pool = -1;      // where its requests go
  };

  void set_timer(double at, Decisions& out) const {
    Decision d;
    d.kind = Decision::SetTimer;
    d.until = at;
    d.timer = kReplanTimer;
    out.push_back(std::move(d));
  }

  // Per request of the stream over one interval, at pool p's hosts now.
  double service_s(uint32_t p, const Stream& s, const ClusterView& v) const { return cands_.service_s(pools_[p].rep(), *s.model, v); }
  double carbon_g(uint32_t p, const Stream& s, const ClusterView& v) const {
    const uint32_t h = pools_[p].rep();
    return cands_.dynamic_j(h, *s.model, v) * v.hosts[h].intensity / kJoulesPerKWh;
  }
  static bool powered(const HostState& s) { return GeoCandidates::powered(s); }

  Stream& stream_of(const Request& r, const ModelProfile& m, const ClusterView& view) {
    const StreamKey k{r.source, &m, r.slo_s};
    auto it = index_.find(k);
    if (it != index_.end()) return streams_[it->second];
    index_.emplace(k, static_cast<uint32_t>(streams_.size()));
    Stream s;
    s.source = r.source, s.model = &m, s.slo = r.slo_s;
    s.options = stream_options(r, m, view, cands_, pools_, o_.budget_s, o_.per_zone, o_.link_sharing);
    streams_.push_back(std::move(s));
    return streams_.back();
  }

  // A new stream between solves: the option of least marginal carbon given the hosts on (one more
  // host — its idle and boot carbon over an interval — where the pool is full or off).
  void place_new(Stream& s, const ClusterView& view, Decisions& out) {
    const double rate = 1.0 / o_.replan_s;
    double best = std::numeric_limits<double>::infinity();
    uint32_t best_pool = 0;
    bool grow = false;
    for (const GeoOption& o : s.options) {
      const uint32_t p = o.pool;
      const HostSpec& hs = cands_.platform().hosts[pools_[p].rep()];
      const double cap = hs.cores * o_.max_utilisation * target_[p];
      const bool full = pool_load_[p] + rate * service_s(p, s, view) > cap || !has_host_on(p, view);
      if (full && target_[p] >= pools_[p].hosts.size()) continue;
      double cost = rate * o_.replan_s * carbon_g(p, s, view);
      if (full) {
        const auto [idle, boot] = host_cost_g(p, view);
        cost += idle + boot;
      }
      if (cost < best) best = cost, best_pool = p, grow = full;
    }
    if (!std::isfinite(best)) {  // every option full: the nearest, over capacity
      best_pool = s.options.front().pool;
      grow = false;
    }
    s.pool = static_cast<int32_t>(best_pool);
    pool_load_[best_pool] += rate * service_s(best_pool, s, view);
    if (grow) power_on(best_pool, target_[best_pool] + 1, view, out);
  }

  bool has_host_on(uint32_t p, const ClusterView& view) const {
    for (uint32_t h : pools_[p].hosts)
      if (view.hosts[h].on && !leaving_[h]) return true;
    return false;
  }

  // (idle carbon of one host on over an interval, carbon of one boot) at pool p now.
  std::pair<double, double> host_cost_g(uint32_t p, const ClusterView& view) const {
    const uint32_t h = pools_[p].rep();
    const HostSpec& hs = cands_.platform().hosts[h];
    const double I = view.hosts[h].intensity / kJoulesPerKWh;
    const double idle = std::max(0.0, hs.power_w(view.hosts[h].pstate, 0) - hs.off_w) * o_.replan_s * I;
    const PowerStates& ps = hs.power_states;
    const double boot = std::max(0.0, (ps.boot_w - hs.off_w) * ps.boot_s + (ps.shutdown_w - hs.off_w) * ps.shutdown_s) * I;
    return {idle, boot};
  }

  void replan(const ClusterView& view, double now, Decisions& out) {
    dirty_ = false;
    const double window = now - last_solve_t_;
    PlacementProblem prob;
    prob.pools.resize(pools_.size());
    for (uint32_t p = 0; p < pools_.size(); ++p) {
      PlacementPool& q = prob.pools[p];
      const HostSpec& hs = cands_.platform().hosts[pools_[p].rep()];
      q.hosts = static_cast<uint32_t>(pools_[p].hosts.size());
      for (uint32_t h : pools_[p].hosts) {
        const HostState& s = view.hosts[h];
        if (powered(s)) ++q.on_now;
      }
      q.capacity = hs.cores * o_.max_utilisation;
      std::tie(q.idle_g, q.boot_g) = host_cost_g(p, view);
    }
    std::vector<uint32_t> placed;  // streams in the problem (with options)
    for (uint32_t i = 0; i < streams_.size(); ++i) {
      Stream& s = streams_[i];
      if (window >= 1.0) s.rate = std::max<double>(s.arrivals, 1.0) / window, s.arrivals = 0;
      if (s.options.empty()) continue;
      PlacementStream ps;
      for (const GeoOption& o : s.options)
        ps.options.push_back({o.pool, s.rate * service_s(o.pool, s, view), s.rate * o_.replan_s * carbon_g(o.pool, s, view)});
      prob.streams.push_back(std::move(ps));
      placed.push_back(i);
    }
    if (window >= 1.0) last_solve_t_ = now;
    solved_ = true;
    std::vector<uint32_t> start(placed.size(), 0);  // the plan in force, carried over
    for (size_t k = 0; k < placed.size(); ++k) {
      const auto& opts = streams_[placed[k]].options;
      for (uint32_t j = 0; j < opts.size(); ++j)
        if (static_cast<int32_t>(opts[j].pool) == streams_[placed[k]].pool) start[k] = j;
    }
    PlacementSolution sol = solve_placement(prob, o_.limits, start);
    std::fill(pool_load_.begin(), pool_load_.end(), 0.0);
    if (!sol.feasible) {  // more demand than all hosts carry: everything on, streams on their cleanest option
      for (size_t k = 0; k < placed.size(); ++k) {
        const auto& opts = prob.streams[k].options;
        const auto best = std::min_element(opts.begin(), opts.end(), [](auto& a, auto& b) { return a.carbon < b.carbon; });
        sol.option[k] = static_cast<uint32_t>(best - opts.begin());
      }
      for (uint32_t p = 0; p < pools_.size(); ++p) sol.on[p] = prob.pools[p].hosts;
    }
    for (size_t k = 0; k < placed.size(); ++k) {
      const PlacementOption& o = prob.streams[k].options[sol.option[k]];
      streams_[placed[k]].pool = static_cast<int32_t>(o.pool);
      pool_load_[o.pool] += o.load;
    }
    for (uint32_t p = 0; p < pools_.size(); ++p) power_to(p, sol.on[p], view, out);
    if (booting_.empty()) switch_off_leaving(view, out);
  }

  // Pool p to `n` hosts on: boots hosts that are off (lowest index first), or marks the surplus as
  // leaving (idle ones first, highest index first) — they get no new work and are switched off once
  // every boot of the plan is over and, for those still running requests, once they drain.
  void power_to(uint32_t p, uint32_t n, const ClusterView& view, Decisions& out) {
    const auto& hs = pools_[p].hosts;
    uint32_t kept = 0;
    for (uint32_t h : hs) {
      leaving_[h] = 0;
      if (powered(view.hosts[h])) ++kept;
    }
    if (n > kept) return power_on(p, n, view, out);
    target_[p] = n;
    for (int pass = 0; pass < 2; ++pass)  // idle hosts first, then busy ones (they drain)
      for (auto it = hs.rbegin(); it != hs.rend() && kept > n; ++it) {
        const HostState& s = view.hosts[*it];
        if (powered(s) && !leaving_[*it] && (pass == 1 || s.busy + s.queued == 0)) leaving_[*it] = 1, --kept;
      }
  }

  void power_on(uint32_t p, uint32_t n, const ClusterView& view, Decisions& out) {
    uint32_t kept = 0;
    for (uint32_t h : pools_[p].hosts)
      if (powered(view.hosts[h]) || std::count(booting_.begin(), booting_.end(), h)) ++kept;
    for (uint32_t h : pools_[p].hosts) {
      if (kept >= n) break;
      leaving_[h] = 0;
      if (powered(view.hosts[h]) || std::count(booting_.begin(), booting_.end(), h)) continue;
      Decision d;
      d.kind = Decision::PowerOn;
      d.host = h;
      out.push_back(std::move(d));
      if (cands_.platform().hosts[h].power_states.boot_s > 0 || view.hosts[h].power == Power::ShuttingDown)
        booting_.push_back(h);
      ++kept;
    }
    target_[p] = std::max(target_[p], n);
  }

  void switch_off_leaving(const ClusterView& view, Decisions& out) {
    std::vector<uint32_t> leaving;
    for (uint32_t h = 0; h < leaving_.size(); ++h)
      if (leaving_[h]) leaving.push_back(h);
    switch_off(leaving, view, out);
  }

  // Switches off the leaving hosts among `hosts` that are idle; keeps in draining_ those still
  // running requests (or not up yet), so a finished request rechecks only them.
  void switch_off(std::vector<uint32_t> hosts, const ClusterView& view, Decisions& out) {
    draining_.clear();
    for (uint32_t h : hosts) {
      if (!leaving_[h]) continue;
      const HostState& s = view.hosts[h];
      if (!powered(s)) {
        leaving_[h] = 0;  // already off (or on its way)
        continue;
      }
      if (s.busy + s.queued > 0 || !s.on) {
        draining_.push_back(h);
        continue;
      }
      Decision d;
      d.kind = Decision::PowerOff;
      d.host = h;
      out.push_back(std::move(d));
      leaving_[h] = 0;
    }
  }

  Plan route(const Request& r, const std::vector<const ModelProfile*>& variants, const ClusterView& view, Decisions& out) {
    const ModelProfile* m = pick_variant(variants, variant_);
    Stream& s = stream_of(r, *m, view);
    ++s.arrivals;
    if (s.options.empty()) {  // no pool within the SLO (counted: Plan::beyond_slo_reach)
      Plan plan = nearest_usable(r, *m, view);
      if (!plan.rejected()) plan.beyond_slo_reach = cands_.none_within_slo(r, *m, view);
      return plan;
    }
    if (s.pool < 0) place_new(s, view, out);
    const uint32_t p = static_cast<uint32_t>(s.pool);
    int64_t best = -1;
    for (uint32_t h : pools_[p].hosts) {
      const HostState& hs = view.hosts[h];
      if (!hs.on || leaving_[h]) continue;
      if (best < 0 || hs.busy + hs.queued < view.hosts[best].busy + view.hosts[best].queued) best = h;
    }
    if (best >= 0 && meets(r, *m, static_cast<uint32_t>(best), view)) return whole_model_on(m, static_cast<uint32_t>(best));
    // The pool is loaded (or still booting): the cleanest host on among the options that meets the SLO.
    double cleanest = std::numeric_limits<double>::infinity();
    int64_t alt = -1;
    for (const GeoOption& o : s.options) {
      const double c = carbon_g(o.pool, s, view);
      if (c >= cleanest) continue;
      for (uint32_t h : pools_[o.pool].hosts)
        if (view.hosts[h].on && meets(r, *m, h, view)) {
          cleanest = c, alt = h;
          break;
        }
    }
    if (alt >= 0) return whole_model_on(m, static_cast<uint32_t>(alt));
    // Nothing on among the options meets the SLO (a burst on the pool's links, or a new stream whose
    // pool still boots): the nearest candidate on that meets it (a leaving host stays) before a late
    // plan. Hosts that are off are not switched on for one request: a host boots for an interval's
    // idle carbon, which the next solve weighs (switching on here tripled the testbed's carbon to
    // save one late request in 10^5).
    for (const auto& [latency, h] : cands_.by_latency(r.source)) {
      if (latency > r.slo_s) break;
      if (!view.hosts[h].on || !cands_.usable(h, *m, view) || !meets(r, *m, h, view)) continue;
      leaving_[h] = 0;
      return whole_model_on(m, h);
    }
    if (best >= 0) return whole_model_on(m, static_cast<uint32_t>(best));
    for (uint32_t h : pools_[p].hosts)  // booting: the request waits for it
      if (powered(view.hosts[h])) return whole_model_on(m, h);
    return nearest_usable(r, *m, view);
  }

  Plan nearest_usable(const Request& r, const ModelProfile& m, const ClusterView& view) const {
    for (const auto& [latency, h] : cands_.by_latency(r.source))
      if (cands_.usable(h, m, view)) return whole_model_on(&m, h);
    return Plan{nullptr, {}, "no candidate host that is on, reachable and can hold the model"};
  }

  // With the links as they are now (the transfers in progress share them) and the requests this
  // policy sent to h that are not done — those still on their way there are not in its queue yet,
  // and a burst of arrivals would otherwise all see an idle host.
  bool meets(const Request& r, const ModelProfile& m, uint32_t h, const ClusterView& view) const {
    const double service = cands_.service_s(h, m, view);
    const HostState& s = view.hosts[h];
    const uint32_t cores = cands_.platform().hosts[h].cores;
    const double ahead = static_cast<double>(std::max(s.busy + s.queued, outstanding_[h])) + 1 - cores;
    const double wait = ahead > 0 ? ahead / cores * service : 0.0;
    return round_trip_s(r, m, h, view.links, cands_.platform(), 0) + wait + service <= r.slo_s;
  }

  GeoCandidates cands_;
  std::string variant_;
  GeoCarbonOptions o_;
  std::vector<GeoPool> pools_;
  std::vector<uint8_t> leaving_;
  std::vector<uint32_t> booting_;    // hosts this policy powered on that are not on yet
  std::vector<uint32_t> draining_;   // leaving hosts still running requests
  std::vector<uint32_t> outstanding_;  // per host: requests sent there and not done
  std::unordered_map<uint64_t, uint32_t> sent_;  // request id → its host, until done
  std::vector<double> pool_load_;    // core-s/s the streams placed on each pool bring (estimates)
  std::vector<uint32_t> target_;     // hosts each pool should have on
  std::vector<Stream> streams_;      // in order of first arrival (the MILP's order: deterministic)
  std::unordered_map<StreamKey, uint32_t, StreamKeyHash> index_;
  double last_solve_t_ = 0;
  bool solved_ = false, dirty_ = false;
};

}  // namespace

std::unique_ptr<Policy> make_geo_carbon(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"hosts", "variant", "latency_budget", "replan", "warmup", "max_utilisation", "options_per_zone",
                "solver_node_limit", "solver_time_limit", "solver_gap", "link_sharing"});
  GeoCarbonOptions o;
  o.budget_s = latency_budget_param(p);
  o.replan_s = p.quantity_or("replan", Unit::Duration, 3600);
  if (!(o.replan_s >= 60) || !std::isfinite(o.replan_s)) p.fail("replan", "must be a duration of at least 1min");
  o.warmup_s = p.quantity_or("warmup", Unit::Duration, 60);
  if (!(o.warmup_s >= 0) || !std::isfinite(o.warmup_s)) p.fail("warmup", "must be a duration >= 0");
  o.max_utilisation = p.num_or("max_utilisation", 0.7);
  if (!(o.max_utilisation > 0 && o.max_utilisation <= 1)) p.fail("max_utilisation", "must be in (0, 1]");
  o.per_zone = static_cast<uint32_t>(p.integer_in("options_per_zone", 1, 100000, 4));
  o.link_sharing = p.num_or("link_sharing", 2);
  if (!(o.link_sharing >= 0 && o.link_sharing <= 1e6)) p.fail("link_sharing", "must be a number >= 0");
  o.limits.node_limit = p.integer_in("solver_node_limit", 1, 1000000000, 20000);
  o.limits.relative_gap = p.num_or("solver_gap", 0.01);
  if (!(o.limits.relative_gap >= 0 && o.limits.relative_gap < 1)) p.fail("solver_gap", "must be a fraction in [0, 1)");
  o.limits.time_limit_s = p.quantity_or("solver_time_limit", Unit::Duration, 0);
  if (!(o.limits.time_limit_s >= 0) || !std::isfinite(o.limits.time_limit_s))
    p.fail("solver_time_limit", "must be a duration >= 0 (0: none)");
  return std::make_unique<GeoCarbon>(GeoCandidates(p, ctx), p.str_or("variant", ""), o);
}

}  // namespace ce
