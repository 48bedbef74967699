#pragma once
// What sim/ tells its observers while it runs (SimGrid's plugins' shape: observers on signals).
// accounting/ subscribes to them: the dynamic-energy meter, link charges, run tallies and the
// latency histogram are observers, not parts of the simulation. Plain data, no SimGrid types.
#include <cstdint>
#include <string>
#include <vector>

#include "records/run_records.hpp"

namespace ce {

struct ModelProfile;
struct Request;

struct ExecStarted {
  uint32_t slot;  // the request's in-flight slot (reused after the request ends)
  uint32_t host;
  double t;
  // A batch (the `batch` scheduler) runs `batch` stages as one execution, a unit: each of its
  // stages gets one ExecStarted (the first with opens_unit) and one ExecEnded (the last with
  // closes_unit), and shares the unit's dynamic power equally. unit_w: on an accelerator, the
  // unit's dynamic power when it runs alone (units running at once share the device equally);
  // < 0: a flop-rated host, whose running units share its pstate's busy power as cores.
  uint32_t batch = 1;
  double unit_w = -1;
  bool opens_unit = true;
  // Its share of the unit's dynamic power; < 0: 1 / batch (equal shares). An LLM iteration shares
  // by tokens (a prompt chunk of n tokens takes n times a decode step's share).
  double share = -1;
};

struct ExecEnded {
  uint32_t slot, host;
  uint64_t request;
  double start, end;
  double flops;     // its share of the unit's
  bool completed;  // false: its host was turned off under it
  bool closes_unit = true;
  // false: only this execution ended, its stage goes on in a later one (an LLM sequence between
  // iterations): the charge moves to the request, the stage's record waits for its last execution,
  // whose start and flops are the whole stage's.
  bool stage_ends = true;
};

// A transfer begins at t (its data phase starts after the route's latency): it will end with a
// TransferEnded of the same slot and start.
struct TransferStarted {
  uint32_t slot;
  uint64_t request;
  double t;
};

struct TransferEnded {
  uint32_t slot;
  uint64_t request;
  const std::vector<uint32_t>* route;  // link indices
  double start, end;
  double bytes, remaining;  // remaining > 0 when cut short
  bool completed;
  // Latency of the route beyond its links' (the platform's distance model: PlatformSpec::
  // extra_latency_s): data flows from start + Σ link latency + this.
  double extra_latency = 0;
};

// A host's pstate or on/off state changes at t (executions run only while it is on).
struct HostMeterChange {
  uint32_t host;
  double t;
  uint32_t pstate;
  bool on;
};

// A host failed (`failures:`: down) or was repaired at t; overlapping outages of one host count
// once (the first failure, the last repair).
struct HostFault {
  uint32_t host;
  double t;
  bool down;
};

// A failed site's link (its uplink or a host's arm) went down (or came back) at t: it draws no
// power meanwhile. Overlapping outages count once.
struct LinkFault {
  uint32_t link;
  double t;
  bool down;
};

// A branch of a fan-out plan (Plan::branches) ended in its own slot (`child`, released after
// this): what was charged to it belongs to the request of `parent`.
struct BranchJoined {
  uint32_t child, parent;
};

struct RequestEnded {
  uint32_t slot;
  const Request* request;
  const ModelProfile* model;  // nullptr when rejected
  RequestStatus status;
  bool beyond_slo_reach;     // its plan's Plan::beyond_slo_reach (in the padding after status)
  double t;
  double first_start;        // start of its first execution, < 0 if none
  const std::string* hosts;  // its stages' hosts, ';'-separated (only filled when records are kept)
  uint32_t last_host;        // its plan's last stage's host (UINT32_MAX: none, rejected)
  // A language model's first and last output tokens (< 0: none came out).
  double first_token = -1, last_token = -1;
};

class SimObserver {
 public:
  virtual ~SimObserver() = default;
  virtual void exec_started(const ExecStarted&) {}
  virtual void exec_ended(const ExecEnded&) {}
  virtual void transfer_started(const TransferStarted&) {}
  virtual void transfer_ended(const TransferEnded&) {}
  virtual void host_meter_change(const HostMeterChange&) {}
  // A host's cumulative energy (and idle baseline) at t = a change point of its zone's intensity,
  // or the end of the run (for the last interval). Host samples are final when they are given;
  // sim/ keeps none of them.
  virtual void host_sample(uint32_t host, const EnergySample& s) {}
  // Every change point of `zone`'s intensity at t (for consumers sampled outside sim/).
  virtual void zone_tick(const std::string& zone, double t) {}
  // Every change point at or before t (of every zone) has been handed over (host_sample,
  // zone_tick): no later sample has a time < t (the end-of-run samples may still come at t).
  // Time-ordered writers may release what ends before t.
  virtual void samples_taken(double t) {}
  virtual void request_ended(const RequestEnded&) {}
  virtual void host_fault(const HostFault&) {}
  virtual void branch_joined(const BranchJoined&) {}
  virtual void link_fault(const LinkFault&) {}
  // Whether RequestEnded::hosts must be filled (costs a string per request).
  virtual bool wants_host_names() const { return false; }
};

}  // namespace ce
