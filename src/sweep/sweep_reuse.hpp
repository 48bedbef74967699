#pragma once
// A sweep simulates each (policy, effective configuration) once. A policy's results depend only on
// the experiment with the other policies removed (each policy runs in its own process from the same
// inputs), plus the `metrics.reference` policy when one is set (vs_reference.* compares with it).
// So a point re-simulates a policy only when that restricted experiment differs from every earlier
// point's; otherwise its results.csv rows are read from the first point that simulated it. Sweeping
// a parameter of policy A over 27 values then simulates policy B once, not 27 times.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ce {

// The experiment document as `run` resolves it for one point (Experiment::resolved, without
// loading the platform): `file_doc` after every override, with the seed and the `platform.*`
// overrides listed under `platform_overrides`. Pure YAML work, so keying 100,000 points is cheap.
YAML::Node resolved_point(const YAML::Node& file_doc, const std::vector<std::string>& overrides, uint64_t seed,
                          const std::string& file);

struct PointPolicies {
  std::vector<std::string> labels;  // every policy of the point, in the experiment's order
  std::vector<std::string> keys;    // the configuration key of each label
  std::string reference;            // metrics.reference, "" when none
};

// Each policy of a resolved document with its key: the document with `policies:` restricted to the
// policy and the reference (the `sweep:` section dropped), emitted as YAML and hashed (SHA-256, hex).
// Equal keys mean equal simulations; two spellings of one value (0.5, 0.50) only cost a simulation.
PointPolicies point_policies(const YAML::Node& resolved);

struct PointReuse {
  std::vector<std::string> labels;     // every policy of the point, in the experiment's order
  std::vector<std::string> run;        // the labels this point simulates, in the experiment's order
  std::map<std::string, size_t> from;  // label → the earlier point whose results it reuses
  bool runs_all() const { return run.size() == labels.size(); }
};

// Points in index order: the first point with a key simulates it, later ones reuse it. A point that
// simulates anything also simulates the reference policy (its vs_reference needs it there).
std::vector<PointReuse> plan_reuse(const std::vector<PointPolicies>& points);

}  // namespace ce
