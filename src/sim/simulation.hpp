#pragma once
// The entry point of the simulation layer. Everything SimGrid happens behind this call; it must be
// made at most once per process (SimGrid allows one Engine per process).
#include "carbon/carbon_catalog.hpp"
#include "config/experiment.hpp"
#include "models/catalog.hpp"
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
};

SimResult simulate(const SimInput& in);
std::string simgrid_version();  // e.g. "SimGrid version 3.32"

}  // namespace ce
