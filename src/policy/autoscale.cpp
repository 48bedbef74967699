// autoscale: keeps the fewest servers on that its utilisation target and the SLO allow, and routes
// each request like latency-first (one stage) among the servers that are on. The first policy that
// acts on capacity (PowerOn / PowerOff decisions) rather than only on placement.
//
// Servers: the `servers` list, by default every host no request comes from (the workload's source
// devices are never powered off). Every `interval` (a timer) it looks at the last interval:
//   u = Σ busy seconds of the servers that are on / (interval × Σ their cores)
//   scale out (power on the cheapest server that is off) when u > target_utilization, or when a
//     request completed late (latency > its SLO), or when requests wait for capacity;
//   scale in (power off the dearest idle server that is on) when, for `hold` intervals in a row,
//     the same busy seconds would keep the fleet without that server under low_utilization, and
//     more than min_on servers are on. Booting servers count as on for these decisions
//     (hysteresis: nothing is switched twice within one boot).
// "Cheapest": lowest idle power × the intensity of the server's zone now (carbon_aware: true, the
// default), or lowest idle power (carbon_aware: false); ties in platform order. At the start it
// keeps the min_on cheapest servers on and powers the others off. A request that finds no server
// on is deferred until a host changes state (and a server is powered on for it).
// Deterministic: every decision is a function of the events and views seen so far.
#include <algorithm>
#include <fmt/format.h>
#include <limits>

#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

class Autoscale : public Policy {
 public:
  struct Params {
    std::vector<uint32_t> servers;
    double interval = 60, target = 0.7, low = 0.3;
    uint32_t hold = 5, min_on = 1;
    bool carbon_aware = true;
  };

  Autoscale(Params p, std::unique_ptr<Policy> router) : p_(std::move(p)), router_(std::move(router)) {
    last_busy_.assign(p_.servers.size(), 0);
  }

  bool uses_change_log() const override { return router_->uses_change_log(); }
  uint32_t events() const override {
    return event_bit(PolicyEvent::Arrival) | event_bit(PolicyEvent::Start) | event_bit(PolicyEvent::Timer) |
           event_bit(PolicyEvent::RequestDone);
  }

  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    switch (ev.kind) {
      case PolicyEvent::Start: start(view, out); break;
      case PolicyEvent::Arrival: route(ev, view, out); break;
      case PolicyEvent::RequestDone:
        if (ev.completed && view.now_s - ev.request->arrival_s > ev.request->slo_s) late_ = true;
        break;
      case PolicyEvent::Timer: control(view, out); break;
      default: break;
    }
  }

 private:
  bool up(const HostState& h) const { return h.power == Power::On || h.power == Power::Booting || h.power == Power::Waking; }

  double cost(const ClusterView& view, uint32_t h) const {
    const HostSpec& s = view.platform->hosts[h];
    const double idle = s.pstates.at(view.hosts[h].pstate).idle_w;
    return p_.carbon_aware ? idle * view.hosts[h].intensity : idle;
  }

  // Servers in the order to power them on (cheapest first); ties keep the platform order.
  std::vector<size_t> by_cost(const ClusterView& view) const {
    std::vector<size_t> order(p_.servers.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return cost(view, p_.servers[a]) < cost(view, p_.servers[b]); });
    return order;
  }

  void start(const ClusterView& view, Decisions& out) {
    const auto order = by_cost(view);
    for (size_t k = 0; k < order.size(); ++k) {
      Decision d;
      d.host = p_.servers[order[k]];
      d.kind = k < p_.min_on ? Decision::PowerOn : Decision::PowerOff;
      out.push_back(d);
    }
    arm(view, out);
  }

  void arm(const ClusterView& view, Decisions& out) {
    Decision t;
    t.kind = Decision::SetTimer;
    t.until = view.now_s + p_.interval;
    out.push_back(t);
  }

  void route(const PolicyEvent& ev, const ClusterView& view, Decisions& out) {
    bool any_on = false;
    for (uint32_t h : p_.servers) any_on = any_on || view.hosts[h].on;
    if (!any_on) {  // wait for capacity; make sure some is coming
      waiting_ = true;
      bool coming = false;
      for (uint32_t h : p_.servers) coming = coming || up(view.hosts[h]);
      if (!coming) power_on_cheapest(view, out);
      Decision d;
      d.kind = Decision::Defer;
      d.request = ev.request->id;
      d.until = std::numeric_limits<double>::infinity();  // until a host changes state
      out.push_back(d);
      return;
    }
    router_->on_event(ev, view, out);
  }

  bool power_on_cheapest(const ClusterView& view, Decisions& out) {
    for (size_t i : by_cost(view)) {
      const uint32_t h = p_.servers[i];
      if (!up(view.hosts[h])) {
        Decision d;
        d.kind = Decision::PowerOn;
        d.host = h;
        out.push_back(d);
        return true;
      }
    }
    return false;
  }

  void control(const ClusterView& view, Decisions& out) {
    double busy = 0, cores = 0;
    uint32_t n_up = 0;
    for (size_t i = 0; i < p_.servers.size(); ++i) {
      const HostState& h = view.hosts[p_.servers[i]];
      busy += h.busy_seconds - last_busy_[i];
      last_busy_[i] = h.busy_seconds;
      if (up(h)) {
        cores += view.platform->hosts[p_.servers[i]].cores;
        ++n_up;
      }
    }
    const double u = cores > 0 ? busy / (p_.interval * cores) : 1.0;
    if (u > p_.target || late_ || waiting_) {
      low_streak_ = 0;
      power_on_cheapest(view, out);
    } else if (n_up > p_.min_on) {
      // The dearest server that is on and idle, if the others could carry its share.
      const auto order = by_cost(view);
      for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const uint32_t h = p_.servers[*it];
        const HostState& hs = view.hosts[h];
        if (hs.power != Power::On || hs.busy + hs.queued > 0) continue;
        const double rest = cores - view.platform->hosts[h].cores;
        if (rest > 0 && busy / (p_.interval * rest) < p_.low) {
          if (++low_streak_ >= p_.hold) {
            low_streak_ = 0;
            Decision d;
            d.kind = Decision::PowerOff;
            d.host = h;
            out.push_back(d);
          }
        } else {
          low_streak_ = 0;
        }
        break;
      }
    }
    late_ = waiting_ = false;
    arm(view, out);
  }

  Params p_;
  std::unique_ptr<Policy> router_;  // latency-first, one stage, over the servers
  std::vector<double> last_busy_;
  uint32_t low_streak_ = 0;
  bool late_ = false, waiting_ = false;
};

}  // namespace

std::unique_ptr<Policy> make_autoscale(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"servers", "interval", "target_utilization", "low_utilization", "hold", "min_on", "carbon_aware"});
  Autoscale::Params a;
  if (p.has("servers")) {
    for (const auto& name : p.str_list("servers")) {
      int h = ctx.platform->host_index(name);
      if (h < 0) p.fail("servers", fmt::format("unknown host '{}' (not in {})", name, ctx.platform->file));
      if (std::binary_search(ctx.sources.begin(), ctx.sources.end(), static_cast<uint32_t>(h)))
        p.fail("servers", fmt::format("'{}' is a source device of the workload; autoscale never powers those off",
                                      name));
      a.servers.push_back(static_cast<uint32_t>(h));
    }
  } else {
    for (uint32_t h = 0; h < ctx.platform->hosts.size(); ++h)
      if (!std::binary_search(ctx.sources.begin(), ctx.sources.end(), h)) a.servers.push_back(h);
  }
  if (a.servers.empty()) p.fail("servers", "no server to manage (every host is a source device)");
  a.interval = p.quantity_or("interval", Unit::Duration, 60);
  if (!(a.interval > 0)) p.fail("interval", "must be a duration > 0");
  a.target = p.num_or("target_utilization", 0.7);
  a.low = p.num_or("low_utilization", 0.3);
  if (!(a.target > 0 && a.target <= 1)) p.fail("target_utilization", "must be in (0, 1]");
  if (!(a.low >= 0 && a.low < a.target)) p.fail("low_utilization", "must be in [0, target_utilization)");
  const long hold = p.integer_or("hold", 5), min_on = p.integer_or("min_on", 1);
  if (hold < 1 || hold > 1000000) p.fail("hold", "must be a whole number of intervals from 1 to 1000000");
  if (min_on < 1 || min_on > static_cast<long>(a.servers.size()))
    p.fail("min_on", fmt::format("must be between 1 and the number of servers ({})", a.servers.size()));
  a.hold = static_cast<uint32_t>(hold);
  a.min_on = static_cast<uint32_t>(min_on);
  a.carbon_aware = p.boolean_or("carbon_aware", true);
  // The router: latency-first with one stage over the managed servers.
  YAML::Node lf;
  lf["max_stages"] = 1;
  for (uint32_t h : a.servers) lf["hosts"].push_back(ctx.platform->hosts[h].name);
  auto router = make_latency_first(YamlSection(lf, p.file(), p.path()), ctx);
  return std::make_unique<Autoscale>(std::move(a), std::move(router));
}

}  // namespace ce
