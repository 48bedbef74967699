// power-mode: carbon-aware power modes on accelerators (docs/policies.md "Power modes"). It routes
// each request, whole, to the server with the fewest requests outstanding — placed there and not yet
// done, so the ones still travelling to it count (ties in platform order) — and sets each server's power mode (its pstate: docs/inputs.md "Accelerators"):
//   `low` (the efficient mode, e.g. MaxQ) while its zone's intensity is at or above `threshold`
//   and the SLO allows, `high` (the fast one, e.g. MAXN) otherwise.
// "The SLO allows": no request completed after its SLO during the last `interval`, and the server
// has at most `max_backlog` stages running or waiting. Modes are re-evaluated at every intensity
// change of a server's zone and every `interval` (a timer), and switched only when they change.
// threshold: g/kWh, or `mid` (default): the middle of the zone's lowest and highest intensity over
// the run (ClusterView::window_min_max). Deterministic: a function of the events and views only.
#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>

#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

class PowerModes : public Policy {
 public:
  struct Server {
    uint32_t host = 0;
    uint32_t high = 0, low = 0;  // pstates
    uint32_t max_backlog = 0;
  };
  struct Params {
    std::vector<Server> servers;
    double threshold = -1;  // < 0: mid
    double interval = 30;
    std::string variant;
  };

  explicit PowerModes(Params p) : p_(std::move(p)) {}

  uint32_t events() const override {
    return event_bit(PolicyEvent::Arrival) | event_bit(PolicyEvent::Start) | event_bit(PolicyEvent::Timer) |
           event_bit(PolicyEvent::IntensityChange) | event_bit(PolicyEvent::RequestDone);
  }

  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override {
    switch (ev.kind) {
      case PolicyEvent::Start:
        set_modes(view, nullptr, out);
        timer(view, out);
        break;
      case PolicyEvent::Arrival: route(ev, view, out); break;
      case PolicyEvent::RequestDone: {
        if (ev.completed && view.now_s - ev.request->arrival_s > ev.request->slo_s) late_ = true;
        auto it = placed_.find(ev.request->id);
        if (it != placed_.end()) {
          --outstanding_[it->second];
          placed_.erase(it);
        }
        break;
      }
      case PolicyEvent::IntensityChange: set_modes(view, ev.zone, out); break;
      case PolicyEvent::Timer:
        pressure_ = late_;  // a late completion in the interval keeps the fast modes for the next one
        late_ = false;
        set_modes(view, nullptr, out);
        timer(view, out);
        break;
      default: break;
    }
  }

 private:
  void timer(const ClusterView& view, Decisions& out) const {
    Decision d;
    d.kind = Decision::SetTimer;
    d.until = view.now_s + p_.interval;
    out.push_back(d);
  }

  double threshold(const ClusterView& view, uint32_t h) const {
    if (p_.threshold >= 0) return p_.threshold;
    if (h < view.window_min_max.size()) return 0.5 * (view.window_min_max[h].first + view.window_min_max[h].second);
    return view.hosts[h].intensity;  // a hand-built view without the window: stays in low only at or above now
  }

  // The servers of `zone` (all when null) to the mode their intensity and the SLO call for.
  void set_modes(const ClusterView& view, const std::string* zone, Decisions& out) const {
    for (const Server& s : p_.servers) {
      if (zone && view.platform->hosts[s.host].region != *zone) continue;
      const HostState& hs = view.hosts[s.host];
      const bool low = !pressure_ && hs.intensity >= threshold(view, s.host) && hs.busy + hs.queued <= s.max_backlog;
      const uint32_t want = low ? s.low : s.high;
      if (hs.pstate == want) continue;
      Decision d;
      d.kind = Decision::SetPstate;
      d.host = s.host;
      d.pstate = want;
      out.push_back(d);
    }
  }

  void route(const PolicyEvent& ev, const ClusterView& view, Decisions& out) {
    if (outstanding_.empty()) outstanding_.assign(p_.servers.size(), 0);
    int best = -1;
    size_t best_i = 0;
    uint64_t best_load = 0;
    for (size_t i = 0; i < p_.servers.size(); ++i) {
      const uint32_t h = p_.servers[i].host;
      const HostState& hs = view.hosts[h];
      if (!hs.on || !view.platform->reachable(ev.request->source, h)) continue;
      const uint64_t load = std::max<uint64_t>(outstanding_[i], hs.busy + hs.queued);
      if (best < 0 || load < best_load) best = static_cast<int>(h), best_i = i, best_load = load;
    }
    Decision d;
    d.request = ev.request->id;
    if (best < 0) {
      d.kind = Decision::Reject;
      d.reason = "no server that is on and reachable";
    } else {
      d.kind = Decision::Place;
      d.plan = whole_model_on(pick_variant(*ev.variants, p_.variant), static_cast<uint32_t>(best));
      // A placement the simulation rejects (a model the accelerator has no table for) never comes
      // back as RequestDone: it stays counted here, which only steers later requests elsewhere.
      ++outstanding_[best_i];
      placed_[ev.request->id] = best_i;
    }
    out.push_back(std::move(d));
  }

  Params p_;
  bool late_ = false, pressure_ = false;
  std::vector<uint64_t> outstanding_;                // by server: placed, not yet done
  std::unordered_map<uint64_t, size_t> placed_;      // request id -> server
};

// A power mode of `host`'s accelerator by name (one-line error naming the key otherwise).
uint32_t mode_param(const YamlSection& p, const std::string& key, const HostSpec& host) {
  const std::string name = p.str(key);
  const int m = host.accelerator->mode_index(name);
  if (m < 0)
    p.fail(key, fmt::format("'{}' is no power mode of host '{}' (accelerator {}; modes: {})", name, host.name,
                            host.accelerator->name, host.accelerator->mode_names()));
  return static_cast<uint32_t>(m);
}

}  // namespace

std::unique_ptr<Policy> make_power_mode(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"servers", "high", "low", "threshold", "interval", "max_backlog", "variant"});
  PowerModes::Params a;
  std::vector<uint32_t> hosts;
  if (p.has("servers")) {
    for (const auto& name : p.str_list("servers")) {
      const int h = ctx.platform->host_index(name);
      if (h < 0) p.fail("servers", fmt::format("unknown host '{}' (not in {})", name, ctx.platform->file));
      if (!ctx.platform->hosts[static_cast<size_t>(h)].accelerator)
        p.fail("servers", fmt::format("'{}' is not an accelerator host (it has no power modes)", name));
      hosts.push_back(static_cast<uint32_t>(h));
    }
  } else {
    for (uint32_t h = 0; h < ctx.platform->hosts.size(); ++h)
      if (ctx.platform->hosts[h].accelerator) hosts.push_back(h);
  }
  if (hosts.empty()) p.fail("servers", "no accelerator host to manage (docs/inputs.md \"Accelerators\")");
  const long backlog = p.integer_or("max_backlog", -1);
  if (p.has("max_backlog") && (backlog < 0 || backlog > 1000000000))
    p.fail("max_backlog", "must be a whole number of stages from 0 to 1e9");
  for (uint32_t h : hosts) {
    const HostSpec& hs = ctx.platform->hosts[h];
    PowerModes::Server s;
    s.host = h;
    s.high = mode_param(p, "high", hs);
    s.low = mode_param(p, "low", hs);
    // Default: two full batches may wait or run before the slow mode is left.
    s.max_backlog = backlog >= 0 ? static_cast<uint32_t>(backlog) : 2 * hs.batching.max_batch;
    a.servers.push_back(s);
  }
  if (p.has("threshold") && p.str("threshold") != "mid") {
    a.threshold = p.num("threshold");
    if (!(a.threshold >= 0)) p.fail("threshold", "must be gCO2eq/kWh >= 0, or 'mid'");
  }
  a.interval = p.quantity_or("interval", Unit::Duration, 30);
  if (!(a.interval > 0)) p.fail("interval", "must be a duration > 0");
  a.variant = p.str_or("variant", "");
  return std::make_unique<PowerModes>(std::move(a));
}

}  // namespace ce
