#include "accounting/run_accountant.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/model_profile.hpp"
#include "workload/request.hpp"

namespace ce {

RunAccountant::RunAccountant(const PlatformSpec& platform, const ZoneTimelines& carbon,
                             const std::vector<std::string>& requested_models, RequestSink on_request,
                             StageSink on_stage, IntervalSink on_interval)
    : platform_(platform),
      requested_(requested_models),
      on_request_(std::move(on_request)),
      on_stage_(std::move(on_stage)),
      on_interval_(std::move(on_interval)),
      resilience_(requested_models) {
  for (const auto& h : platform.hosts) {
    hosts_.push_back({{}, DynamicMeter(&h, &carbon.by_zone.at(h.region), h.initial_pstate), 0, h.accelerator != nullptr});
    last_.push_back({{0, 0, 0}, &carbon.by_zone.at(h.region)});
  }
  for (uint32_t l = 0; l < platform.links.size(); ++l) {
    const LinkSpec& ls = platform.links[l];
    books_.push_back({ls.idle_w, 0, &carbon.by_zone.at(ls.region), 0, {}, 0, 0});
    links_.push_back({ls.name, ls.region, true, 0});
    links_by_zone_[ls.region].push_back(l);
    last_.push_back({{0, 0, 0}, &carbon.by_zone.at(ls.region)});
  }
  totals_.resize(last_.size());
}

// Each stage running on the host gets its share of the host's dynamic power up to t.
// A flop-rated host: each running unit gets its share of the pstate's busy power (DynamicMeter),
// split equally among the unit's stages. An accelerator: each unit gets its own dynamic power over
// the units running (they share the device equally), split the same way.
void RunAccountant::charge_running(HostMeter& r, double t) {
  DynamicCharge share;
  if (r.accelerator) {
    if (!r.meter.advance_shared(t, r.units, share)) return;
    for (const Running& x : r.running) {
      const double w = x.share < 0 ? x.unit_w / x.batch : x.unit_w * x.share;
      slots_[x.slot].stage.energy_j += w * share.energy_j;
      slots_[x.slot].stage.carbon_g += w * share.carbon_g;
    }
    return;
  }
  if (!r.meter.advance(t, r.units, share)) return;
  for (const Running& x : r.running) {
    slots_[x.slot].stage.energy_j += share.energy_j / x.batch;  // exact for a stage alone (batch 1)
    slots_[x.slot].stage.carbon_g += share.carbon_g / x.batch;
  }
}

void RunAccountant::exec_started(const ExecStarted& e) {
  HostMeter& r = hosts_[e.host];
  charge_running(r, e.t);
  slot(e.slot);
  r.running.push_back({e.slot, e.batch, e.unit_w, e.share});
  if (e.opens_unit) ++r.units;
}

// The stage's charge moves to its request; its record goes out.
void RunAccountant::exec_ended(const ExecEnded& e) {
  HostMeter& r = hosts_[e.host];
  charge_running(r, e.end);
  Slot& s = slot(e.slot);
  if (!e.stage_ends) {
    s.stage_before.energy_j += s.stage.energy_j;
    s.stage_before.carbon_g += s.stage.carbon_g;
  } else if (on_stage_ && e.request % record_every_ == 0) {
    on_stage_({e.request, false, platform_.hosts[e.host].name, e.start, e.end, e.flops,
               s.stage_before.energy_j + s.stage.energy_j, s.stage_before.carbon_g + s.stage.carbon_g, e.completed});
  }
  if (e.stage_ends) s.stage_before = {};
  s.total.energy_j += s.stage.energy_j;
  s.total.carbon_g += s.stage.carbon_g;
  s.stage = {};
  auto it = std::find_if(r.running.begin(), r.running.end(), [&](const Running& x) { return x.slot == e.slot; });
  size_t i = static_cast<size_t>(it - r.running.begin());
  r.running[i] = r.running.back();
  r.running.pop_back();
  if (e.closes_unit) --r.units;
}

void RunAccountant::transfer_started(const TransferStarted& e) { starts_.push_back(e.t); }

// A fan-out branch's transfers and stages belong to its request (Σ per-request dynamic stays
// total − idle).
void RunAccountant::branch_joined(const BranchJoined& b) {
  const Slot child = slot(b.child);
  slots_[b.child] = {};
  Slot& parent = slot(b.parent);
  parent.total.energy_j += child.total.energy_j;
  parent.total.carbon_g += child.total.carbon_g;
  if (parent.upload_s < 0) parent.upload_s = child.upload_s;
}

// A transfer's dynamic link energy: on every link l of its route, (busy − idle) W × bytes carried
// / bandwidth_l (the link's load integrated over the transfer), spread evenly over the data phase
// [start + route latency, end] and charged at the intensity of the link's zone over that phase.
// A transfer cut short carried bytes − remaining.
void RunAccountant::transfer_ended(const TransferEnded& e) {
  const auto& route = *e.route;
  const double now = e.end;
  double latency = e.extra_latency;  // the data flows once the route's whole latency has passed
  for (uint32_t l : route) latency += platform_.links[l].latency;
  const double a = std::min(e.start + latency, now);
  const double carried = std::max(0.0, e.bytes - e.remaining);
  DynamicCharge charge;
  const Timeline* last_timeline = nullptr;  // links of one zone share the mean intensity over [a, now]
  double ci = 0;
  for (uint32_t l : route) {
    const LinkSpec& ls = platform_.links[l];
    const double en = (ls.busy_w - ls.idle_w) * carried / ls.bandwidth;
    LinkBook& b = books_[l];
    if (b.timeline != last_timeline) {
      ci = now > a ? b.timeline->integral(a, now, &b.hint) / (now - a) : b.timeline->at(now);
      last_timeline = b.timeline;
    }
    charge.energy_j += en;
    charge.carbon_g += en * ci / kJoulesPerKWh;
    link_charge(l, a, now, en);
    ++links_[l].tasks;
  }
  Slot& s = slot(e.slot);
  if (s.upload_s < 0) s.upload_s = now - e.start;
  s.total.energy_j += charge.energy_j;
  s.total.carbon_g += charge.carbon_g;
  if (on_stage_ && e.request % record_every_ == 0) {
    std::string names;
    for (uint32_t l : route) names += (names.empty() ? "" : ";") + platform_.links[l].name;
    on_stage_({e.request, true, names, e.start, now, e.bytes, charge.energy_j, charge.carbon_g, e.completed});
  }
  // Retire the start transfer_started recorded (the same double): at once when it is the earliest,
  // else once everything before it has gone.
  if (!starts_.empty() && e.start == starts_.front()) starts_.pop_front();  // the usual case: no heap
  else if (!starts_.empty() && e.start > starts_.front()) ended_starts_.push(e.start);
  while (!starts_.empty() && !ended_starts_.empty() && ended_starts_.top() == starts_.front()) {
    starts_.pop_front();
    ended_starts_.pop();
  }
  if (!link_due_.empty() || !rows_.empty()) settle();  // nothing waits: nothing to release
}

// A transfer whose data phase on link l was [a, b] (b = now) put `e` J of dynamic energy on it.
// Samples already taken after a get their share back, so each interval holds what fell in it.
// Those are all still pending: a sample is final only once no transfer in flight began before it,
// and a ≥ the transfer's start.
void RunAccountant::link_charge(uint32_t l, double a, double b, double e) {
  LinkBook& bk = books_[l];
  bk.dyn_done += e;
  for (size_t i = bk.pending.size(); i > bk.head && bk.pending[i - 1].t > a; --i) {
    EnergySample& s = bk.pending[i - 1];
    s.energy_j += b > a ? e * (std::min(s.t, b) - a) / (b - a) : e;
  }
}

// A consumer's next final sample: the interval since its last one goes to its totals (in time
// order, the additions for_each_interval's sum made) and, when rows are written, to the row queue.
void RunAccountant::add_sample(uint32_t c, const EnergySample& s) {
  Last& x = last_[c];
  IntervalCarbon iv;
  if (interval_between(x.sample, s, *x.timeline, iv)) {
    add_interval(totals_[c], iv);
    if (on_interval_) rows_.push({iv.t1, c, iv});
  }
  x.sample = s;
}

// Finalises every link sample no transfer in flight can still change (taken at or before the
// earliest start in flight), then hands over every row that ends before both that start and the
// sampling frontier: no row ending earlier can come after it, so the sink sees rows ordered by
// (t1, consumer). What waits is bounded by what one transfer in flight and one sampling step span.
void RunAccountant::settle() {
  const double min_start = starts_.empty() ? std::numeric_limits<double>::infinity() : starts_.front();
  const uint32_t n_hosts = static_cast<uint32_t>(hosts_.size());
  while (!link_due_.empty() && link_due_.top().first <= min_start) {
    const uint32_t l = link_due_.top().second;
    link_due_.pop();
    LinkBook& bk = books_[l];
    add_sample(n_hosts + l, bk.pending[bk.head++]);
    if (bk.head == bk.pending.size()) {
      bk.pending.clear();
      bk.head = 0;
    } else if (bk.head >= 64 && 2 * bk.head >= bk.pending.size()) {
      bk.pending.erase(bk.pending.begin(), bk.pending.begin() + static_cast<std::ptrdiff_t>(bk.head));
      bk.head = 0;
    }
  }
  const double w = std::min(frontier_, min_start);
  while (!rows_.empty() && rows_.top().t1 < w) {
    on_interval_(rows_.top().consumer, rows_.top().iv);
    rows_.pop();
  }
}

void RunAccountant::host_sample(uint32_t host, const EnergySample& s) { add_sample(host, s); }

void RunAccountant::samples_taken(double t) {
  frontier_ = t;
  settle();
}

EnergySample RunAccountant::link_sample(size_t l, double t) const {
  const LinkBook& b = books_[l];
  const double idle = b.idle_done + (b.down ? 0.0 : b.idle_w) * (t - b.idle_since);
  return {t, idle + b.dyn_done, idle};
}

// A failed site's link draws nothing while down (its idle power stops and resumes).
void RunAccountant::link_fault(const LinkFault& f) {
  LinkBook& b = books_[f.link];
  b.idle_done += (b.down ? 0.0 : b.idle_w) * (f.t - b.idle_since);
  b.idle_since = f.t;
  b.down = f.down;
}

void RunAccountant::host_meter_change(const HostMeterChange& e) {
  HostMeter& r = hosts_[e.host];
  charge_running(r, e.t);
  r.meter.set_pstate(e.pstate);
  r.meter.set_on(e.on);
}

void RunAccountant::zone_tick(const std::string& zone, double t) {
  auto it = links_by_zone_.find(zone);
  if (it == links_by_zone_.end()) return;
  for (uint32_t l : it->second) {
    LinkBook& bk = books_[l];
    bk.pending.push_back(link_sample(l, t));
    bk.last_t = t;
    link_due_.push({t, l});
  }
}

void RunAccountant::request_ended(const RequestEnded& e) {
  Slot& s = slot(e.slot);
  const Request& req = *e.request;
  const ModelProfile* m = e.model;
  const double top1 = m ? m->top1 : 0, top5 = m ? m->top5 : 0;
  tally_.dynamic_energy_j += s.total.energy_j;  // failed requests' work too: Σ = total − idle
  tally_.dynamic_carbon_g += s.total.carbon_g;
  if (req.job != 0) {
    tally_.batch_dynamic_energy_j += s.total.energy_j;
    tally_.batch_dynamic_carbon_g += s.total.carbon_g;
    if (e.status == RequestStatus::Completed) {
      tally_.batch_items_completed += req.work;
      if (e.t - req.arrival_s > req.deadline_s) tally_.late_jobs.insert(req.job);
    } else if (e.status == RequestStatus::Rejected) {
      tally_.rejected_jobs.insert(req.job);
    }
  }
  if (e.beyond_slo_reach) {  // whatever became of it: the placement itself could not meet the SLO
    ++tally_.slo_unreachable;
    tally_.slo_unreachable_sources.insert(req.source);
  }
  const double lat = e.t - req.arrival_s;
  resilience_.request_ended(req.model, req.arrival_s, e.status, e.t, e.last_host, top1,
                            std::isinf(req.deadline_s) && lat > req.slo_s);
  if (e.status == RequestStatus::Completed) {
    ++tally_.completed;
    tally_.network.add(std::max(0.0, s.upload_s));
    if (std::isinf(req.deadline_s)) {
      tally_.latency.add(lat);
      if (lat > req.slo_s) ++tally_.slo_violations;
    } else {
      tally_.deferrable_latency.add(lat);
      if (lat > req.deadline_s) ++tally_.deadline_violations;
    }
    tally_.completed_dynamic_energy_j += s.total.energy_j;
    tally_.completed_dynamic_carbon_g += s.total.carbon_g;
    tally_.top1_sum += top1;
    tally_.top5_sum += top5;
    if (m) ++tally_.served_per_model[m];
    if (m && m->llm && e.first_token >= 0) {
      const double ttft = e.first_token - req.arrival_s;
      ++tally_.llm_completed;
      tally_.ttft.add(ttft);
      tally_.ttft_violations += ttft > req.ttft_slo_s;
      const double out = std::max(1u, req.output_tokens);
      if (out > 1) {
        const double tpot = (e.last_token - e.first_token) / (out - 1);
        tally_.tpot.add(tpot);
        tally_.tpot_violations += tpot > req.tpot_slo_s;
      }
      tally_.prompt_tokens += std::max(1u, req.prompt_tokens);
      tally_.output_tokens += out;
      tally_.llm_dynamic_energy_j += s.total.energy_j;
      tally_.llm_dynamic_carbon_g += s.total.carbon_g;
    }
  } else if (e.status == RequestStatus::Rejected) {
    ++tally_.rejected;
  } else {
    ++tally_.failed;
  }
  if (on_request_ && req.id % record_every_ == 0) {  // strings only when someone reads them
    RequestRecord rec;
    rec.id = req.id;
    rec.arrival_s = req.arrival_s;
    // NaN: no execution ever began (rejected, or failed before); requests.csv leaves wait_ms empty.
    rec.start_s = e.first_start < 0 ? std::numeric_limits<double>::quiet_NaN() : e.first_start;
    rec.finish_s = e.t;
    rec.requested = requested_[req.model];
    rec.model = m ? m->name : "";
    rec.hosts = e.hosts ? *e.hosts : "";
    rec.source = req.source;
    rec.slo_s = req.slo_s;
    rec.dynamic_energy_j = s.total.energy_j;
    rec.dynamic_carbon_g = s.total.carbon_g;
    rec.top1 = top1;
    rec.top5 = top5;
    rec.status = e.status;
    if (m && m->llm) {
      rec.llm = true;
      rec.prompt_tokens = req.prompt_tokens;
      rec.output_tokens = req.output_tokens;
      rec.first_token_s = e.first_token;
      rec.last_token_s = e.last_token;
    }
    on_request_(rec);
  }
  s = {};
}

void RunAccountant::finish(double end_s) {
  resilience_.finish();
  for (uint32_t l = 0; l < links_.size(); ++l)
    if (books_[l].last_t < end_s) {
      books_[l].pending.push_back(link_sample(l, end_s));
      books_[l].last_t = end_s;
      link_due_.push({end_s, l});
    }
  starts_.clear();  // every transfer has ended (sim/ checks it)
  ended_starts_ = {};
  frontier_ = std::numeric_limits<double>::infinity();
  settle();
}

}  // namespace ce
