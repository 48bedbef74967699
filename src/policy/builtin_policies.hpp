#pragma once
// The policies that ship with carbonedge: one file each, one factory each. Adding a policy means
// writing its file and adding one line here and one in registry.cpp.
#include "policy/policy.hpp"

namespace ce {

std::unique_ptr<Policy> make_monolithic(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_phase_split(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_round_robin(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_latency_first(const YamlSection& params, const PolicyContext& ctx);
// latency-first without the bounded two-stage search: the full DP every time (same plans, slower);
// the reference tests compare the two.
std::unique_ptr<Policy> make_latency_first_exhaustive(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_carbonedge(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_intensity_adaptive(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_autoscale(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_wait_awhile(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_carbon_agnostic(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_carbon_scaler(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_lacs(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_oracle(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_nearest(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_energy_first(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_carbon_greedy(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_geo_carbon(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_full_replica(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_cloud_failover(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_faillite(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_ensemble(const YamlSection& params, const PolicyContext& ctx);
std::unique_ptr<Policy> make_power_mode(const YamlSection& params, const PolicyContext& ctx);

}  // namespace ce
