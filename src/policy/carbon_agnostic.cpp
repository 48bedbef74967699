// carbon-agnostic: the time-shifting baseline (CarbonScaler's and CarbonFlex's "carbon-agnostic"):
// a batch job runs as soon as it arrives on `workers` workers (default: all it may use) until it is
// done, whatever the intensity. Other requests: monolithic (keys host, variant).
#include "policy/batch_policy.hpp"
#include "policy/builtin_policies.hpp"
#include "shifting/planners.hpp"

namespace ce {

std::unique_ptr<Policy> make_carbon_agnostic(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "variant", "slot", "margin", "workers"});
  const long workers = p.integer_in("workers", 0, 1 << 20, 0);  // 0: the job's maximum
  return make_batch_policy(p, ctx, [workers](const JobPlanInput& in) {
    const uint32_t max = in.rest.profile.max_workers();
    const uint32_t k = workers == 0 ? max : std::clamp<uint32_t>(static_cast<uint32_t>(workers), in.rest.min_workers, max);
    return plan_carbon_agnostic(in.rest, in.grid, k);
  });
}

}  // namespace ce
