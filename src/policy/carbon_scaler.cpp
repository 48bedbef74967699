// carbon-scaler: CarbonScaler (Hanafy et al., SIGMETRICS'24, Algorithm 1;
// ../shared/reference/temporal-shifting.md §1). At a batch job's arrival and at every slot boundary
// it plans the rest of the job over the slots to its deadline with the forecast issued then:
// grant (slot, next worker) pairs in order of marginal throughput per marginal gram until the
// granted capacity completes the job (shifting/planners.hpp plan_carbon_scaler), and runs the
// current slot's part. Re-planning every slot is the paper's runtime loop with a zero deviation
// threshold. Other requests: monolithic (keys host, variant).
#include "policy/batch_policy.hpp"
#include "policy/builtin_policies.hpp"
#include "shifting/planners.hpp"

namespace ce {

std::unique_ptr<Policy> make_carbon_scaler(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "variant", "slot", "margin"});
  return make_batch_policy(p, ctx, [](const JobPlanInput& in) { return plan_carbon_scaler(in.rest, in.grid); });
}

}  // namespace ce
