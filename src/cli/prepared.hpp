#pragma once
// Everything `run` and `validate` load before simulating: parsing every input here, once, means
// bad input is reported before any output directory exists.
#include <memory>
#include <string>
#include <vector>

#include "carbon/carbon_catalog.hpp"
#include "carbon/forecast.hpp"
#include "config/experiment.hpp"
#include "models/catalog.hpp"
#include "models/replica_set.hpp"
#include "policy/policy.hpp"
#include "workload/arrival_stream.hpp"
#include "workload/batch_job.hpp"

namespace ce {

struct Prepared {
  Experiment exp;
  std::unique_ptr<ModelCatalog> models;
  ZoneTimelines carbon;
  std::unique_ptr<Forecaster> forecast;  // carbon.forecast over `carbon` (ClusterView::forecast)
  std::vector<std::string> requested_models;
  std::vector<InitialReplica> replicas;  // `replicas:` resolved (exp.replicas.tracked: replicas tracked)
  std::vector<std::unique_ptr<Policy>> policies;
  std::vector<std::string> input_files;
  std::vector<uint32_t> sources;  // hosts the workload's requests come from, sorted
  std::vector<BatchJob> jobs;     // the workload's batch jobs (batch_job sources), by id − 1
  double max_deadline_s = 0;      // the workload's longest deadline: runs last until duration + this
  double oracle_batch_carbon_g = 0;  // their carbon's lower bound (policy/oracle_bound.hpp)

  // A fresh stream (same seed → same arrivals for every policy).
  std::unique_ptr<ArrivalStream> make_arrivals();
};

std::unique_ptr<Prepared> prepare(const std::string& experiment, const LoadOptions& opt);

}  // namespace ce
