#pragma once
// The entry point of the simulation layer. Everything SimGrid happens behind this call; it must be
// made at most once per process (SimGrid allows one Engine per process).
#include "carbon/carbon_catalog.hpp"
#include "config/experiment.hpp"
#include "models/catalog.hpp"
#include "models/replica_set.hpp"
#include "policy/policy.hpp"
#include "records/sim_events.hpp"
#include "workload/arrival_stream.hpp"

namespace ce {

struct SimInput {
  const Experiment* experiment = nullptr;
  const ModelCatalog* models = nullptr;
  const ZoneTimelines* carbon = nullptr;
  // The run's carbon forecasts, handed to the policy as ClusterView::forecast (built once per run
  // from carbon.forecast over `carbon`); nullptr: a perfect forecast of `carbon`.
  const Forecaster* forecast = nullptr;
  Policy* policy = nullptr;  // receives the run's events (may keep state)
  ArrivalStream* arrivals = nullptr;
  // Names the workload's model indices refer to (Request::model).
  const std::vector<std::string>* requested_models = nullptr;
  // Told of every execution, transfer, host change, intensity change point and finished request
  // (accounting/'s RunAccountant is one: sim/ itself keeps no energy per request).
  std::vector<SimObserver*> observers;
  // Called with each warning as it arises (SimResult::warnings holds them all at the end).
  std::function<void(const std::string&)> on_warning;
  // Platform events of this simulation only (a policy's own `events:`), sorted by time; merged
  // with the experiment's, which come first at the same instant.
  const std::vector<PlatformEvent>* extra_events = nullptr;
  // The replicas at the start (the experiment's `replicas:`, resolved); nullptr: replicas are not
  // tracked (every model warm everywhere, nothing loaded or held).
  const std::vector<InitialReplica>* replicas = nullptr;
  // Where the run is, for a progress display: called every kProgressEvery arrivals and finished
  // requests (never per request: the per-request path is benchmarked), so it should be cheap.
  struct Progress {
    double t = 0;           // simulated seconds
    uint64_t arrived = 0;   // requests that arrived so far
    uint64_t finished = 0;  // of which ended (completed, failed or rejected)
  };
  std::function<void(const Progress&)> on_progress;
  static constexpr uint64_t kProgressEvery = 1024;
};

SimResult simulate(const SimInput& in);
std::string simgrid_version();  // e.g. "SimGrid version 3.32"

}  // namespace ce
