#pragma once
// A policy turns (request, cluster snapshot) into a plan. decide() is const: a policy keeps no
// hidden state, so the same snapshot always gives the same plan (WRENCH/Batsim style).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "config/yaml_section.hpp"
#include "policy/cluster_view.hpp"
#include "workload/request.hpp"

namespace ce {

struct PlanStage {
  uint32_t host = 0;
  uint32_t first_row = 1;  // rows [first_row, last_row] of the model (row 0 is the input)
  uint32_t last_row = 1;
};

struct Plan {
  const ModelProfile* model = nullptr;  // the variant chosen; nullptr = rejected
  std::vector<PlanStage> stages;
  std::string reject_reason;
  bool rejected() const { return model == nullptr; }
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
                      const ClusterView& view) const = 0;
};

// What a factory gets besides its YAML parameters.
struct PolicyContext {
  const PlatformSpec* platform = nullptr;
  const ModelCatalog* models = nullptr;
  const Experiment* experiment = nullptr;
};

using PolicyFactory = std::function<std::unique_ptr<Policy>(const YamlSection& params, const PolicyContext& ctx)>;

// Registry by type name. The built-in policies are listed in builtin_policies.hpp (an explicit
// table: static self-registration would be dropped by the linker from a static library).
void register_policy(const std::string& type, PolicyFactory factory);
std::unique_ptr<Policy> make_policy(const PolicySpec& spec, const PolicyContext& ctx);
std::vector<std::string> policy_types();

// Helpers shared by policies.
Plan whole_model_on(const ModelProfile* m, uint32_t host);
uint32_t host_param(const YamlSection& params, const std::string& key, const PolicyContext& ctx);

}  // namespace ce
