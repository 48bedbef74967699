#pragma once
// The lower bound of the batch jobs' carbon (docs/outputs.md oracle_batch_carbon_g): for each job
// the cheapest plan of its work over its whole window [arrival, deadline] with the actual
// intensities, in the fluid model of shifting/elastic_job.hpp with the job's profile on its hosts
// (policy/batch_runner.hpp job_profile) — the LP relaxation (Clp), in which a slot may also mix
// worker counts, so that no execution of the simulator, whose requests come and go within a slot,
// can undercut it. Jobs every policy rejects (no variant fits; cannot finish) are left out.
#include <string>
#include <vector>

#include "carbon/forecast.hpp"
#include "config/platform_spec.hpp"
#include "models/catalog.hpp"
#include "workload/batch_job.hpp"

namespace ce {

double oracle_batch_bound(const std::vector<BatchJob>& jobs, const PlatformSpec& platform, const ModelCatalog& models,
                          const std::vector<std::string>& requested_models, const Forecaster& forecast, double slot_s);

}  // namespace ce
