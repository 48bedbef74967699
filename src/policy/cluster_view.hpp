#pragma once
// What a policy may look at when it decides: a snapshot of the cluster, maintained by sim/ and
// handed over by const reference. No SimGrid types: policies are testable with hand-made views.
#include <cstdint>
#include <utility>
#include <vector>

#include "carbon/forecast.hpp"
#include "config/platform_spec.hpp"
#include "models/catalog.hpp"

namespace ce {

// A host's power state (docs/inputs.md "Power states"); only On runs work.
enum class Power : uint8_t { On, Off, Booting, ShuttingDown, Sleeping, Waking };

struct HostState {
  uint32_t pstate = 0;
  bool on = true;              // power == Power::On
  Power power = Power::On;
  bool failed = false;         // down by a `failures:` outage (power Off) until its repair
  uint32_t busy = 0;           // executions running (<= cores in FIFO mode)
  uint32_t queued = 0;         // stages waiting in the host's queue (also while it boots)
  uint64_t completed = 0;      // stages finished so far
  double busy_seconds = 0;     // Σ service time of finished stages
  double intensity = 0;        // gCO2eq/kWh of the host's zone now
  // Historical mean service time (s) of finished stages; 0 before the first one.
  double mean_service_s() const { return completed ? busy_seconds / static_cast<double>(completed) : 0.0; }
  double load(uint32_t cores) const { return static_cast<double>(busy + queued) / cores; }
};

// A model's replica on a host (docs/inputs.md "Replicas"): absent (not there), cold (on its
// storage: a placement there loads it first), loading, or warm (in memory: stages run from it).
enum class ReplicaState : uint8_t { Absent, Cold, Loading, Warm };

struct ReplicaView {
  const ModelProfile* model = nullptr;
  ReplicaState state = ReplicaState::Cold;
  double bytes = 0;  // its weights in memory (models/replica_set.hpp replica_bytes)
};

// A link as sim/ sees it now (ClusterView::links).
struct LinkState {
  uint32_t transfers = 0;  // transfers in progress over it
  double bytes = 0;        // their sizes (what they carry in all, not what is left)
};

struct ClusterView {
  double now_s = 0;
  const PlatformSpec* platform = nullptr;
  const ModelCatalog* models = nullptr;
  std::vector<HostState> hosts;  // same order as platform->hosts
  std::vector<LinkState> links;  // same order as platform->links (empty in a hand-built view)
  // Change log: hosts whose HostState (other than `intensity`) changed, appended in order by sim/
  // (with repeats). A policy keeping per-host indexes remembers (changes_epoch, changes.size())
  // and later replays only the entries after that point, O(changes) instead of rescanning every
  // host; when changes_epoch has moved on (sim/ restarts the log once it holds 2 × hosts + 1024
  // entries) it rescans once. changes_epoch 0: not tracked (a hand-built view, or a policy whose
  // uses_change_log() is false) — always rescan.
  std::vector<uint32_t> changes;
  uint64_t changes_epoch = 0;
  // Per host (same order as hosts): {min, max} carbon intensity (gCO2eq/kWh) of the host's zone
  // over the trailing observation window that sim/ chooses (the "lowest/highest observed CI" C_l, C_h
  // of intensity-adaptive, arXiv 2403.15824). Empty when sim/ does not provide it (a hand-built view);
  // intensity-adaptive then computes it from forecast->trace() (see intensity_adaptive.cpp).
  std::vector<std::pair<double, double>> window_min_max;
  // Carbon-intensity forecasts per zone (carbon/forecast.hpp; docs/inputs.md "Forecasts"): the
  // intensity of host h's zone at time t as known now is
  //   forecast->at(platform->hosts[h].region, now_s, t)
  // (t <= now_s: the observed trace). The only way a policy reads forecasts or past intensities
  // beyond hosts[].intensity. sim/ always sets it (the `carbon.forecast` of the experiment, perfect
  // when absent); a hand-built view may leave it null (policies then use hosts[].intensity alone).
  const Forecaster* forecast = nullptr;
  // Replicas (experiments with `replicas:`; replicas_tracked false: every model is warm everywhere
  // and these stay empty). Per host (same order as hosts): the replicas it has that are not absent,
  // and the bytes of weights resident in its memory (warm and loading replicas).
  bool replicas_tracked = false;
  std::vector<std::vector<ReplicaView>> replicas;
  std::vector<double> resident_bytes;

  // The host's replica of `m` (nullptr: absent, or replicas not tracked).
  const ReplicaView* find_replica(uint32_t host, const ModelProfile* m) const {
    if (!replicas_tracked) return nullptr;
    for (const ReplicaView& r : replicas[host])
      if (r.model == m) return &r;
    return nullptr;
  }
  ReplicaState replica(uint32_t host, const ModelProfile* m) const {
    if (!replicas_tracked) return ReplicaState::Warm;
    const ReplicaView* r = find_replica(host, m);
    return r ? r->state : ReplicaState::Absent;
  }
  // Whether `bytes` more weights fit in the host's memory now (memory 0: unlimited).
  bool fits(uint32_t host, double bytes) const {
    const double mem = platform->hosts[host].memory_bytes;
    return mem <= 0 || !replicas_tracked || resident_bytes[host] + bytes <= mem;
  }
  // Whether a stage of `m` placed on `host` can run there once its replica is loaded: warm or
  // loading, or cold and fitting in memory (always, when replicas are not tracked). sim/ rejects
  // (or drops) a stage for which it is false.
  bool can_serve(uint32_t host, const ModelProfile* m) const {
    if (!replicas_tracked) return true;
    const ReplicaView* r = find_replica(host, m);
    return r && (r->state != ReplicaState::Cold || fits(host, r->bytes));
  }
};

}  // namespace ce
