#include "sim/simulation.hpp"

#include <simgrid/kernel/Timer.hpp>
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <unordered_map>

#include "accounting/dynamic_meter.hpp"
#include "core/error.hpp"
#include "core/time_utc.hpp"
#include "models/cost_model.hpp"
#include "sim/platform_builder.hpp"

namespace sg4 = simgrid::s4u;
using simgrid::kernel::timer::Timer;

namespace ce {

namespace {

// Why there is no actor: the whole run is driven from maestro. A kernel timer chain handles the
// moments carbonedge knows in advance (carbon change points, platform events, arrivals, the end of
// the arrival window) and Activity::on_completion hands each finished execution or transfer back as
// it happens. Bench 2 (docs/performance.md) measured this 1.7× faster than one controller actor
// blocking in wait_any_for: no context switches and no per-wait registration on every activity.

// One request in flight: its plan and where it is along it.
struct Flight {
  Request req;
  Plan plan;
  uint32_t next_stage = 0;
  uint32_t at_host = 0;  // where its tensor currently is
  double first_start = -1;
  DynamicCharge dyn;    // Σ over its finished stages and transfers
  DynamicCharge stage;  // the stage running now (charged by its host's meter)
  std::string hosts;
};

// What a started SimGrid activity stands for.
struct Pending {
  enum Kind { Exec, Comm } kind;
  uint32_t slot;
  uint32_t from, to;  // Exec: host in `to`
  double start;
  double bytes;
};

struct HostRun {
  std::deque<uint32_t> queue;  // flight slots waiting for a worker (FIFO)
  std::vector<uint32_t> running;
  std::vector<DynamicCharge*> charges;
  DynamicMeter meter;
};

// Cumulative energy of every consumer and its idle baseline (what it would have used doing
// nothing). Hosts: SimGrid's host-energy plugin, and the idle (or off) power of the state they are
// in. Links: carbonedge's own account, idle_w × t plus every transfer's (busy − idle) × bytes /
// bandwidth spread evenly over the transfer's data phase [start + route latency, end]
// (docs/outputs.md); SimGrid's link-energy plugin is not used (it charges the latency phase too).
class EnergyBook {
 public:
  EnergyBook(const PlatformSpec& spec, const BuiltPlatform& plat, RunResult& out) : plat_(plat), out_(out) {
    for (const auto& h : spec.hosts) hosts_.push_back({h.pstates.at(h.initial_pstate).idle_w, 0, 0});
    for (const auto& l : spec.links) links_.push_back({l.idle_w, 0});
  }

  EnergySample sample(size_t c, double t) const {
    const size_t nh = hosts_.size();
    if (c < nh) {
      const HostIdle& h = hosts_[c];
      return {t, sg_host_get_consumed_energy(plat_.hosts[c]), h.j + h.w * (t - h.t)};
    }
    const LinkBook& l = links_[c - nh];
    const double idle = l.idle_w * t;
    return {t, idle + l.dyn_done, idle};
  }

  // Before a host changes state at `now`: its idle power from now on is `idle_w`.
  void host_idle_power(uint32_t h, double now, double idle_w) {
    HostIdle& x = hosts_[h];
    x.j += x.w * (now - x.t);
    x.t = now;
    x.w = idle_w;
  }

  // A transfer whose data phase on link l was [a, b] (b = now) put `e` J of dynamic energy on it.
  // Samples already taken after a get their share back, so each interval holds what fell in it.
  void link_charge(uint32_t l, double a, double b, double e) {
    links_[l].dyn_done += e;
    auto& samples = out_.consumers[hosts_.size() + l].samples;
    for (auto it = samples.rbegin(); it != samples.rend() && it->t > a; ++it)
      it->energy_j += b > a ? e * (std::min(it->t, b) - a) / (b - a) : e;
  }

 private:
  struct HostIdle {
    double w, j, t;  // idle power now, idle energy up to t
  };
  struct LinkBook {
    double idle_w, dyn_done;  // dyn_done: Σ dynamic energy of transfers that ended
  };
  const BuiltPlatform& plat_;
  RunResult& out_;
  std::vector<HostIdle> hosts_;
  std::vector<LinkBook> links_;
};

// Samples every host's and link's cumulative energy at each change point of its zone's intensity,
// so the carbon integral is exact (see accounting/carbon_integral.hpp). Also keeps the intensities
// in the policies' view current. Driven by the controller's timer chain.
class CarbonSampler {
 public:
  CarbonSampler(const SimInput& in, const EnergyBook& book, RunResult& out, ClusterView& view)
      : book_(book), out_(out), view_(view) {
    // Consumers grouped by zone; each zone walks its own change points. Zones share no consumer,
    // so taking them zone by zone gives the same samples as one merged schedule, without building
    // one entry per change point of a multi-year trace up front.
    std::map<std::string, size_t> zone_index;
    for (size_t c = 0; c < out.consumers.size(); ++c) {
      auto [it, fresh] = zone_index.emplace(out.consumers[c].zone, zones_.size());
      if (fresh) {
        const Timeline* tl = &in.carbon->by_zone.at(out.consumers[c].zone);
        zones_.push_back({tl, {}, tl->change_points(tl->end()), 0});
      }
      zones_[it->second].consumers.push_back(c);
    }
  }

  double next_time() const {
    double t = kNever;
    for (const Zone& z : zones_)
      if (z.next < z.change_points.size()) t = std::min(t, z.change_points[z.next]);
    return t;
  }

  // Takes every sample due at or before `now`.
  void take(double now) {
    for (Zone& z : zones_)
      for (; z.next < z.change_points.size() && z.change_points[z.next] <= now; ++z.next) {
        const double t = z.change_points[z.next];
        const double intensity = z.timeline->at(t);
        for (size_t c : z.consumers) {
          auto& cs = out_.consumers[c];
          cs.samples.push_back(book_.sample(c, t));
          if (!cs.is_link) view_.hosts[c].intensity = intensity;
        }
      }
  }

 private:
  struct Zone {
    const Timeline* timeline;
    std::vector<size_t> consumers;  // indices into out_.consumers
    std::vector<double> change_points;
    size_t next;  // first change point not yet sampled
  };
  const EnergyBook& book_;
  RunResult& out_;
  ClusterView& view_;
  std::vector<Zone> zones_;
};

class Controller {
 public:
  Controller(const SimInput& in, const BuiltPlatform& plat, EnergyBook& book, RunResult& out)
      : in_(in), exp_(*in.experiment), spec_(exp_.platform), plat_(plat), book_(book), out_(out) {
    view_.platform = &spec_;
    view_.models = in.models;
    view_.hosts.resize(spec_.hosts.size());
    for (size_t h = 0; h < spec_.hosts.size(); ++h) {
      const HostSpec& hs = spec_.hosts[h];
      const Timeline* tl = &in.carbon->by_zone.at(hs.region);
      runs_.push_back(HostRun{{}, {}, {}, DynamicMeter(&hs, tl, hs.initial_pstate)});
      view_.hosts[h].pstate = hs.initial_pstate;
      view_.hosts[h].intensity = tl->at(0);
    }
    // C_l/C_h of intensity-adaptive: each zone's min/max over the run's span [0, duration]
    // (papers.md §2.1 leaves the window open; the evaluation period is the natural reading).
    for (const auto& hs : spec_.hosts) {
      const Timeline& tl = in.carbon->by_zone.at(hs.region);
      double lo = tl.at(0), hi = lo;
      for (const auto& pt : tl.points()) {  // sorted by time: stop at the end of the span
        if (pt.t >= exp_.carbon.duration_s) break;
        if (pt.t > 0) {
          lo = std::min(lo, pt.value);
          hi = std::max(hi, pt.value);
        }
      }
      view_.window_min_max.emplace_back(lo, hi);
    }
    for (const auto& name : *in.requested_models) variants_.push_back(in.models->variants(name));
    out_.tasks_per_host.assign(spec_.hosts.size(), 0);
    for (const auto& ls : spec_.links) link_timeline_.push_back(&in.carbon->by_zone.at(ls.region));
    link_hint_.assign(spec_.links.size(), 0);
    link_tasks_.assign(spec_.links.size(), 0);
  }

  ClusterView& view() { return view_; }

  // Hooks the controller into SimGrid and handles time 0; engine.run() does the rest.
  void start(CarbonSampler& sampler) {
    sampler_ = &sampler;
    next_arrival_ = in_.arrivals->peek_time();
    sg4::Activity::on_completion_cb([this](const sg4::Activity& a) { on_completion(a); });
    tick();
  }

  // After engine.run(): requests stranded on a host that never came back.
  void drain() {
    for (uint32_t s = 0; s < flights_.size(); ++s)
      if (used_[s]) finish(s, RequestRecord::Failed);
  }

 private:
  // One moment of the timer chain: carbon samples first (a decision at a change point sees the new
  // intensity), then platform events, then arrivals — the same order at every run.
  void tick() {
    timer_ = nullptr;
    const double now = sg4::Engine::get_clock();
    sampler_->take(now);
    while (next_event_ < exp_.events.size() && exp_.events[next_event_].at_s <= now)
      apply_event(exp_.events[next_event_++], now);
    while (next_arrival_ <= now && next_arrival_ < exp_.carbon.duration_s) arrive(now);
    reschedule(now);
  }

  // Keeps the chain's one pending tick at the next moment something is due. Carbon samples count
  // only while something can still happen, so the run ends with its last activity, not at the next
  // change point of the trace.
  void reschedule(double now) {
    double next_t = next_known_work(now);
    if (next_t != kNever || in_flight_ > 0) next_t = std::min(next_t, sampler_->next_time());
    if (timer_ != nullptr) {
      if (timer_->get_date() == next_t) return;
      timer_->remove();
      timer_ = nullptr;
    }
    if (next_t != kNever) timer_ = Timer::set(next_t, [this] { tick(); });
  }

  // The next arrival, platform event or the end of the arrival window, whichever comes first.
  double next_known_work(double now) const {
    const double duration = exp_.carbon.duration_s;
    double next_t = kNever;
    if (next_arrival_ < duration) next_t = next_arrival_;
    if (next_event_ < exp_.events.size()) next_t = std::min(next_t, exp_.events[next_event_].at_s);
    if (now < duration) next_t = std::min(next_t, duration);
    return next_t;
  }

  void arrive(double now) {
    Request req = in_.arrivals->pop();
    next_arrival_ = in_.arrivals->peek_time();
    ++out_.arrived;
    const auto& vars = variants_.at(req.model);
    view_.now_s = now;
    auto t0 = std::chrono::steady_clock::now();
    Plan plan = in_.policy->decide(req, vars, view_);
    auto t1 = std::chrono::steady_clock::now();
    if ((out_.arrived & 63) == 1 || out_.decision_ns.size() < 4096)
      out_.decision_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    uint32_t slot = alloc();
    Flight& f = flights_[slot];
    f.req = req;
    f.plan = std::move(plan);
    f.at_host = req.source;
    if (f.plan.rejected()) {
      finish(slot, RequestRecord::Rejected);
      return;
    }
    if (in_.on_request)  // only the per-request record needs the host names
      for (const auto& st : f.plan.stages) {
        if (!f.hosts.empty()) f.hosts += ';';
        f.hosts += spec_.hosts[st.host].name;
      }
    if (!view_.hosts[req.source].on) {  // a device that is turned off cannot send its input
      finish(slot, RequestRecord::Failed);
      return;
    }
    advance(slot, now);
  }

  uint32_t alloc() {
    if (!free_.empty()) {
      uint32_t s = free_.back();
      free_.pop_back();
      flights_[s] = Flight{};
      used_[s] = true;
      return s;
    }
    flights_.emplace_back();
    used_.push_back(true);
    return static_cast<uint32_t>(flights_.size() - 1);
  }

  // Moves a request to its next step: ship its tensor, run its next stage, or return the result.
  void advance(uint32_t slot, double now) {
    Flight& f = flights_[slot];
    const ModelProfile& m = *f.plan.model;
    if (f.next_stage < f.plan.stages.size()) {
      const PlanStage& st = f.plan.stages[f.next_stage];
      if (f.at_host != st.host) {
        send(slot, f.at_host, st.host, m.cut_bytes(st.first_row - 1), now);
      } else {
        enqueue(slot, st.host, now);
      }
    } else if (f.at_host != f.req.source) {
      send(slot, f.at_host, f.req.source, m.cut_bytes(m.row_count() - 1), now);
    } else {
      finish(slot, RequestRecord::Completed);
    }
  }

  void send(uint32_t slot, uint32_t from, uint32_t to, double bytes, double now) {
    if (!spec_.reachable[from][to])
      throw InputError(fmt::format("{}: no route from host '{}' to '{}' but a plan needs one; add a route or "
                                   "attach both hosts under network.attach",
                                   spec_.file, spec_.hosts[from].name, spec_.hosts[to].name));
    if (!view_.hosts[from].on || !view_.hosts[to].on) {  // nobody to send or to receive
      finish(slot, RequestRecord::Failed);
      return;
    }
    flights_[slot].at_host = to;
    sg4::CommPtr c = sg4::Comm::sendto_init(plat_.hosts[from], plat_.hosts[to]);
    c->set_payload_size(static_cast<uint64_t>(bytes));
    launch(c, {Pending::Comm, slot, from, to, now, bytes});
  }

  void enqueue(uint32_t slot, uint32_t host, double now) {
    HostRun& r = runs_[host];
    HostState& hs = view_.hosts[host];
    if (hs.on && hs.busy < spec_.hosts[host].cores) {
      start_exec(slot, host, now);
    } else {
      r.queue.push_back(slot);
      ++hs.queued;
    }
  }

  void start_exec(uint32_t slot, uint32_t host, double now) {
    Flight& f = flights_[slot];
    const PlanStage& st = f.plan.stages[f.next_stage];
    HostRun& r = runs_[host];
    r.meter.advance(now, r.charges);
    r.running.push_back(slot);
    r.charges.push_back(&f.stage);
    ++view_.hosts[host].busy;
    if (f.first_start < 0) f.first_start = now;
    sg4::ExecPtr e = sg4::Exec::init();
    e->set_flops_amount(flops_of(host, f.plan.model, st.first_row, st.last_row));
    e->set_host(plat_.hosts[host]);
    launch(e, {Pending::Exec, slot, host, host, now, 0});
  }

  // stage_flops walks the stage's rows (and their op costs) every time; a run repeats few distinct
  // (host, model, rows) stages millions of times, so it is remembered. Same value, bit for bit.
  double flops_of(uint32_t host, const ModelProfile* m, size_t first, size_t last) {
    const StageKey key{m, host, static_cast<uint32_t>(first), static_cast<uint32_t>(last)};
    auto [it, fresh] = stage_flops_.try_emplace(key, 0.0);
    if (fresh) it->second = stage_flops(spec_.hosts[host], *m, first, last);
    return it->second;
  }

  // Starts an activity with its bookkeeping in place first, so that its completion always finds it.
  void launch(sg4::ActivityPtr a, const Pending& p) {
    uint32_t id;
    if (!free_pending_.empty()) {
      id = free_pending_.back();
      free_pending_.pop_back();
    } else {
      id = static_cast<uint32_t>(pending_.size());
      pending_.emplace_back();
      live_.emplace_back();
    }
    pending_[id] = p;
    a->set_data(reinterpret_cast<void*>(static_cast<uintptr_t>(id)));
    live_[id] = a;  // SimGrid does not own the s4u object: we keep it alive until it completes
    ++in_flight_;
    a->start();
  }

  void on_completion(const sg4::Activity& a) {
    // The activity being completed must outlive this callback; the ones before it no longer run.
    if (depth_++ == 0) finished_.clear();
    const auto id = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(a.get_data<void>()));
    const Pending p = pending_[id];
    finished_.push_back(std::move(live_[id]));
    free_pending_.push_back(id);
    --in_flight_;
    const double now = sg4::Engine::get_clock();
    if (a.get_state() == sg4::Activity::State::FINISHED)
      complete(p, now, 0);
    else
      fail(p, now, a.get_remaining());  // its host (or a transfer's end) was turned off under it
    // A completion can bring the next arrival forward (closed-loop workloads) or leave nothing to
    // wait for.
    reschedule(now);
    --depth_;
  }

  // Ends the stage running for `slot` on `host`: its charge moves to the request, its record out.
  void stop_exec(const Pending& p, double now, bool completed) {
    const uint32_t slot = p.slot, host = p.to;
    HostRun& r = runs_[host];
    r.meter.advance(now, r.charges);
    Flight& f = flights_[slot];
    if (in_.on_stage) {
      const PlanStage& st = f.plan.stages[f.next_stage];
      in_.on_stage({f.req.id, false, spec_.hosts[host].name, p.start, now,
                    flops_of(host, f.plan.model, st.first_row, st.last_row), f.stage.energy_j, f.stage.carbon_g,
                    completed});
    }
    f.dyn.energy_j += f.stage.energy_j;
    f.dyn.carbon_g += f.stage.carbon_g;
    f.stage = {};
    auto it = std::find(r.running.begin(), r.running.end(), slot);
    size_t i = static_cast<size_t>(it - r.running.begin());
    r.running[i] = r.running.back();
    r.running.pop_back();
    r.charges[i] = r.charges.back();
    r.charges.pop_back();
    --view_.hosts[host].busy;
  }

  void start_queued(uint32_t host, double now) {
    HostRun& r = runs_[host];
    HostState& hs = view_.hosts[host];
    while (hs.on && hs.busy < spec_.hosts[host].cores && !r.queue.empty()) {
      uint32_t s = r.queue.front();
      r.queue.pop_front();
      --hs.queued;
      start_exec(s, host, now);
    }
  }

  void complete(const Pending& p, double now, double remaining) {
    Flight& f = flights_[p.slot];
    if (p.kind == Pending::Exec) {
      stop_exec(p, now, true);
      HostState& hs = view_.hosts[p.to];
      ++hs.completed;
      hs.busy_seconds += now - p.start;
      ++out_.tasks_per_host[p.to];
      ++f.next_stage;
      start_queued(p.to, now);
    } else {
      charge_links(f, p, now, remaining, true);
    }
    advance(p.slot, now);
  }

  void fail(const Pending& p, double now, double remaining) {
    if (p.kind == Pending::Exec)
      stop_exec(p, now, false);
    else
      charge_links(flights_[p.slot], p, now, remaining, false);
    finish(p.slot, RequestRecord::Failed);
  }

  // A transfer's dynamic link energy: on every link l of its route, (busy − idle) W × bytes carried
  // / bandwidth_l (the link's load integrated over the transfer), spread evenly over the data phase
  // [start + route latency, end] and charged at the intensity of the link's zone over that phase.
  // A transfer cut short carried bytes − remaining.
  void charge_links(Flight& f, const Pending& p, double now, double remaining, bool completed) {
    const auto& route = spec_.routes[p.from][p.to];
    double latency = 0;
    for (uint32_t l : route) latency += spec_.links[l].latency;
    const double a = std::min(p.start + latency, now);
    const double carried = std::max(0.0, p.bytes - remaining);
    DynamicCharge charge;
    for (uint32_t l : route) {
      const LinkSpec& ls = spec_.links[l];
      const double e = (ls.busy_w - ls.idle_w) * carried / ls.bandwidth;
      const Timeline& tl = *link_timeline_[l];
      const double ci = now > a ? tl.integral(a, now, &link_hint_[l]) / (now - a) : tl.at(now);
      charge.energy_j += e;
      charge.carbon_g += e * ci / kJoulesPerKWh;
      book_.link_charge(l, a, now, e);
      ++link_tasks_[l];
    }
    f.dyn.energy_j += charge.energy_j;
    f.dyn.carbon_g += charge.carbon_g;
    if (in_.on_stage) {
      std::string names;
      for (uint32_t l : route) names += (names.empty() ? "" : ";") + spec_.links[l].name;
      in_.on_stage({f.req.id, true, names, p.start, now, p.bytes, charge.energy_j, charge.carbon_g, completed});
    }
  }

  void finish(uint32_t slot, RequestRecord::Status status) {
    const double now = sg4::Engine::get_clock();
    Flight& f = flights_[slot];
    const double top1 = f.plan.model ? f.plan.model->top1 : 0, top5 = f.plan.model ? f.plan.model->top5 : 0;
    out_.dynamic_energy_j += f.dyn.energy_j;  // failed requests' work too: Σ = total − idle
    out_.dynamic_carbon_g += f.dyn.carbon_g;
    if (status == RequestRecord::Completed) {
      ++out_.completed;
      double lat = now - f.req.arrival_s;
      out_.latency.add(lat);
      if (lat > f.req.slo_s) ++out_.slo_violations;
      out_.completed_dynamic_energy_j += f.dyn.energy_j;
      out_.completed_dynamic_carbon_g += f.dyn.carbon_g;
      out_.top1_sum += top1;
      out_.top5_sum += top5;
      if (f.plan.model) ++out_.served_per_model[f.plan.model];
    } else if (status == RequestRecord::Rejected) {
      ++out_.rejected;
    } else {
      ++out_.failed;
    }
    if (in_.on_request) in_.on_request(record(f, status, now));  // strings only when someone reads them
    in_.arrivals->on_completion(f.req, now);
    next_arrival_ = in_.arrivals->peek_time();  // a closed loop's client may send its next request
    used_[slot] = false;
    free_.push_back(slot);
  }

  RequestRecord record(const Flight& f, RequestRecord::Status status, double now) const {
    RequestRecord rec;
    rec.id = f.req.id;
    rec.arrival_s = f.req.arrival_s;
    rec.start_s = f.first_start < 0 ? now : f.first_start;
    rec.finish_s = now;
    rec.requested = (*in_.requested_models)[f.req.model];
    rec.model = f.plan.model ? f.plan.model->name : "";
    rec.hosts = f.hosts;
    rec.source = f.req.source;
    rec.slo_s = f.req.slo_s;
    rec.dynamic_energy_j = f.dyn.energy_j;
    rec.dynamic_carbon_g = f.dyn.carbon_g;
    rec.top1 = f.plan.model ? f.plan.model->top1 : 0;
    rec.top5 = f.plan.model ? f.plan.model->top5 : 0;
    rec.status = status;
    return rec;
  }

  void apply_event(const PlatformEvent& ev, double now) {
    HostRun& r = runs_[ev.host];
    HostState& hs = view_.hosts[ev.host];
    r.meter.advance(now, r.charges);
    sg4::Host* h = plat_.hosts[ev.host];
    const HostSpec& spec = spec_.hosts[ev.host];
    switch (ev.kind) {
      case PlatformEvent::Pstate:
        h->set_pstate(ev.pstate);
        hs.pstate = ev.pstate;
        r.meter.set_pstate(ev.pstate);
        if (hs.on) book_.host_idle_power(ev.host, now, spec.pstates[ev.pstate].idle_w);
        break;
      case PlatformEvent::TurnOff:
        book_.host_idle_power(ev.host, now, spec.off_w);
        h->turn_off();  // its running executions fail and come back through on_completion
        hs.on = false;
        r.meter.set_on(false);
        break;
      case PlatformEvent::TurnOn:
        book_.host_idle_power(ev.host, now, spec.pstates[hs.pstate].idle_w);
        h->turn_on();
        h->set_pstate(hs.pstate);
        hs.on = true;
        r.meter.set_on(true);
        start_queued(ev.host, now);
        break;
    }
  }

 public:
  std::vector<uint64_t> link_tasks_;  // transfers carried, per link

 private:
  const SimInput& in_;
  const Experiment& exp_;
  const PlatformSpec& spec_;
  const BuiltPlatform& plat_;
  EnergyBook& book_;
  RunResult& out_;
  ClusterView view_;
  CarbonSampler* sampler_ = nullptr;
  Timer* timer_ = nullptr;  // the chain's next tick, if any
  size_t next_event_ = 0;
  double next_arrival_ = kNever;  // the stream's peek_time(), read again only after it can change
  std::vector<HostRun> runs_;
  std::vector<std::vector<const ModelProfile*>> variants_;
  std::deque<Flight> flights_;  // deque: DynamicMeter holds pointers into it
  std::vector<bool> used_;
  std::vector<uint32_t> free_;
  std::vector<Pending> pending_;           // by activity id (the activity's data)
  std::vector<sg4::ActivityPtr> live_;     // by activity id: started, not yet completed
  std::vector<uint32_t> free_pending_;
  std::vector<sg4::ActivityPtr> finished_;  // completed, released at the next completion
  uint64_t in_flight_ = 0;
  int depth_ = 0;
  std::vector<const Timeline*> link_timeline_;  // per link: its zone's intensity (no map lookup per transfer)
  std::vector<size_t> link_hint_;               // per link: where in its timeline the last transfer ended
  struct StageKey {
    const ModelProfile* model;
    uint32_t host, first, last;
    bool operator==(const StageKey& o) const {
      return model == o.model && host == o.host && first == o.first && last == o.last;
    }
  };
  struct StageKeyHash {
    size_t operator()(const StageKey& k) const {
      size_t h = std::hash<const void*>()(k.model);
      for (uint32_t v : {k.host, k.first, k.last}) h = h * 1000003u ^ v;
      return h;
    }
  };
  std::unordered_map<StageKey, double, StageKeyHash> stage_flops_;
};

}  // namespace

std::string simgrid_version() { return SIMGRID_VERSION_STRING; }

RunResult simulate(const SimInput& in) {
  // Plugin init order matters: Engine first, then the energy plugins, then the platform
  // (the host plugin reads wattage_per_state when a host is sealed).
  // CM02 without TCP window (gamma 0) and without cross-traffic (SimGrid's default adds 5% of a
  // transfer's bytes as reverse traffic): a lone transfer takes Σ latency + bytes / bottleneck
  // bandwidth, the formula docs/inputs.md states and latency-first predicts.
  int argc = 5;
  const char* argv_c[] = {"carbonedge", "--cfg=network/model:CM02", "--cfg=network/TCP-gamma:0",
                          "--cfg=network/crosstraffic:0", "--log=root.thres:critical", nullptr};
  char** argv = const_cast<char**>(argv_c);
  sg4::Engine engine(&argc, argv);
  sg_host_energy_plugin_init();
  const PlatformSpec& spec = in.experiment->platform;
  BuiltPlatform plat = build_platform(spec);

  RunResult out;
  for (const auto& h : spec.hosts) out.consumers.push_back({h.name, h.region, false, {{0.0, 0.0}}, 0});
  for (const auto& l : spec.links) out.consumers.push_back({l.name, l.region, true, {{0.0, 0.0}}, 0});

  EnergyBook book(spec, plat, out);
  Controller controller(in, plat, book, out);
  CarbonSampler sampler(in, book, out, controller.view());
  controller.start(sampler);
  engine.run();
  controller.drain();

  out.end_s = sg4::Engine::get_clock();
  for (size_t c = 0; c < out.consumers.size(); ++c) {
    auto& cs = out.consumers[c];
    const Timeline& tl = in.carbon->by_zone.at(cs.zone);
    if (!tl.covers(out.end_s))
      throw InputError(fmt::format("{}: key 'carbon': the run lasted until {} (queued work drained past "
                                   "carbon.duration) but zone '{}' has intensity data only until {}; "
                                   "set carbon.wrap: true or end the run earlier",
                                   in.experiment->file, format_utc(in.experiment->carbon.start_epoch + out.end_s),
                                   cs.zone, format_utc(in.experiment->carbon.start_epoch + tl.end())));
    if (cs.samples.back().t < out.end_s) cs.samples.push_back(book.sample(c, out.end_s));
    cs.tasks = c < spec.hosts.size() ? out.tasks_per_host[c] : controller.link_tasks_[c - spec.hosts.size()];
  }
  return out;
}

}  // namespace ce
