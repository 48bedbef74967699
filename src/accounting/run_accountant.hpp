#pragma once
// accounting/ as an observer of the simulation (records/sim_events.hpp): per-request dynamic
// energy and carbon (the hosts' meters, the links' charges), the links' own energy account, the
// run's tallies and latency histogram. It hands each finished stage and request, with its energy,
// to the output sinks. sim/ never includes accounting/: it only emits events.
#include <deque>
#include <functional>
#include <queue>
#include <set>
#include <unordered_map>
#include <vector>

#include "accounting/carbon_integral.hpp"
#include "accounting/dynamic_meter.hpp"
#include "accounting/latency_stats.hpp"
#include "accounting/resilience_tally.hpp"
#include "carbon/carbon_catalog.hpp"
#include "config/platform_spec.hpp"
#include "records/sim_events.hpp"

namespace ce {

struct RunTally {
  // slo_violations: completed requests without a deadline that took longer than their SLO;
  // deadline_violations: completed requests with a deadline (deferrable) that finished after it
  // (a deferrable request's latency includes its deferral, so its SLO is not what it is judged by).
  uint64_t completed = 0, rejected = 0, failed = 0, slo_violations = 0, deadline_violations = 0;
  LatencyStats latency;             // completed requests without a deadline (interactive)
  LatencyStats deferrable_latency;  // completed requests with one: arrival → result, deferral included
  // Completed requests' one-way network latency: the transfer of the input from the device to the
  // first host (start to end, distance latency and link sharing included; 0 when served on the device).
  LatencyStats network;
  // Σ over every request that ran (completed or failed): equals Σ consumers (energy − idle).
  double dynamic_energy_j = 0, dynamic_carbon_g = 0;
  double completed_dynamic_energy_j = 0, completed_dynamic_carbon_g = 0;  // completed requests only
  double top1_sum = 0, top5_sum = 0;  // Σ top-1 / top-5 accuracy of served variants
  std::unordered_map<const ModelProfile*, uint64_t> served_per_model;  // completed requests per variant
  // Batch jobs (Request::job != 0): inferences completed (Σ Request::work), the dynamic energy and
  // carbon of their requests (completed or failed), the jobs with a request completed after the
  // deadline, and those with a request rejected.
  double batch_items_completed = 0, batch_dynamic_energy_j = 0, batch_dynamic_carbon_g = 0;
  std::set<uint32_t> late_jobs, rejected_jobs;
  // Requests placed although no candidate could meet their SLO even unloaded
  // (RequestEnded::beyond_slo_reach), and their distinct source devices: users no site reaches.
  uint64_t slo_unreachable = 0;
  std::set<uint32_t> slo_unreachable_sources;
  // Completed language-model requests (ModelProfile::llm): time to first token (arrival → first
  // token out), time per output token ((last − first token) / (output − 1), for outputs of two or
  // more), their tokens and dynamic energy, and how many missed Request::ttft_slo_s / tpot_slo_s.
  LatencyStats ttft, tpot;
  uint64_t llm_completed = 0, ttft_violations = 0, tpot_violations = 0;
  double prompt_tokens = 0, output_tokens = 0, llm_dynamic_energy_j = 0, llm_dynamic_carbon_g = 0;
};

// One finished interval of one consumer (timeseries.csv's row). `consumer`: the hosts in platform
// order, then the links in platform order (0 .. hosts + links − 1).
using IntervalSink = std::function<void(uint32_t consumer, const IntervalCarbon&)>;

class RunAccountant : public SimObserver {
 public:
  // `requested_models` names Request::model indices; the sinks may be empty. `on_interval` gets
  // every consumer's intervals once they are final, ordered by interval end (t1), then consumer
  // index: each is handed over as soon as no earlier one can still come (see settle()).
  RunAccountant(const PlatformSpec& platform, const ZoneTimelines& carbon,
                const std::vector<std::string>& requested_models, RequestSink on_request = {},
                StageSink on_stage = {}, IntervalSink on_interval = {});

  void exec_started(const ExecStarted& e) override;
  void exec_ended(const ExecEnded& e) override;
  void transfer_started(const TransferStarted& e) override;
  void transfer_ended(const TransferEnded& e) override;
  void host_sample(uint32_t host, const EnergySample& s) override;
  void samples_taken(double t) override;
  void host_meter_change(const HostMeterChange& e) override;
  void zone_tick(const std::string& zone, double t) override;
  void request_ended(const RequestEnded& e) override;
  void host_fault(const HostFault& f) override { resilience_.host_fault(f); }
  void branch_joined(const BranchJoined& b) override;
  void link_fault(const LinkFault& f) override;
  bool wants_host_names() const override { return static_cast<bool>(on_request_); }
  // output.requests_every: records (and their strings) are built only for ids divisible by k,
  // since only those are written; the tallies still count every request.
  void set_record_every(uint64_t k) { record_every_ = k < 1 ? 1 : k; }

  // At the end of the run (after simulate() returned: every host sample is in): the links' last
  // samples; every interval left goes to the sink.
  void finish(double end_s);
  const RunTally& tally() const { return tally_; }
  const ResilienceTally& resilience() const { return resilience_; }
  // The top-1 each requested name asks for (ResilienceTally::set_reference_top1).
  void set_reference_top1(const std::vector<double>& top1) { resilience_.set_reference_top1(top1); }
  // The links (platform order): names, zones, transfers carried.
  const std::vector<ConsumerSeries>& link_series() const { return links_; }
  // Each consumer's energy, carbon and idle baseline summed over its intervals in time order
  // (hosts in platform order, then links): complete after finish().
  const std::vector<ConsumerTotals>& totals() const { return totals_; }

 private:
  struct Slot {
    DynamicCharge stage;  // the stage running now (charged by its host's meter)
    DynamicCharge stage_before;  // the stage's earlier executions (ExecEnded::stage_ends false)
    DynamicCharge total;  // Σ over its finished stages and transfers
    double upload_s = -1;  // its first transfer's duration (the input to its first host); -1: none yet
  };
  struct Running {
    uint32_t slot;
    uint32_t batch;  // stages of its unit (ExecStarted::batch)
    double unit_w;   // ExecStarted::unit_w
    double share;    // ExecStarted::share
  };
  struct HostMeter {
    std::vector<Running> running;
    DynamicMeter meter;
    uint32_t units = 0;        // units (executions) running: a batch is one
    bool accelerator = false;  // its units draw their own power (ExecStarted::unit_w)
  };
  struct LinkBook {
    double idle_w, dyn_done;  // dyn_done: Σ dynamic energy of transfers that ended
    const Timeline* timeline;
    size_t hint;  // where in its timeline the last transfer ended
    // Samples taken but not final yet (a transfer in flight that began before them may still add
    // to them): pending[head..], in time order. Usually none or one.
    std::vector<EnergySample> pending;
    size_t head = 0;
    double last_t = 0;  // time of its last sample (0: the implicit one at the start)
    // Idle energy up to idle_since, and whether the link is down (a failed site's: no power).
    double idle_done = 0, idle_since = 0;
    bool down = false;
  };
  // Per consumer: its last final sample (intervals are differences of consecutive samples).
  struct Last {
    EnergySample sample{0, 0, 0};
    const Timeline* timeline;
  };
  struct Row {
    double t1;
    uint32_t consumer;
    IntervalCarbon iv;
    bool operator>(const Row& o) const { return t1 != o.t1 ? t1 > o.t1 : consumer > o.consumer; }
  };
  using Due = std::pair<double, uint32_t>;  // a pending link sample: (t, link)
  Slot& slot(uint32_t s) {
    if (s >= slots_.size()) slots_.resize(s + 1);
    return slots_[s];
  }
  void charge_running(HostMeter& r, double t);
  EnergySample link_sample(size_t l, double t) const;
  void link_charge(uint32_t l, double a, double b, double e);
  void add_sample(uint32_t consumer, const EnergySample& s);
  void settle();

  const PlatformSpec& platform_;
  const std::vector<std::string>& requested_;
  RequestSink on_request_;
  StageSink on_stage_;
  std::vector<Slot> slots_;  // by in-flight slot
  std::vector<HostMeter> hosts_;
  std::vector<LinkBook> books_;
  std::vector<ConsumerSeries> links_;
  std::vector<Last> last_;              // hosts, then links
  std::vector<ConsumerTotals> totals_;  // hosts, then links
  IntervalSink on_interval_;
  // Starts of the transfers in flight: a link sample at t is final once none began before t. They
  // come in time order, so a deque in that order plus a heap of ended ones not yet at its front
  // (lazy deletion) gives the earliest, like a multiset but without a node allocation per transfer.
  std::deque<double> starts_;
  std::priority_queue<double, std::vector<double>, std::greater<double>> ended_starts_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> link_due_;  // pending link samples
  std::priority_queue<Row, std::vector<Row>, std::greater<Row>> rows_;      // final, not yet handed over
  double frontier_ = 0;  // every sample before this time has been taken (samples_taken)
  std::unordered_map<std::string, std::vector<uint32_t>> links_by_zone_;
  RunTally tally_;
  ResilienceTally resilience_;
  uint64_t record_every_ = 1;
};

}  // namespace ce
