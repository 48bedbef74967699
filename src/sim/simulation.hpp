#pragma once
// The entry point of the simulation layer. Everything SimGrid happens behind this call; it must be
// made at most once per process (SimGrid allows one Engine per process).
#include "carbon/carbon_catalog.hpp"
#include "config/experiment.hpp"
#include "models/catalog.hpp"
#include "policy/policy.hpp"
#include "sim/run_result.hpp"
#include "workload/arrival_stream.hpp"

namespace ce {

struct SimInput {
  const Experiment* experiment = nullptr;
  const ModelCatalog* models = nullptr;
  const ZoneTimelines* carbon = nullptr;
  Policy* policy = nullptr;  // receives the run's events (may keep state)
  ArrivalStream* arrivals = nullptr;
  // Names the workload's model indices refer to (Request::model).
  const std::vector<std::string>* requested_models = nullptr;
  RequestSink on_request;  // called once per request when it completes, is rejected or fails
  StageSink on_stage;      // called once per execution and per transfer when it ends
};

RunResult simulate(const SimInput& in);
std::string simgrid_version();  // e.g. "SimGrid version 3.32"

}  // namespace ce
