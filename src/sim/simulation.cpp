#include "sim/simulation.hpp"

#include <simgrid/kernel/Timer.hpp>
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <queue>
#include <unordered_set>
#include <unordered_map>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/time_utc.hpp"
#include "models/cost_model.hpp"
#include "models/llm_cost.hpp"
#include "sim/backlog_watch.hpp"
#include "sim/carbon_sampler.hpp"
#include "sim/energy_book.hpp"
#include "sim/batch_scheduler.hpp"
#include "sim/llm_engine.hpp"
#include "sim/local_scheduler.hpp"
#include "sim/platform_builder.hpp"
#include "sim/slot_pool.hpp"

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
  // A language model's stage (an `llm` host): when its first iteration began, its flops so far, and
  // its first and last output tokens.
  double stage_start = -1, stage_flops = 0, first_token = -1, last_token = -1;
  std::string hosts;
  // Fan-out (Plan::branches): a branch's slot names its request's (parent); the request's slot
  // counts the branches still running and whether one failed.
  int64_t parent = -1;
  uint32_t open_branches = 0;
  bool branch_failed = false;
};

// What a started SimGrid activity stands for.
struct Pending {
  enum Kind { Exec, Comm, Batch, LlmIteration } kind;
  uint32_t slot;  // Batch: its index in Controller::batches_; LlmIteration: the host
  uint32_t from, to;  // Exec: host in `to`
  double start;
  double amount;  // bytes (Comm) or flops (Exec)
};

struct HostRun {
  std::unique_ptr<LocalScheduler> queue;  // flight slots waiting for a worker
  // A `batch` host's dynamic batcher instead of `queue`; the running batches' dynamic power on an
  // accelerator (Σ of each batch's power − idle, shared equally: EnergyBook::accelerator_power);
  // when its next held batch falls due (an agenda item is set for it); the model of its last batch
  // (an exclusive device pays a switch to another).
  std::unique_ptr<BatchScheduler> batcher;
  double batch_w = 0;
  double batch_due = kNever;
  const ModelProfile* last_model = nullptr;
  // An `llm` host's engine (continuous batching, sim/llm_engine.hpp), the iteration it runs, and the
  // language models whose weights it holds (loaded on first use, kept: the KV cache is the rest).
  std::unique_ptr<LlmEngine> llm;
  std::vector<LlmEngine::Member> llm_members;
  struct LlmLoaded {
    const ModelProfile* model;
    double ready;  // when its weights are in (llm.load_bandwidth, load_latency)
  };
  std::vector<LlmLoaded> llm_loaded;  // in load order
  double llm_weights = 0;
  std::deque<uint32_t> llm_pending;  // flight slots waiting for their model's weights to fit
  bool power_on_after_shutdown = false;  // a PowerOn that came while it was shutting down
  uint32_t failures = 0;  // outages in force (failures: may overlap, e.g. a host's and its site's)
  bool on_after_repair = false;  // while failed: whether it comes back on (PowerOn/PowerOff meanwhile)
  uint32_t transition = 0;               // numbers its transitions: a stale PowerDone is ignored
  struct Inbound {
    uint32_t slot, from;
    double bytes;
  };
  std::vector<Inbound> inbound;  // transfers waiting for this host to finish booting
  // Replicas (ClusterView::replicas tracked): the flight slots waiting for each replica to load
  // (parallel to view.replicas[host]), and the loads, one at a time: the front one runs while
  // `loading`; load_gen numbers them so a load cut short by a failure is ignored when due.
  std::vector<std::vector<uint32_t>> replica_waiters;
  std::deque<uint32_t> loads;
  bool loading = false;
  uint32_t load_gen = 0;
};

// Something due at a known time that is neither an arrival nor a platform event: a deferred
// request coming back, a policy's timer, the end of a power transition.
struct AgendaItem {
  double t;
  uint64_t seq;  // insertion order: equal times keep it
  enum Kind : uint8_t { Deferred, PolicyTimer, PowerDone, LoadDone, BatchDue, LlmLoaded } kind;
  uint64_t payload;  // deferred slot, timer id, host (| transition or load number << 32)
  bool operator>(const AgendaItem& o) const { return t != o.t ? t > o.t : seq > o.seq; }
};

// A batch running on a host (Pending::Batch): its stages' flight slots and what it stands for.
struct BatchRun {
  std::vector<uint32_t> slots;
  uint32_t host = 0, queue = 0;
  double unit_w = -1;  // accelerator: its dynamic power alone; < 0: a flop-rated host's pstate model
};

// A request the policy deferred, waiting to be handed back.
struct Parked {
  Request req;
  uint32_t deferrals = 0;
};

class Controller {
 public:
  Controller(const SimInput& in, const BuiltPlatform& plat, EnergyBook& book, SimResult& out)
      : in_(in), exp_(*in.experiment), spec_(exp_.platform), plat_(plat), book_(book), out_(out) {
    view_.platform = &spec_;
    view_.models = in.models;
    view_.hosts.resize(spec_.hosts.size());
    last_stage_.assign(spec_.hosts.size(), {StageKey{nullptr, 0, 0, 0}, 0.0});
    view_.links.resize(spec_.links.size());
    track_changes_ = in.policy->uses_change_log();
    view_.changes_epoch = track_changes_ ? 1 : 0;  // 0: not kept (ClusterView::changes)
    for (size_t h = 0; h < spec_.hosts.size(); ++h) {
      const HostSpec& hs = spec_.hosts[h];
      const Timeline* tl = &in.carbon->by_zone.at(hs.region);
      runs_.emplace_back();
      if (hs.scheduler == "llm") {
        const LlmServingSpec& l = hs.llm;
        runs_.back().llm = std::make_unique<LlmEngine>(
            LlmEngineConfig{l.max_batch, l.max_batch_tokens, l.chunk, l.block_tokens, l.watermark});
        check_serving_ = true;
      } else if (hs.scheduler == "batch") {
        // A flop-rated host runs a batch on one core; an exclusive device one batch at a time.
        uint32_t slots = hs.cores;
        if (hs.accelerator) slots = hs.accelerator->sharing == AcceleratorSpec::Sharing::Exclusive ? 1 : UINT32_MAX;
        runs_.back().batcher = std::make_unique<BatchScheduler>(hs.batching, slots);
        check_serving_ = check_serving_ || hs.accelerator != nullptr;
      } else {
        runs_.back().queue = make_local_scheduler(hs.scheduler);
      }
      view_.hosts[h].pstate = hs.initial_pstate;
      view_.hosts[h].intensity = tl->at(0);
    }
    // C_l/C_h of intensity-adaptive: each zone's min/max over the run's span [0, duration]
    // (papers.md §2.1 leaves the window open; the evaluation period is the natural reading).
    for (const auto& hs : spec_.hosts)
      view_.window_min_max.push_back(
          timeline_min_max(in.carbon->by_zone.at(hs.region), 0, exp_.carbon.duration_s, false));
    // Forecasts: the run's (SimInput::forecast), else the trace itself (perfect).
    if (!in.forecast) own_forecast_ = make_forecaster(ForecastSpec{}, *in.carbon, exp_.seed, exp_.carbon.start_epoch);
    view_.forecast = in.forecast ? in.forecast : own_forecast_.get();
    for (const auto& name : *in.requested_models) {
      variants_.push_back(in.models->variants(name));
      for (const ModelProfile* m : variants_.back()) check_serving_ = check_serving_ || m->llm != nullptr;
    }
    wants_ = in.policy->events();
    events_ = exp_.events;
    if (in.extra_events) {
      events_.insert(events_.end(), in.extra_events->begin(), in.extra_events->end());
      std::stable_sort(events_.begin(), events_.end(), [](auto& a, auto& b) { return a.at_s < b.at_s; });
    }
    for (SimObserver* o : in.observers) host_names_ = host_names_ || o->wants_host_names();
    if (in.replicas) {
      view_.replicas_tracked = true;
      view_.replicas.resize(spec_.hosts.size());
      view_.resident_bytes.assign(spec_.hosts.size(), 0.0);
      for (const InitialReplica& r : *in.replicas)
        add_replica(r.host, r.model, r.warm ? ReplicaState::Warm : ReplicaState::Cold);
      for (uint32_t h = 0; h < spec_.hosts.size(); ++h) {
        update_resident(h);
        replica_power(h, 0);
      }
    }
  }

  ClusterView& view() { return view_; }

  // Hooks the controller into SimGrid and handles time 0; engine.run() does the rest.
  void start(CarbonSampler& sampler) {
    sampler_ = &sampler;
    tick_observers_ = [this](const std::string& zone, double t) {
      for (SimObserver* o : in_.observers) o->zone_tick(zone, t);
    };
    sample_observers_ = [this](uint32_t h, const EnergySample& s) {
      for (SimObserver* o : in_.observers) o->host_sample(h, s);
    };
    next_arrival_ = in_.arrivals->peek_time();
    horizon_ = exp_.carbon.duration_s + in_.arrivals->max_deadline_s();
    sg4::Activity::on_completion_cb([this](const sg4::Activity& a) { on_completion(a); });
    if (wants(PolicyEvent::Start)) {
      PolicyEvent ev;
      ev.kind = PolicyEvent::Start;
      dispatch(ev, 0);
    }
    tick();
  }

  // After engine.run(): requests stranded on a host that never came back, and deferred requests
  // nothing handed back (deferred until a host change that never came) fail.
  void drain() {
    for (size_t l = 0; l < view_.links.size(); ++l)  // every transfer that began has ended: the view's link load is 0
      if (view_.links[l].transfers != 0 || view_.links[l].bytes != 0)
        throw std::logic_error(fmt::format("link '{}' still shows {} transfers after the run", spec_.links[l].name,
                                           view_.links[l].transfers));
    for (uint32_t s = 0; s < flights_.size(); ++s)  // branches first: they end their requests
      if (flights_.used(s) && flights_[s].parent >= 0) finish(s, RequestStatus::Failed);
    for (uint32_t s = 0; s < flights_.size(); ++s)
      if (flights_.used(s)) finish(s, RequestStatus::Failed);
    held_.clear();
    for (uint32_t s = 0; s < parked_.size(); ++s)
      if (parked_.used(s)) fail_parked(s);
  }

 private:
  // One moment of the timer chain: carbon samples first (a decision at a change point sees the new
  // intensity), then platform events, then arrivals — the same order at every run.
  void tick() {
    timer_ = nullptr;
    const double now = sg4::Engine::get_clock();
    if (backlog_.due(now)) check_backlog(now);
    if (sampler_->next_time() <= now) {
      if (wants(PolicyEvent::IntensityChange))
        sampler_->take(now, sample_observers_, tick_observers_, [&](const std::string& zone) {
          PolicyEvent ev;
          ev.kind = PolicyEvent::IntensityChange;
          ev.zone = &zone;
          dispatch(ev, now);
        });
      else
        sampler_->take(now, sample_observers_, tick_observers_);
      for (SimObserver* o : in_.observers) o->samples_taken(now);  // the observers may write what ended
    }
    while (!agenda_.empty() && agenda_.top().t <= now) {
      const AgendaItem item = agenda_.top();
      agenda_.pop();
      run_agenda(item, now);
    }
    while (next_event_ < events_.size() && events_[next_event_].at_s <= now) apply_event(events_[next_event_++], now);
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

  // The next arrival, platform event, agenda item or the end of the arrival window, whichever
  // comes first. A policy's timers keep the run going only within the arrival window or while
  // requests are in flight or deferred, so a policy that re-arms its timer forever cannot make the
  // run endless.
  double next_known_work(double now) const {
    const double duration = exp_.carbon.duration_s;
    double next_t = kNever;
    if (next_arrival_ < duration) next_t = next_arrival_;
    if (next_event_ < events_.size()) next_t = std::min(next_t, events_[next_event_].at_s);
    // The run reaches the end of the arrival window plus the longest deadline (every policy is
    // accounted over the same span, whatever it defers; ArrivalStream::max_deadline_s).
    if (now < horizon_) next_t = std::min(next_t, horizon_);
    if (!agenda_.empty()) {
      const AgendaItem& a = agenda_.top();
      const bool live = flights_.live() + parked_.live() > 0;  // requests in flight or deferred
      if (a.kind != AgendaItem::PolicyTimer || a.t < duration || live) next_t = std::min(next_t, a.t);
    }
    return next_t;
  }

  // Appends to the view's change log (ClusterView::changes), restarting it once it holds twice as
  // many entries as there are hosts: a reader then rescans once, O(1) amortised per change.
  void changed(uint32_t host) {
    if (!track_changes_) return;
    if (view_.changes.size() >= 2 * view_.hosts.size() + 1024) {
      view_.changes.clear();
      ++view_.changes_epoch;
    }
    view_.changes.push_back(host);
  }

  bool wants(PolicyEvent::Kind k) const { return (wants_ & event_bit(k)) != 0; }

  // Hands one event to the policy and carries out what it decides. Only an Arrival may place,
  // defer or reject, and only its own request, exactly once.
  void dispatch(const PolicyEvent& ev, double now) {
    PolicyEvent e = ev;
    e.t = now;
    view_.now_s = now;
    decisions_.clear();
    in_.policy->on_event(e, view_, decisions_);
    apply_decisions(e, now);  // may dispatch again (a host change): decisions_ is swapped out first
  }

  // Place, Reject or Defer of the request whose arrival is being handled.
  void take_request(Decision& d, const Request& req, uint32_t deferrals, double now) {
    if (d.kind == Decision::Place && !(d.plan.work_scale >= 1))
      throw std::logic_error(fmt::format("policy placed request {} with work_scale {} (must be >= 1)", req.id,
                                         d.plan.work_scale));
    if (d.kind == Decision::Defer) {
      park(req, deferrals + 1, d.until, now);
      return;
    }
    if (d.kind == Decision::Place && !d.plan.branches.empty()) {
      if (d.plan.stages.empty())
        throw std::logic_error(fmt::format("policy placed request {} with branches but no stage for them to meet at",
                                           req.id));
      for (const Plan::Branch& b : d.plan.branches)
        if (!b.model || b.host >= spec_.hosts.size())
          throw std::logic_error(fmt::format("policy placed request {} with a branch without a model or host", req.id));
    }
    uint32_t slot = flights_.take();
    Flight& f = flights_[slot];
    f.req = req;
    f.at_host = req.source;
    if (d.kind == Decision::Reject) {
      finish(slot, RequestStatus::Rejected);
      return;
    }
    f.plan = std::move(d.plan);
    if (host_names_) {  // only the per-request record needs the host names
      for (const auto& b : f.plan.branches) {
        if (!f.hosts.empty()) f.hosts += ';';
        f.hosts += spec_.hosts[b.host].name;
      }
      for (const auto& st : f.plan.stages) {
        if (!f.hosts.empty()) f.hosts += ';';
        f.hosts += spec_.hosts[st.host].name;
      }
    }
    if (!view_.hosts[req.source].on) {  // a device that is turned off cannot send its input
      finish(slot, RequestStatus::Failed);
      return;
    }
    // Admission: a request whose first host's queue is full is rejected before anything runs.
    if (!f.plan.stages.empty()) {
      const uint32_t first = f.plan.stages.front().host, cap = spec_.hosts[first].max_queue;
      if (cap > 0 && view_.hosts[first].queued >= cap) {
        finish(slot, RequestStatus::Rejected);
        return;
      }
      // A stage on a host where its model is absent (or cold and not fitting in memory) could
      // never run: rejected now, before anything moves.
      bool servable = true;
      if (view_.replicas_tracked) {  // else every model is warm everywhere: no per-request work
        for (const PlanStage& st : f.plan.stages) servable = servable && view_.can_serve(st.host, f.plan.model);
        for (const auto& b : f.plan.branches) servable = servable && view_.can_serve(b.host, b.model);
      }
      if (check_serving_) servable = servable && hosts_serve(f.plan);
      if (!servable) {
        finish(slot, RequestStatus::Rejected);
        return;
      }
    }
    if (!f.plan.branches.empty()) start_branches(slot, now);
    else advance(slot, now);
  }

  // Whether every host the plan uses can run its model: an accelerator needs a table for it, a
  // language model an LLM engine (`scheduler: llm`) with room for its weights, and an LLM engine
  // runs language models only. Any other placement is rejected and counted
  // (SimResult::unsupported_placements), with one warning per host and model.
  bool hosts_serve(const Plan& plan) {
    bool ok = true;
    auto check = [&](uint32_t host, const ModelProfile* m) {
      const HostSpec& h = spec_.hosts[host];
      const bool engine = runs_[host].llm != nullptr;
      std::string why;
      if (m->llm && !engine) {
        why = fmt::format("host '{}' has no LLM engine for language model '{}' (an accelerator with an llm: section "
                          "and scheduler: llm, docs/inputs.md \"LLM serving\")",
                          h.name, m->name);
      } else if (m->llm && llm_weight_bytes(*m) >= h.memory_bytes) {
        why = fmt::format("model '{}' needs {:.2f} GB of weights, more than host '{}' holds ({:.2f} GB)", m->name,
                          llm_weight_bytes(*m) / 1e9, h.name, h.memory_bytes / 1e9);
      } else if (!m->llm && engine) {
        why = fmt::format("host '{}' is an LLM engine: it serves language models only, not '{}'", h.name, m->name);
      } else if (!m->llm && h.accelerator && !h.accelerator->find(m->name)) {
        why = fmt::format("host '{}' (accelerator {}) has no table for model '{}'; add the model to {}", h.name,
                          h.accelerator->name, m->name, h.accelerator->file);
      } else {
        return;
      }
      ok = false;
      if (unsupported_warned_.insert(StageKey{m, host, 0, 0}).second) {
        const std::string w = why + ": requests placed there are rejected (counted in unsupported_placements)";
        out_.warnings.push_back(w);
        if (in_.on_warning) in_.on_warning(w);
      }
    };
    for (const PlanStage& st : plan.stages) check(st.host, plan.model);
    for (const auto& b : plan.branches) check(b.host, b.model);
    if (!ok) ++out_.unsupported_placements;
    return ok;
  }

  // A fan-out plan: one slot per branch, each a plain one-stage plan whose result goes to the
  // meeting host instead of the source.
  void start_branches(uint32_t slot, double now) {
    const std::vector<Plan::Branch> branches = flights_[slot].plan.branches;
    flights_[slot].open_branches = static_cast<uint32_t>(branches.size());
    for (const Plan::Branch& b : branches) {
      const uint32_t c = flights_.take();  // a deque: flights_[slot] stays where it is
      Flight& child = flights_[c];
      const Flight& f = flights_[slot];
      child.req = f.req;
      child.at_host = f.req.source;
      child.parent = slot;
      child.plan.model = b.model;
      child.plan.work_scale = f.plan.work_scale;
      child.plan.stages.push_back({b.host, 1, static_cast<uint32_t>(b.model->row_count() - 1)});
      advance(c, now);
    }
  }

  // A branch is over: its charges go to its request, whose own plan goes on once every branch is
  // (from the meeting host, where the branches' outputs are), or fails if one of them failed.
  void join(uint32_t c, bool ok, double now) {
    const auto p = static_cast<uint32_t>(flights_[c].parent);
    for (SimObserver* o : in_.observers) o->branch_joined({c, p});
    Flight& f = flights_[p];
    const double started = flights_[c].first_start;  // the request's first execution is its earliest branch's
    if (started >= 0 && (f.first_start < 0 || started < f.first_start)) f.first_start = started;
    flights_.release(c);
    if (!ok) f.branch_failed = true;
    if (--f.open_branches > 0) return;
    if (f.branch_failed) {
      finish(p, RequestStatus::Failed);
      return;
    }
    f.at_host = f.plan.stages.front().host;
    advance(p, now);
  }

  void park(const Request& req, uint32_t deferrals, double until, double now) {
    const uint32_t s = parked_.take();
    parked_[s] = {req, deferrals};
    if (until == kHold)
      held_.emplace(req.id, s);
    else if (until == kNever)
      waiting_host_change_.push_back(s);
    else
      agenda_.push({std::max(until, now), agenda_seq_++, AgendaItem::Deferred, s});
  }

  // A decision on a request the policy holds (Defer until kHold), taken at any event.
  void take_held(Decision& d, double now) {
    auto it = held_.find(d.request);
    if (it == held_.end())
      throw std::logic_error(fmt::format("policy decided on request {}, which is neither the arrival at hand nor "
                                         "held by it (Defer until kHold)", d.request));
    const uint32_t s = it->second;
    held_.erase(it);
    const Parked p = parked_[s];
    parked_.release(s);
    take_request(d, p.req, p.deferrals, now);
  }

  // A deferred request comes back to the policy as an arrival.
  void unpark(uint32_t s, double now) {
    const Parked p = parked_[s];
    parked_.release(s);
    present(p.req, p.deferrals, now);
  }

  void fail_parked(uint32_t s) {
    const Parked p = parked_[s];
    parked_.release(s);
    uint32_t slot = flights_.take();
    flights_[slot].req = p.req;
    flights_[slot].at_host = p.req.source;
    finish(slot, RequestStatus::Failed);
  }

  void run_agenda(const AgendaItem& item, double now) {
    switch (item.kind) {
      case AgendaItem::Deferred: unpark(static_cast<uint32_t>(item.payload), now); break;
      case AgendaItem::PolicyTimer: {
        PolicyEvent ev;
        ev.kind = PolicyEvent::Timer;
        ev.timer = item.payload;
        dispatch(ev, now);
        break;
      }
      case AgendaItem::PowerDone:
        power_done(static_cast<uint32_t>(item.payload & 0xffffffffu), static_cast<uint32_t>(item.payload >> 32), now);
        break;
      case AgendaItem::LoadDone:
        load_done(static_cast<uint32_t>(item.payload & 0xffffffffu), static_cast<uint32_t>(item.payload >> 32), now);
        break;
      case AgendaItem::BatchDue:
        runs_[item.payload].batch_due = kNever;
        start_queued(static_cast<uint32_t>(item.payload), now);
        break;
      case AgendaItem::LlmLoaded:  // a model's weights are in: its waiting requests go in
        llm_load_pending(static_cast<uint32_t>(item.payload), now);
        start_llm(static_cast<uint32_t>(item.payload), now);
        break;
    }
  }

  // SetPstate, PowerOn, PowerOff, Sleep, SetTimer.
  void apply(const Decision& d, double now) {
    if (d.kind != Decision::SetTimer && d.host >= spec_.hosts.size())
      throw std::logic_error(fmt::format("policy named host {} of {}", d.host, spec_.hosts.size()));
    switch (d.kind) {
      case Decision::SetPstate:
        if (d.pstate >= spec_.hosts[d.host].pstates.size())
          throw std::logic_error(fmt::format("policy set pstate {} on host '{}'", d.pstate, spec_.hosts[d.host].name));
        set_pstate(d.host, d.pstate, now);
        break;
      case Decision::PowerOn: power_on(d.host, now); break;
      case Decision::PowerOff: power_off(d.host, now, Power::Off); break;
      case Decision::Sleep:
        if (!spec_.hosts[d.host].power_states.has_sleep)
          throw InputError(fmt::format("{}: host '{}' has no sleep: section but the policy puts it to sleep; "
                                       "give the host sleep: {{power, wake_time}}",
                                       spec_.file, spec_.hosts[d.host].name));
        power_off(d.host, now, Power::Sleeping);
        break;
      case Decision::SetTimer: agenda_.push({std::max(d.until, now), agenda_seq_++, AgendaItem::PolicyTimer, d.timer}); break;
      case Decision::Deploy: deploy(d.host, d.model, now); break;
      case Decision::Evict: evict(d.host, d.model, now); break;
      default: break;
    }
  }

  // Out of line and rare (SimInput::kProgressEvery): nothing on the per-request path but a counter.
  void report_progress(double now) {
    if (in_.on_progress) in_.on_progress(SimInput::Progress{now, out_.arrived, ended_});
  }

  void arrive(double now) {
    Request req = in_.arrivals->pop();
    next_arrival_ = in_.arrivals->peek_time();
    ++out_.arrived;
    if ((++progress_count_ & (SimInput::kProgressEvery - 1)) == 0) report_progress(now);
    present(req, 0, now);
  }

  // An arrival (or a deferred request coming back) goes to the policy; its decision runs.
  void present(const Request& req, uint32_t deferrals, double now) {
    PolicyEvent ev;
    ev.kind = PolicyEvent::Arrival;
    ev.t = now;
    ev.request = &req;
    ev.variants = &variants_.at(req.model);
    ev.deferrals = deferrals;
    view_.now_s = now;
    decisions_.clear();
    // Decision latency is sampled (the first 4,096, then every 64th): reading the clock twice per
    // request would cost more than many policies' decisions.
    ++decisions_timed_;
    if ((decisions_timed_ & 63) == 1 || out_.decision_ns.size() < 4096) {
      const auto t0 = std::chrono::steady_clock::now();
      in_.policy->on_event(ev, view_, decisions_);
      const auto t1 = std::chrono::steady_clock::now();
      out_.decision_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    } else {
      in_.policy->on_event(ev, view_, decisions_);
    }
    // The common case, one Place or Reject, without the general path's copy.
    if (decisions_.size() == 1 && decisions_[0].request == req.id &&
        (decisions_[0].kind == Decision::Place || decisions_[0].kind == Decision::Reject)) {
      // take_request reads the decision only before anything it starts could dispatch again (and
      // so clear decisions_): the plan is moved out first.
      take_request(decisions_[0], req, deferrals, now);
      return;
    }
    apply_decisions(ev, now);
  }

  // The general path of dispatch() for decisions already in decisions_.
  void apply_decisions(const PolicyEvent& ev, double now) {
    Decisions mine;
    mine.swap(decisions_);
    bool decided = false;
    for (Decision& d : mine) {
      const bool about_request = d.kind == Decision::Place || d.kind == Decision::Defer || d.kind == Decision::Reject;
      const bool own = ev.kind == PolicyEvent::Arrival && d.request == ev.request->id && !decided;
      if (about_request && !own) {
        take_held(d, now);  // also the arrival's own request, held by its first decision
      } else if (about_request) {
        decided = true;
        take_request(d, *ev.request, ev.deferrals, now);
      } else {
        apply(d, now);
      }
    }
    if (ev.kind == PolicyEvent::Arrival && !decided)
      throw std::logic_error(fmt::format("policy made no decision for request {}", ev.request->id));
    if (decisions_.capacity() < mine.capacity()) decisions_.swap(mine);
  }

  // Moves a request to its next step: ship its tensor, run its next stage, or return the result.
  void advance(uint32_t slot, double now) {
    Flight& f = flights_[slot];
    const ModelProfile& m = *f.plan.model;
    if (f.next_stage < f.plan.stages.size()) {
      const PlanStage& st = f.plan.stages[f.next_stage];
      if (f.at_host != st.host) {
        send(slot, f.at_host, st.host, cut_bytes(f, st.first_row - 1), now);
      } else {
        enqueue(slot, st.host, now);
      }
    } else if (f.parent >= 0) {  // a branch: its output goes to the meeting host
      const uint32_t meet = flights_[static_cast<uint32_t>(f.parent)].plan.stages.front().host;
      if (f.at_host != meet) send(slot, f.at_host, meet, cut_bytes(f, m.row_count() - 1), now);
      else join(slot, true, now);
    } else if (f.at_host != f.req.source) {
      send(slot, f.at_host, f.req.source, cut_bytes(f, m.row_count() - 1), now);
    } else {
      finish(slot, RequestStatus::Completed);
    }
  }

  void send(uint32_t slot, uint32_t from, uint32_t to, double bytes, double now) {
    if (!spec_.reachable(from, to))
      throw InputError(fmt::format("{}: no route from host '{}' to '{}' but a plan needs one; add a route or "
                                   "attach both hosts under network.attach",
                                   spec_.file, spec_.hosts[from].name, spec_.hosts[to].name));
    const Power dest = view_.hosts[to].power;
    if (view_.hosts[from].on && (dest == Power::Booting || dest == Power::Waking)) {
      runs_[to].inbound.push_back({slot, from, bytes});  // sent once the host is up
      return;
    }
    if (!view_.hosts[from].on || !view_.hosts[to].on) {  // nobody to send or to receive
      finish(slot, RequestStatus::Failed);
      return;
    }
    flights_[slot].at_host = to;
    sg4::CommPtr c = sg4::Comm::sendto_init(plat_.hosts[from], plat_.hosts[to]);
    c->set_payload_size(static_cast<uint64_t>(bytes));
    launch(std::move(c), {Pending::Comm, slot, from, to, now, bytes});
    const TransferStarted ev{slot, flights_[slot].req.id, now};
    for (SimObserver* o : in_.observers) o->transfer_started(ev);
    // Once per transfer: the view's link load and the accounting both use it. Kept per slot apart
    // from Flight (which take() resets), so its capacity is reused: no allocation per transfer.
    if (routes_.size() <= slot) routes_.resize(slot + 1);
    spec_.route(from, to, routes_[slot]);
    link_load(routes_[slot], bytes, +1);
  }

  // ClusterView::links: transfers in progress and their bytes on each link of the route.
  void link_load(const std::vector<uint32_t>& route, double bytes, int sign) {
    for (uint32_t l : route) {
      LinkState& ls = view_.links[l];
      ls.transfers = static_cast<uint32_t>(static_cast<int64_t>(ls.transfers) + sign);
      ls.bytes = ls.transfers ? ls.bytes + sign * bytes : 0.0;  // exactly 0 when idle, whatever the rounding
      if (sign > 0 && ls.transfers >= kLinkBacklog) backlog_.watch(true, l);
    }
  }

  // Hosts: queued stages; links: transfers in progress. Reported once each, live on stderr (the
  // run may crawl on) and in the summary's warnings.
  void check_backlog(double now) {
    std::vector<BacklogWatch::Growth> grew;
    backlog_.sample(
        now, [&](bool link, uint32_t i) { return double(link ? view_.links[i].transfers : view_.hosts[i].queued); },
        grew);
    for (const auto& g : grew) {
      const std::string w =
          g.link ? fmt::format("link '{}': transfers in progress over it grew from {:.0f} to {:.0f} over the last "
                               "simulated hour (t = {:.0f} s); they arrive faster than the narrowest link of their "
                               "route carries them, share it ever more thinly, and the run slows down — give that "
                               "link more bandwidth or send less over it",
                               spec_.links[g.index].name, g.from, g.to, now)
                 : fmt::format("host '{}' backlog grew without bound: {:.0f} → {:.0f} queued stages over the last "
                               "simulated hour (t = {:.0f} s); it receives more than it can serve — cap its queue "
                               "with max_queue (docs/inputs.md) or add capacity",
                               spec_.hosts[g.index].name, g.from, g.to, now);
      out_.warnings.push_back(w);
      if (in_.on_warning) in_.on_warning(w);
    }
  }

  // A stage joins its host's local scheduler, which starts it now or later (a host that is off,
  // booting or asleep keeps it queued until it is on).
  void enqueue(uint32_t slot, uint32_t host, double now) {
    if (view_.replicas_tracked && !replica_ready(slot, host, now)) return;
    if (runs_[host].llm) {
      enqueue_llm(slot, host, now);
      return;
    }
    if (runs_[host].batcher) {
      enqueue_batched(slot, host, now);
      return;
    }
    LocalScheduler& q = *runs_[host].queue;
    HostState& hs = view_.hosts[host];
    if (hs.on && q.size() == 0 && q.admits(hs.busy, spec_.hosts[host].cores)) {
      start_exec(slot, host, now);
      return;
    }
    const uint32_t cap = spec_.hosts[host].max_queue;
    if (cap > 0 && q.size() >= cap) {  // full: the request is dropped here (docs/inputs.md max_queue)
      drop(slot);
      return;
    }
    q.push(slot);
    count_queued(host);
    start_queued(host, now);
  }

  // A stage joined the host's queue (or batcher): counted, and a growing backlog watched.
  void count_queued(uint32_t host) {
    HostState& hs = view_.hosts[host];
    ++hs.queued;
    changed(host);
    if (hs.queued >= std::max<uint32_t>(kHostBacklog, 4 * spec_.hosts[host].cores)) backlog_.watch(false, host);
  }

  // Bytes a request ships when its model is cut after row k: a language model's depend on its tokens
  // (the prompt, the KV cache of a prefill handed to a decode host, the output).
  double cut_bytes(const Flight& f, size_t k) const {
    const ModelProfile& m = *f.plan.model;
    if (m.llm) return llm_cut_bytes(m, f.req.prompt_tokens, f.req.output_tokens, k);
    return m.cut_bytes(k) * f.req.work;
  }

  // --- LLM serving (the `llm` scheduler, docs/inputs.md "LLM serving") ---

  // A language model's request joins the host's engine once its model's weights are in memory:
  // loaded on first use beside the others while they fit, else in place of loaded models no sequence
  // uses (the earliest loaded first), taking llm.load_latency + bytes / llm.load_bandwidth; until
  // then it waits, in arrival order, for the models in use to drain and the load to end
  // (llm_pending; docs/inputs.md "LLM serving"). Beyond max_queue it is dropped.
  void enqueue_llm(uint32_t slot, uint32_t host, double now) {
    HostRun& r = runs_[host];
    const uint32_t cap = spec_.hosts[host].max_queue;
    if (cap > 0 && r.llm->waiting() + r.llm_pending.size() >= cap) {
      drop(slot);
      return;
    }
    count_queued(host);
    if (!r.llm_pending.empty() || !llm_load(host, flights_[slot].plan.model, now)) {
      r.llm_pending.push_back(slot);
      sync_llm(host);
      return;
    }
    llm_admit(slot, host, now);
  }

  // Whether m's weights are ready in the host's memory; if they are not there, loads them when they
  // fit (evicting loaded models no sequence uses and no load holds), with an agenda item for the
  // end of a load that takes time.
  bool llm_load(uint32_t host, const ModelProfile* m, double now) {
    HostRun& r = runs_[host];
    for (const HostRun::LlmLoaded& l : r.llm_loaded)
      if (l.model == m) return l.ready <= now;
    const double memory = spec_.hosts[host].memory_bytes, need = llm_weight_bytes(*m);
    for (size_t i = 0; i < r.llm_loaded.size() && r.llm_weights + need > memory;) {
      if (r.llm->has_model(r.llm_loaded[i].model) || r.llm_loaded[i].ready > now) {
        ++i;
        continue;
      }
      r.llm_weights -= llm_weight_bytes(*r.llm_loaded[i].model);
      r.llm_loaded.erase(r.llm_loaded.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (r.llm_loaded.empty()) r.llm_weights = 0;  // exactly, whatever the sums' rounding
    if (r.llm_weights + need > memory) return false;
    const LlmServingSpec& l = spec_.hosts[host].llm;
    const double ready = l.load_bandwidth > 0 || l.load_latency_s > 0
                             ? now + l.load_latency_s + (l.load_bandwidth > 0 ? need / l.load_bandwidth : 0.0)
                             : now;
    r.llm_loaded.push_back({m, ready});
    r.llm_weights += need;
    r.llm->set_capacity(static_cast<uint64_t>(memory - r.llm_weights));
    if (ready > now) agenda_.push({ready, agenda_seq_++, AgendaItem::LlmLoaded, host});
    return ready <= now;
  }

  // The requests waiting for their model's weights, in order, while their models are ready.
  void llm_load_pending(uint32_t host, double now) {
    HostRun& r = runs_[host];
    while (!r.llm_pending.empty() && llm_load(host, flights_[r.llm_pending.front()].plan.model, now)) {
      const uint32_t s = r.llm_pending.front();
      r.llm_pending.pop_front();
      llm_admit(s, host, now);
    }
  }

  // Into the engine (its model is loaded). One that could not fit in the KV cache even alone is
  // dropped.
  void llm_admit(uint32_t slot, uint32_t host, double now) {
    const Flight& f = flights_[slot];
    HostRun& r = runs_[host];
    const ModelProfile* m = f.plan.model;
    const auto kv = static_cast<uint64_t>(kv_bytes_per_token(*m));
    if (!r.llm->fits_alone(f.req.prompt_tokens, f.req.output_tokens, kv)) {
      drop(slot);
      sync_llm(host);
      return;
    }
    // Its stage's rows (models/llm_zoo.hpp): the prefill only (its first token ends it here), the
    // decode only (its prompt's KV cache came with it), or both.
    const PlanStage& st = f.plan.stages[f.next_stage];
    const bool prefill = st.first_row <= kLlmPrefillRow, decode = st.last_row >= kLlmDecodeRow;
    if (!prefill && f.req.output_tokens <= 1) {  // its one token came out of the prefill: nothing to decode
      ++flights_[slot].next_stage;
      sync_llm(host);
      advance(slot, now);
      return;
    }
    r.llm->push(slot, m, f.req.prompt_tokens, decode ? f.req.output_tokens : 1, kv, !prefill);
    start_llm(host, now);
  }

  // The view's queue and busy counts follow the engine: sequences waiting, and running.
  void sync_llm(uint32_t host) {
    HostState& hs = view_.hosts[host];
    hs.queued = static_cast<uint32_t>(runs_[host].llm->waiting() + runs_[host].llm_pending.size());
    hs.busy = static_cast<uint32_t>(runs_[host].llm->running());
    changed(host);
  }

  // Starts the engine's next iteration unless one runs (or the host is not on): one execution of
  // the roofline time on the device in its current mode, drawing the phase's power; its members
  // share its dynamic energy by tokens.
  void start_llm(uint32_t host, double now) {
    HostRun& r = runs_[host];
    if (!view_.hosts[host].on || r.llm->busy()) return;
    uint32_t lost;
    while (r.llm->pop_unservable(lost)) drop(lost);
    if (r.llm->busy()) return;  // what the drops set off started one already
    const ModelProfile* m = nullptr;
    if (!r.llm->next(m, r.llm_members)) {
      sync_llm(host);
      return;
    }
    const HostSpec& spec = spec_.hosts[host];
    const uint32_t mode = view_.hosts[host].pstate;
    LlmWork w;
    for (const LlmEngine::Member& mb : r.llm_members) {
      if (mb.prefill) add_prefill_chunk(w, *m, mb.tokens, mb.start, mb.last_chunk);
      else add_decode_step(w, *m, mb.start + 1.0);
    }
    const LlmIterationCost c = llm_iteration_cost(spec.accelerator->llm[mode], *m, w);
    const double unit_w = c.power_w - spec.pstates[mode].idle_w, tokens = w.prompt_tokens + w.decode_tokens;
    const auto n = static_cast<uint32_t>(r.llm_members.size());
    for (uint32_t k = 0; k < n; ++k) {
      const LlmEngine::Member& mb = r.llm_members[k];
      Flight& f = flights_[mb.slot];
      ExecStarted ev{mb.slot, host, now};
      ev.batch = n;
      ev.unit_w = unit_w;
      ev.opens_unit = k == 0;
      ev.share = mb.tokens / tokens;
      for (SimObserver* o : in_.observers) o->exec_started(ev);
      if (f.first_start < 0) f.first_start = now;
      if (f.stage_start < 0) f.stage_start = now;
    }
    book_.accelerator_power(host, now, unit_w);
    sync_llm(host);
    const double flops = c.seconds * kAcceleratorSpeed;
    sg4::ExecPtr e = sg4::Exec::init();
    e->set_flops_amount(flops);
    e->set_host(plat_.hosts[host]);
    launch(std::move(e), {Pending::LlmIteration, host, host, host, now, flops});
  }

  // The iteration ended: its members' executions end (a sequence's stage with its last token), the
  // first tokens are stamped, finished sequences move on and the next iteration starts. Under a
  // host going down, every running sequence loses its KV cache and fails; waiting ones stay queued.
  void end_llm(const Pending& p, double now, bool completed) {
    const uint32_t host = p.slot;
    HostRun& r = runs_[host];
    const std::vector<LlmEngine::Member> members = r.llm_members;
    LlmEngine::Outcome out;
    if (completed) r.llm->finish(out);
    double tokens = 0;
    for (const LlmEngine::Member& mb : members) tokens += mb.tokens;
    const auto n = static_cast<uint32_t>(members.size());
    for (uint32_t k = 0; k < n; ++k) {
      Flight& f = flights_[members[k].slot];
      const double flops = p.amount * (members[k].tokens / tokens);
      f.stage_flops += flops;
      const bool ends = !completed || std::find(out.finished.begin(), out.finished.end(), members[k].slot) !=
                                          out.finished.end();
      ExecEnded ev{members[k].slot, host, f.req.id, ends ? f.stage_start : p.start, now, ends ? f.stage_flops : flops,
                   completed};
      ev.closes_unit = k + 1 == n;
      ev.stage_ends = ends;
      for (SimObserver* o : in_.observers) o->exec_ended(ev);
    }
    book_.accelerator_power(host, now, 0.0);
    if (!completed) {
      std::vector<uint32_t> running;
      r.llm->drop_running(running);
      sync_llm(host);
      for (uint32_t s : running) finish(s, RequestStatus::Failed);
      return;
    }
    for (uint32_t s : out.first_token) flights_[s].first_token = now;
    HostState& hs = view_.hosts[host];
    for (uint32_t s : out.finished) {
      Flight& f = flights_[s];
      f.last_token = now;
      ++f.next_stage;
      ++hs.completed;
      hs.busy_seconds += now - f.stage_start;
      ++out_.hosts[host].tasks;
      f.stage_start = -1;
      f.stage_flops = 0;
    }
    sync_llm(host);
    if (!out.finished.empty()) llm_load_pending(host, now);  // models may have drained
    start_llm(host, now);
    for (uint32_t s : out.finished) advance(s, now);
  }

  // --- Batching (the `batch` scheduler, docs/inputs.md "Batching" and "Accelerators") ---

  void enqueue_batched(uint32_t slot, uint32_t host, double now) {
    const Flight& f = flights_[slot];
    const PlanStage& st = f.plan.stages[f.next_stage];
    const HostSpec& spec = spec_.hosts[host];
    BatchScheduler& b = *runs_[host].batcher;
    uint32_t cap = spec.batching.max_batch;
    if (spec.accelerator) {
      const AcceleratorModel& am = *spec.accelerator->find(f.plan.model->name);
      cap = std::min(cap, am.max_batch());
      if (am.activation_bytes > 0 && spec.memory_bytes > 0) {
        // What a batch may hold beside the weights in memory (all resident replicas when tracked).
        const double weights = view_.replicas_tracked ? view_.resident_bytes[host]
                                                      : stage_weight_bytes(*f.plan.model, st.first_row, st.last_row);
        const double room = std::floor((spec.memory_bytes - weights) / am.activation_bytes);
        if (room < 1) {  // not even one request fits beside the weights
          drop(slot);
          return;
        }
        if (room < cap) cap = static_cast<uint32_t>(room);
      }
    }
    if (spec.max_queue > 0 && b.size() >= spec.max_queue) {
      drop(slot);
      return;
    }
    b.push(slot, {f.plan.model, static_cast<uint32_t>(st.first_row), static_cast<uint32_t>(st.last_row)}, cap, now);
    count_queued(host);
    start_queued(host, now);
  }

  // Starts every batch the host's batcher lets go now; sets a timer for the next held one.
  void start_batches(uint32_t host, double now) {
    HostRun& r = runs_[host];
    HostState& hs = view_.hosts[host];
    uint32_t q;
    while (hs.on && r.batcher->pop(now, batch_slots_, q)) {
      hs.queued -= static_cast<uint32_t>(batch_slots_.size());
      changed(host);
      if (view_.replicas_tracked) {  // a replica gone cold meanwhile: those stages wait for the reload
        std::vector<uint32_t> ready;
        for (uint32_t s : batch_slots_)
          if (replica_ready(s, host, now)) ready.push_back(s);
        batch_slots_.swap(ready);
      }
      if (batch_slots_.empty()) {
        r.batcher->finished(q);
        continue;
      }
      start_batch(host, q, now);
    }
    const double due = r.batcher->next_due();
    if (hs.on && due > now && due < r.batch_due) {
      r.batch_due = due;
      agenda_.push({due, agenda_seq_++, AgendaItem::BatchDue, host});
    }
  }

  // One execution for the batch in batch_slots_. On an accelerator it lasts the table's latency for
  // its size in the current power mode (plus a model switch on an exclusive device) and draws the
  // table's power above idle; on a flop-rated host it is the stages' flops on one core.
  void start_batch(uint32_t host, uint32_t queue, double now) {
    HostRun& r = runs_[host];
    const HostSpec& spec = spec_.hosts[host];
    const auto n = static_cast<uint32_t>(batch_slots_.size());
    const Flight& f0 = flights_[batch_slots_[0]];
    const PlanStage& st = f0.plan.stages[f0.next_stage];
    double flops = 0, unit_w = -1, work = 0;
    for (uint32_t s : batch_slots_) work += flights_[s].req.work * flights_[s].plan.work_scale;
    if (spec.accelerator) {
      const uint32_t mode = view_.hosts[host].pstate;
      const BatchCost c = accelerator_cost(spec, *f0.plan.model, st.first_row, st.last_row, n, mode);
      double seconds = c.seconds * (work / n);  // a batch job's request stands for `work` inferences
      const AcceleratorSpec& a = *spec.accelerator;
      if (a.sharing == AcceleratorSpec::Sharing::Exclusive && r.last_model && r.last_model != f0.plan.model)
        seconds += a.find(f0.plan.model->name)->switch_s;
      r.last_model = f0.plan.model;
      flops = seconds * kAcceleratorSpeed;
      unit_w = c.power_w - spec.pstates[mode].idle_w;
      r.batch_w += unit_w;
      book_.accelerator_power(host, now, r.batch_w / r.batcher->running());
    } else if (n == 1) {  // the fifo scheduler's expression, so a batch of one costs the same, bit for bit
      flops = flops_of(host, f0.plan.model, st.first_row, st.last_row) * f0.req.work * f0.plan.work_scale;
    } else {
      flops = flops_of(host, f0.plan.model, st.first_row, st.last_row) * work;
    }
    const uint32_t id = batches_.take();
    BatchRun& b = batches_[id];
    b.slots.assign(batch_slots_.begin(), batch_slots_.end());
    b.host = host;
    b.queue = queue;
    b.unit_w = unit_w;
    for (uint32_t k = 0; k < n; ++k) {
      Flight& f = flights_[b.slots[k]];
      ExecStarted ev{b.slots[k], host, now};
      ev.batch = n;
      ev.unit_w = unit_w;
      ev.opens_unit = k == 0;
      for (SimObserver* o : in_.observers) o->exec_started(ev);
      if (f.first_start < 0) f.first_start = now;
    }
    view_.hosts[host].busy += n;
    changed(host);
    sg4::ExecPtr e = sg4::Exec::init();
    e->set_flops_amount(flops);
    e->set_host(plat_.hosts[host]);
    launch(std::move(e), {Pending::Batch, id, host, host, now, flops});
  }

  // The batch's stages end (completed, or failed with their host); its instance is free again. Its
  // entry stays taken until the caller has moved its stages on (complete, fail).
  void end_batch(const Pending& p, double now, bool completed) {
    BatchRun& b = batches_[p.slot];
    HostRun& r = runs_[b.host];
    const auto n = static_cast<uint32_t>(b.slots.size());
    for (uint32_t k = 0; k < n; ++k) {
      const Flight& f = flights_[b.slots[k]];
      ExecEnded ev{b.slots[k], b.host, f.req.id, p.start, now, p.amount / n, completed};
      ev.closes_unit = k + 1 == n;
      for (SimObserver* o : in_.observers) o->exec_ended(ev);
    }
    HostState& hs = view_.hosts[b.host];
    hs.busy -= n;
    if (b.unit_w >= 0) {  // an accelerator: the batches left share its dynamic power
      const uint32_t left = r.batcher->running() - 1;
      r.batch_w = left > 0 ? r.batch_w - b.unit_w : 0.0;  // exactly 0 once none runs
      book_.accelerator_power(b.host, now, left > 0 ? r.batch_w / left : 0.0);
    }
    r.batcher->finished(b.queue);
    if (completed) {
      hs.completed += n;
      hs.busy_seconds += (now - p.start) * n;
      out_.hosts[b.host].tasks += n;
      for (uint32_t s : b.slots) ++flights_[s].next_stage;
    }
    changed(b.host);
  }

  // A request that cannot go on where its plan sends it: rejected if nothing ran for it yet, failed
  // if energy was already spent on it (a stage ran or its tensor moved).
  void drop(uint32_t slot) {
    const Flight& f = flights_[slot];
    const bool ran = f.first_start >= 0 || f.at_host != f.req.source;
    finish(slot, ran ? RequestStatus::Failed : RequestStatus::Rejected);
  }

  // --- Replicas (docs/inputs.md "Replicas") ---

  // Its index in view_.replicas[host] (and HostRun::replica_waiters), −1 when absent.
  int replica_index(uint32_t host, const ModelProfile* m) const {
    const ReplicaView* r = view_.find_replica(host, m);
    return r ? static_cast<int>(r - view_.replicas[host].data()) : -1;
  }

  uint32_t add_replica(uint32_t host, const ModelProfile* m, ReplicaState st) {
    view_.replicas[host].push_back({m, st, replica_bytes(*m)});
    runs_[host].replica_waiters.emplace_back();
    return static_cast<uint32_t>(view_.replicas[host].size() - 1);
  }

  // Warm and loading replicas hold memory; summed afresh (no drift from adding and subtracting).
  void update_resident(uint32_t host) {
    double b = 0;
    for (const ReplicaView& r : view_.replicas[host])
      if (r.state == ReplicaState::Warm || r.state == ReplicaState::Loading) b += r.bytes;
    view_.resident_bytes[host] = b;
  }

  // What the host's replicas draw from now on: hold power per GB resident, and the load power
  // while a load runs; nothing while the host is not on.
  void replica_power(uint32_t host, double now) {
    const HostSpec& hs = spec_.hosts[host];
    double w = 0;
    if (view_.hosts[host].on) {
      w = hs.replica.hold_w_per_gb * view_.resident_bytes[host] / 1e9;
      if (runs_[host].loading) w += hs.replica.load_w >= 0 ? hs.replica.load_w : hs.per_core_w(hs.initial_pstate);
    }
    book_.replica_power(host, now, w);
  }

  // Whether the stage of `slot` may run on `host` now (its model warm there). Otherwise it waits
  // for the replica's load (a cold one starts loading) or, absent or not fitting in memory, the
  // request is dropped.
  bool replica_ready(uint32_t slot, uint32_t host, double now) {
    const ModelProfile* m = flights_[slot].plan.model;
    if (!view_.can_serve(host, m)) {
      drop(slot);
      return false;
    }
    const int i = replica_index(host, m);
    const ReplicaState st = view_.replicas[host][i].state;
    if (st == ReplicaState::Warm) return true;
    if (st == ReplicaState::Cold) start_loading(host, static_cast<uint32_t>(i), now);
    runs_[host].replica_waiters[i].push_back(slot);
    ++view_.hosts[host].queued;  // waiting on the host, like a queued stage
    changed(host);
    return false;
  }

  void start_loading(uint32_t host, uint32_t i, double now) {
    view_.replicas[host][i].state = ReplicaState::Loading;
    update_resident(host);
    runs_[host].loads.push_back(i);
    changed(host);
    next_load(host, now);
  }

  // Starts the next load of a host that is on and not loading (latency + bytes / bandwidth), then
  // sets what its replicas draw from now on.
  void next_load(uint32_t host, double now) {
    HostRun& r = runs_[host];
    if (!r.loading && !r.loads.empty() && view_.hosts[host].on) {
      r.loading = true;
      const ReplicaCosts& c = spec_.hosts[host].replica;
      const double duration = c.load_latency_s + view_.replicas[host][r.loads.front()].bytes / c.load_bandwidth;
      agenda_.push({now + duration, agenda_seq_++, AgendaItem::LoadDone, host | uint64_t{++r.load_gen} << 32});
    }
    replica_power(host, now);
  }

  void load_done(uint32_t host, uint32_t gen, double now) {
    HostRun& r = runs_[host];
    if (!r.loading || gen != r.load_gen) return;  // cut short by a failure or shutdown
    r.loading = false;
    const uint32_t i = r.loads.front();
    r.loads.pop_front();
    ReplicaView& rv = view_.replicas[host][i];
    rv.state = ReplicaState::Warm;
    const ModelProfile* model = rv.model;
    ++out_.replica_loads;
    std::vector<uint32_t> waiters;
    waiters.swap(r.replica_waiters[i]);
    view_.hosts[host].queued -= static_cast<uint32_t>(waiters.size());
    changed(host);
    next_load(host, now);
    for (uint32_t s : waiters) enqueue(s, host, now);
    if (wants(PolicyEvent::ReplicaChange)) {
      PolicyEvent ev;
      ev.kind = PolicyEvent::ReplicaChange;
      ev.host = host;
      ev.model = model;
      dispatch(ev, now);
    }
  }

  // A host that stops loses its memory: warm replicas turn cold; loads (the one running too) wait
  // for it to come back, with their memory kept for them.
  void replicas_leave(uint32_t host, double now) {
    HostRun& r = runs_[host];
    for (ReplicaView& rv : view_.replicas[host])
      if (rv.state == ReplicaState::Warm) rv.state = ReplicaState::Cold;
    if (r.loading) {
      r.loading = false;
      ++r.load_gen;
    }
    update_resident(host);
    replica_power(host, now);
    changed(host);
  }

  void require_replicas(const char* what, uint32_t host, const ModelProfile* m) const {
    if (!view_.replicas_tracked)
      throw std::logic_error(fmt::format("policy decided {} on host '{}' but the experiment has no replicas: section "
                                         "(replicas are not tracked)",
                                         what, spec_.hosts[host].name));
    if (!m) throw std::logic_error(fmt::format("policy decided {} on host '{}' without a model", what, spec_.hosts[host].name));
  }

  void deploy(uint32_t host, const ModelProfile* m, double now) {
    require_replicas("Deploy", host, m);
    int i = replica_index(host, m);
    if (i < 0) i = static_cast<int>(add_replica(host, m, ReplicaState::Cold));
    const ReplicaView& rv = view_.replicas[host][i];
    if (rv.state == ReplicaState::Warm || rv.state == ReplicaState::Loading) return;
    if (!view_.fits(host, rv.bytes))
      throw std::logic_error(fmt::format("policy deployed '{}' on host '{}': {:.1f} MB of weights do not fit beside the "
                                         "{:.1f} MB resident (memory {:.1f} MB); evict first (ClusterView::fits)",
                                         m->name, spec_.hosts[host].name, rv.bytes / 1e6,
                                         view_.resident_bytes[host] / 1e6, spec_.hosts[host].memory_bytes / 1e6));
    start_loading(host, static_cast<uint32_t>(i), now);
  }

  // Warm → cold; anything else is left as it is (a load in progress finishes). Stages already
  // running keep their weights until they end.
  void evict(uint32_t host, const ModelProfile* m, double now) {
    require_replicas("Evict", host, m);
    const int i = replica_index(host, m);
    if (i < 0 || view_.replicas[host][i].state != ReplicaState::Warm) return;
    view_.replicas[host][i].state = ReplicaState::Cold;
    update_resident(host);
    replica_power(host, now);
    changed(host);
  }

  void start_exec(uint32_t slot, uint32_t host, double now) {
    Flight& f = flights_[slot];
    const PlanStage& st = f.plan.stages[f.next_stage];
    for (SimObserver* o : in_.observers) o->exec_started({slot, host, now});
    ++view_.hosts[host].busy;
    changed(host);
    if (f.first_start < 0) f.first_start = now;
    sg4::ExecPtr e = sg4::Exec::init();
    // A batch job's request stands for `work` inferences; the policy's work_scale is its overhead
    // on the workers it chose (both 1 for a plain request: the same flops, bit for bit).
    const double flops = flops_of(host, f.plan.model, st.first_row, st.last_row) * f.req.work * f.plan.work_scale;
    e->set_flops_amount(flops);
    e->set_host(plat_.hosts[host]);
    launch(std::move(e), {Pending::Exec, slot, host, host, now, flops});
  }

  // stage_flops walks the stage's rows (and their op costs) every time; a run repeats few distinct
  // (host, model, rows) stages millions of times, so it is remembered. Same value, bit for bit.
  double flops_of(uint32_t host, const ModelProfile* m, size_t first, size_t last) {
    const StageKey key{m, host, static_cast<uint32_t>(first), static_cast<uint32_t>(last)};
    // Most hosts run one stage shape over and over: their last one is checked before the map.
    auto& [last_key, last_flops] = last_stage_[host];
    if (last_key == key) return last_flops;
    auto [it, fresh] = stage_flops_.try_emplace(key, 0.0);
    if (fresh) it->second = stage_flops(spec_.hosts[host], *m, first, last);
    last_key = key;
    last_flops = it->second;
    return it->second;
  }

  // Starts an activity with its bookkeeping in place first, so that its completion always finds it.
  void launch(sg4::ActivityPtr&& a, const Pending& p) {
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
    sg4::Activity* raw = a.get();
    live_[id] = std::move(a);  // SimGrid does not own the s4u object: we keep it alive until it completes
    ++in_flight_;
    raw->start();
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

  // Ends the stage running for `slot` on `host` (the observers charge it to its request).
  void stop_exec(const Pending& p, double now, bool completed) {
    Flight& f = flights_[p.slot];
    const ExecEnded ev{p.slot, p.to, f.req.id, p.start, now, p.amount, completed};
    for (SimObserver* o : in_.observers) o->exec_ended(ev);
    --view_.hosts[p.to].busy;
    changed(p.to);
  }

  void start_queued(uint32_t host, double now) {
    HostRun& r = runs_[host];
    if (r.llm) {
      start_llm(host, now);
      return;
    }
    if (r.batcher) {
      start_batches(host, now);
      return;
    }
    HostState& hs = view_.hosts[host];
    uint32_t s;
    while (hs.on && r.queue->pop(hs.busy, spec_.hosts[host].cores, s)) {
      --hs.queued;
      // Its replica may have gone cold while it queued (the host stopped, or an Evict): it waits
      // for the reload instead.
      if (view_.replicas_tracked && !replica_ready(s, host, now)) continue;
      start_exec(s, host, now);
    }
  }

  void complete(const Pending& p, double now, double remaining) {
    if (p.kind == Pending::LlmIteration) {
      end_llm(p, now, true);
      return;
    }
    if (p.kind == Pending::Batch) {
      end_batch(p, now, true);
      const BatchRun& b = batches_[p.slot];  // still taken: the batches started below get other entries
      start_queued(b.host, now);
      for (uint32_t s : b.slots) advance(s, now);
      batches_.release(p.slot);
      return;
    }
    Flight& f = flights_[p.slot];
    if (p.kind == Pending::Exec) {
      stop_exec(p, now, true);
      HostState& hs = view_.hosts[p.to];
      ++hs.completed;
      hs.busy_seconds += now - p.start;
      changed(p.to);
      ++out_.hosts[p.to].tasks;
      ++f.next_stage;
      start_queued(p.to, now);
    } else {
      transfer_ended(p, now, remaining, true);
    }
    advance(p.slot, now);
  }

  void fail(const Pending& p, double now, double remaining) {
    if (p.kind == Pending::LlmIteration) {
      end_llm(p, now, false);
      return;
    }
    if (p.kind == Pending::Batch) {
      end_batch(p, now, false);
      for (uint32_t s : batches_[p.slot].slots) finish(s, RequestStatus::Failed);
      batches_.release(p.slot);
      return;
    }
    if (p.kind == Pending::Exec)
      stop_exec(p, now, false);
    else
      transfer_ended(p, now, remaining, false);
    finish(p.slot, RequestStatus::Failed);
  }

  void transfer_ended(const Pending& p, double now, double remaining, bool completed) {
    const std::vector<uint32_t>& route = routes_[p.slot];
    link_load(route, p.amount, -1);
    const TransferEnded ev{p.slot,    flights_[p.slot].req.id, &route,    p.start,
                           now,       p.amount,                remaining, completed,
                           spec_.extra_latency_s(p.from, p.to)};
    for (SimObserver* o : in_.observers) o->transfer_ended(ev);
  }

  void finish(uint32_t slot, RequestStatus status) {
    const double now = sg4::Engine::get_clock();
    Flight& f = flights_[slot];
    if (f.parent >= 0) {  // a branch cannot go on: its request fails once its other branches end
      join(slot, false, now);
      return;
    }
    const uint32_t last_host = f.plan.stages.empty() ? UINT32_MAX : f.plan.stages.back().host;
    const ModelProfile* reported = f.plan.reported ? f.plan.reported : f.plan.model;
    RequestEnded ended{slot, &f.req, reported, status, f.plan.beyond_slo_reach,
                       now,  f.first_start, &f.hosts, last_host};
    ended.first_token = f.first_token;
    ended.last_token = f.last_token;
    for (SimObserver* o : in_.observers) o->request_ended(ended);
    if (f.req.client != 0) {  // a closed loop's client may send its next request (open-loop ones have no client)
      in_.arrivals->on_completion(f.req, now);
      next_arrival_ = in_.arrivals->peek_time();
    }
    flights_.release(slot);
    ++ended_;
    if ((++progress_count_ & (SimInput::kProgressEvery - 1)) == 0) report_progress(now);
    if (status != RequestStatus::Rejected && wants(PolicyEvent::RequestDone)) {
      PolicyEvent ev;
      ev.kind = PolicyEvent::RequestDone;
      const Request req = f.req;  // the slot may be reused by what the policy decides
      ev.request = &req;
      ev.completed = status == RequestStatus::Completed;
      dispatch(ev, now);
    }
  }

  void apply_event(const PlatformEvent& ev, double now) {
    switch (ev.kind) {
      case PlatformEvent::Pstate: set_pstate(ev.host, ev.pstate, now); break;
      case PlatformEvent::TurnOff: power_off(ev.host, now, Power::Off); break;
      case PlatformEvent::TurnOn: power_on(ev.host, now); break;
      case PlatformEvent::Sleep: power_off(ev.host, now, Power::Sleeping); break;
      case PlatformEvent::Fail: fail_host(ev.host, now); break;
      case PlatformEvent::Repair: repair_host(ev.host, now); break;
      case PlatformEvent::LinkFail:
      case PlatformEvent::LinkRepair: {
        // Only the power changes: the transfers over a site's links are its hosts', which fail at
        // the same instant (an explicit route through the site would carry on).
        uint32_t& n = link_outages_[ev.host];
        const bool down = ev.kind == PlatformEvent::LinkFail;
        if (down ? n++ == 0 : (n > 0 && --n == 0))
          for (SimObserver* o : in_.observers) o->link_fault({ev.host, now, down});
        break;
      }
    }
  }

  // A failure takes the host off at once, whatever it was doing (no shutdown phase: a boot or a
  // shutdown in progress is cut short). Its running stages fail; queued ones wait for the repair,
  // like a host switched off. Until then PowerOn/PowerOff only choose how it comes back.
  void fail_host(uint32_t host, double now) {
    HostRun& r = runs_[host];
    HostState& hs = view_.hosts[host];
    if (r.failures++ > 0) return;
    r.on_after_repair = hs.power == Power::On || hs.power == Power::Booting || hs.power == Power::Waking ||
                        r.power_on_after_shutdown;
    r.power_on_after_shutdown = false;
    hs.failed = true;
    for (SimObserver* o : in_.observers) o->host_fault({host, now, true});
    const bool was_running = hs.power == Power::On;
    meter_change(host, now, hs.on);
    power_state(host, Power::Off, now);  // a transition in progress is stale from here on
    leave_simgrid(host, now, was_running);
    host_changed(host, now);
  }

  // The end of the last outage in force: the host boots (its boot time and power) if it was on or
  // coming on when it failed, or was asked to since; otherwise it stays off.
  void repair_host(uint32_t host, double now) {
    HostRun& r = runs_[host];
    if (r.failures == 0 || --r.failures > 0) return;
    view_.hosts[host].failed = false;
    changed(host);
    for (SimObserver* o : in_.observers) o->host_fault({host, now, false});
    if (r.on_after_repair) power_on(host, now);
    else host_changed(host, now);
  }

  // Executions are charged by the observers' meters: tell them the host's pstate and whether it runs.
  void meter_change(uint32_t host, double now, bool on) {
    const HostMeterChange ev{host, now, view_.hosts[host].pstate, on};
    for (SimObserver* o : in_.observers) o->host_meter_change(ev);
  }

  void set_pstate(uint32_t host, uint32_t pstate, double now) {
    HostState& hs = view_.hosts[host];
    plat_.hosts[host]->set_pstate(pstate);  // SimGrid keeps it while the host is off
    hs.pstate = pstate;
    changed(host);
    meter_change(host, now, hs.on);
    if (hs.power == Power::On || hs.power == Power::Waking) power_state(host, hs.power, now);
  }

  // The host's power state from now on, with its energy book entries: SimGrid charges on (idle
  // and busy power) and off (power_off); the transition states draw their own power, booked as
  // the difference to power_off while SimGrid sees the host off.
  void power_state(uint32_t host, Power p, double now) {
    if (p != view_.hosts[host].power) ++runs_[host].transition;
    const HostSpec& spec = spec_.hosts[host];
    const PowerStates& ps = spec.power_states;
    HostState& hs = view_.hosts[host];
    const double idle = spec.pstates[hs.pstate].idle_w;
    double w = spec.off_w;
    switch (p) {
      case Power::On: w = idle; break;
      case Power::Off: w = spec.off_w; break;
      case Power::Booting: w = ps.boot_w; break;
      case Power::ShuttingDown: w = ps.shutdown_w; break;
      case Power::Sleeping: w = ps.sleep_w; break;
      case Power::Waking: w = idle; break;
    }
    book_.host_state(host, now, w, p == Power::On ? 0.0 : w - spec.off_w);
    hs.power = p;
    hs.on = p == Power::On;
    changed(host);
  }

  // off → booting → on (sleeping → waking → on); a shutdown in progress finishes first.
  void power_on(uint32_t host, double now) {
    HostState& hs = view_.hosts[host];
    if (runs_[host].failures > 0) {
      runs_[host].on_after_repair = true;
      return;
    }
    const PowerStates& ps = spec_.hosts[host].power_states;
    switch (hs.power) {
      case Power::On:
      case Power::Booting:
      case Power::Waking: return;
      case Power::ShuttingDown: runs_[host].power_on_after_shutdown = true; return;
      case Power::Off:
        if (ps.boot_s > 0) return begin_transition(host, Power::Booting, ps.boot_s, now);
        break;
      case Power::Sleeping:
        if (ps.wake_s > 0) return begin_transition(host, Power::Waking, ps.wake_s, now);
        break;
    }
    turn_on(host, now);
  }

  // on → shutting-down → off, or on → sleeping. The host leaves SimGrid at once: its running
  // stages fail; queued ones wait for it to come back.
  void power_off(uint32_t host, double now, Power target) {
    HostState& hs = view_.hosts[host];
    HostRun& r = runs_[host];
    const PowerStates& ps = spec_.hosts[host].power_states;
    if (r.failures > 0) {
      r.on_after_repair = false;
      return;
    }
    if (hs.power == target || hs.power == Power::ShuttingDown) return;
    if (hs.power == Power::Off && target == Power::Sleeping) return;  // off stays off
    meter_change(host, now, hs.on);
    r.power_on_after_shutdown = false;
    const bool was_running = hs.power == Power::On;
    if (target == Power::Off && was_running && ps.shutdown_s > 0) {
      begin_transition(host, Power::ShuttingDown, ps.shutdown_s, now);
    } else {
      power_state(host, target, now);
      host_changed(host, now);
    }
    leave_simgrid(host, now, was_running);
  }

  // The host stops: a running one leaves SimGrid (its running executions fail and come back
  // through on_completion), and the transfers waiting for a boot cut short fail.
  void leave_simgrid(uint32_t host, double now, bool was_running) {
    if (was_running) {
      meter_change(host, now, false);
      plat_.hosts[host]->turn_off();
    }
    if (view_.replicas_tracked) replicas_leave(host, now);
    std::vector<HostRun::Inbound> inbound;
    inbound.swap(runs_[host].inbound);
    for (const auto& in : inbound) finish(in.slot, RequestStatus::Failed);
  }

  void begin_transition(uint32_t host, Power p, double duration, double now) {
    power_state(host, p, now);
    const uint64_t id = ++runs_[host].transition;
    agenda_.push({now + duration, agenda_seq_++, AgendaItem::PowerDone, host | id << 32});
    host_changed(host, now);
  }

  // The end of a boot, wake or shutdown (unless another transition replaced it meanwhile).
  void power_done(uint32_t host, uint32_t transition, double now) {
    if (transition != runs_[host].transition) return;
    HostState& hs = view_.hosts[host];
    if (hs.power == Power::Booting || hs.power == Power::Waking) {
      turn_on(host, now);
    } else if (hs.power == Power::ShuttingDown) {
      power_state(host, Power::Off, now);
      host_changed(host, now);
      if (runs_[host].power_on_after_shutdown) {
        runs_[host].power_on_after_shutdown = false;
        power_on(host, now);
      }
    }
  }

  void turn_on(uint32_t host, double now) {
    HostRun& r = runs_[host];
    HostState& hs = view_.hosts[host];
    meter_change(host, now, hs.on);
    power_state(host, Power::On, now);
    sg4::Host* h = plat_.hosts[host];
    if (!h->is_on()) {
      h->turn_on();
      h->set_pstate(hs.pstate);
    }
    meter_change(host, now, true);
    if (view_.replicas_tracked) next_load(host, now);
    start_queued(host, now);
    std::vector<HostRun::Inbound> inbound;
    inbound.swap(r.inbound);
    for (const auto& in : inbound) send(in.slot, in.from, host, in.bytes, now);
    host_changed(host, now);
  }

  // Tells the policy (if it listens) and hands back requests deferred until a host change.
  void host_changed(uint32_t host, double now) {
    if (wants(PolicyEvent::HostChange)) {
      PolicyEvent ev;
      ev.kind = PolicyEvent::HostChange;
      ev.host = host;
      dispatch(ev, now);
    }
    if (!waiting_host_change_.empty()) {
      std::vector<uint32_t> back;
      back.swap(waiting_host_change_);
      for (uint32_t s : back) unpark(s, now);
    }
  }

 public:

 private:
  const SimInput& in_;
  const Experiment& exp_;
  const PlatformSpec& spec_;
  const BuiltPlatform& plat_;
  // A backlog is watched from this size on (hosts: or 4 stages per core) and sampled every 15
  // simulated minutes over the last hour.
  static constexpr uint32_t kHostBacklog = 16, kLinkBacklog = 64;
  std::vector<std::vector<uint32_t>> routes_;
  bool track_changes_ = false;  // the policy reads ClusterView::changes  // [flight slot]: links of its transfer in flight (one at a time)
  BacklogWatch backlog_{900, 3600};
  EnergyBook& book_;
  SimResult& out_;
  ClusterView view_;
  std::unique_ptr<Forecaster> own_forecast_;  // when SimInput::forecast is null
  CarbonSampler* sampler_ = nullptr;
  std::function<void(const std::string&, double)> tick_observers_;  // a zone's change point, to the observers
  CarbonSampler::SampleFn sample_observers_;  // a host's energy sample, to the observers
  uint32_t wants_ = 0;  // the policy's event_bit()s
  Decisions decisions_;
  uint64_t decisions_timed_ = 0;
  double horizon_ = 0;  // the run lasts at least this long (arrival window + longest deadline)
  std::priority_queue<AgendaItem, std::vector<AgendaItem>, std::greater<AgendaItem>> agenda_;
  uint64_t agenda_seq_ = 0;
  SlotPool<Parked> parked_;  // deferred requests
  std::vector<uint32_t> waiting_host_change_;  // parked slots deferred until a host change
  std::unordered_map<uint64_t, uint32_t> held_;  // request id -> parked slot, held by the policy (kHold)
  Timer* timer_ = nullptr;  // the chain's next tick, if any
  std::vector<PlatformEvent> events_;  // the experiment's and SimInput::extra_events, by time
  size_t next_event_ = 0;
  uint64_t ended_ = 0;           // requests ended (SimInput::Progress::finished)
  uint64_t progress_count_ = 0;  // arrivals + ends: every kProgressEvery-th reports progress
  double next_arrival_ = kNever;  // the stream's peek_time(), read again only after it can change
  std::vector<HostRun> runs_;
  std::unordered_map<uint32_t, uint32_t> link_outages_;  // link -> outages in force (site failures)
  std::vector<std::vector<const ModelProfile*>> variants_;
  SlotPool<Flight> flights_;  // requests in flight
  std::vector<Pending> pending_;           // by activity id (the activity's data)
  std::vector<sg4::ActivityPtr> live_;     // by activity id: started, not yet completed
  std::vector<uint32_t> free_pending_;
  std::vector<sg4::ActivityPtr> finished_;  // completed, released at the next completion
  uint64_t in_flight_ = 0;
  int depth_ = 0;
  bool host_names_ = false;  // an observer wants RequestEnded::hosts
  struct StageKey {
    const ModelProfile* model;
    uint32_t host, first, last;
    bool operator==(const StageKey& o) const {
      return model == o.model && host == o.host && first == o.first && last == o.last;
    }
  };
  struct StageKeyHash {
    CE_INTENDED_WRAPAROUND size_t operator()(const StageKey& k) const {
      size_t h = std::hash<const void*>()(k.model);
      for (uint32_t v : {k.host, k.first, k.last}) h = h * 1000003u ^ v;
      return h;
    }
  };
  std::unordered_map<StageKey, double, StageKeyHash> stage_flops_;
  SlotPool<BatchRun> batches_;  // running batches (Pending::Batch), by id
  std::vector<uint32_t> batch_slots_;  // the batch being formed
  bool check_serving_ = false;  // accelerators or language models: placements are checked (hosts_serve)
  std::unordered_set<StageKey, StageKeyHash> unsupported_warned_;  // (model, host) pairs warned of
  std::vector<std::pair<StageKey, double>> last_stage_;  // by host: its last stage and its flops
};

}  // namespace

std::string simgrid_version() { return SIMGRID_VERSION_STRING; }

SimResult simulate(const SimInput& in) {
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

  SimResult out;
  std::vector<std::string> zones;
  for (const auto& h : spec.hosts) {
    out.hosts.push_back({h.name, h.region, false, 0});
    zones.push_back(h.region);
  }
  for (const auto& l : spec.links) zones.push_back(l.region);

  EnergyBook book(spec, plat);
  Controller controller(in, plat, book, out);
  CarbonSampler sampler(*in.carbon, zones, book, out.hosts, controller.view());
  controller.start(sampler);
  engine.run();
  controller.drain();

  out.end_s = sg4::Engine::get_clock();
  for (const auto& zone : zones) {
    const Timeline& tl = in.carbon->by_zone.at(zone);
    if (!tl.covers(out.end_s))
      throw InputError(fmt::format("{}: key 'carbon': the run lasted until {} (queued work drained past "
                                   "carbon.duration) but zone '{}' has intensity data only until {}; "
                                   "set carbon.wrap: true or end the run earlier",
                                   in.experiment->file, format_utc(in.experiment->carbon.start_epoch + out.end_s),
                                   zone, format_utc(in.experiment->carbon.start_epoch + tl.end())));
  }
  // The hosts' last samples, handed over like the others (sim/ keeps none).
  sampler.finish(out.end_s, [&](uint32_t h, const EnergySample& s) {
    for (SimObserver* o : in.observers) o->host_sample(h, s);
  });
  for (SimObserver* o : in.observers) o->samples_taken(out.end_s);
  return out;
}

}  // namespace ce
