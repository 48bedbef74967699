#include "sweep/sweep_reuse.hpp"

#include <algorithm>
#include <unordered_map>

#include "config/experiment.hpp"
#include "core/files.hpp"

namespace ce {

YAML::Node resolved_point(const YAML::Node& file_doc, const std::vector<std::string>& overrides, uint64_t seed,
                          const std::string& file) {
  YAML::Node doc = YAML::Clone(file_doc);
  // As load_experiment: `platform.<key>...` edits the platform file when `platform:` names one, so
  // here it is only listed (apply_override leaves it alone).
  YAML::Node platform_overrides(YAML::NodeType::Sequence);
  for (const auto& o : overrides) {
    const YAML::Node view = doc;
    if (o.rfind("platform.", 0) == 0 && view["platform"] && view["platform"].IsScalar())
      platform_overrides.push_back(o.substr(9));
    else
      apply_override(doc, o, file);
  }
  doc["seed"] = seed;
  if (platform_overrides.size() > 0) doc["platform_overrides"] = platform_overrides;
  return doc;
}

PointPolicies point_policies(const YAML::Node& resolved) {
  PointPolicies pp;
  const YAML::Node view = resolved;
  const YAML::Node all = view["policies"];
  if (view["metrics"] && view["metrics"].IsMap() && view["metrics"]["reference"] &&
      view["metrics"]["reference"].IsScalar())
    pp.reference = view["metrics"]["reference"].Scalar();
  if (!all || !all.IsMap()) return pp;  // not a valid experiment: validating the point reports it
  for (auto it = all.begin(); it != all.end(); ++it) {
    if (!it->first.IsScalar()) return {};
    const std::string label = it->first.Scalar();
    YAML::Node doc = YAML::Clone(resolved);
    YAML::Node kept(YAML::NodeType::Map);
    for (auto p = all.begin(); p != all.end(); ++p)
      if (p->first.IsScalar() && (p->first.Scalar() == label || p->first.Scalar() == pp.reference))
        kept[p->first.Scalar()] = YAML::Clone(p->second);
    doc["policies"] = kept;
    doc.remove("sweep");  // the same in every point; it selects nothing a run reads
    YAML::Emitter out;
    out << doc;
    pp.labels.push_back(label);
    pp.keys.push_back(sha256_text(out.c_str()));  // hashed: one small key per (point, policy)
  }
  return pp;
}

std::vector<PointReuse> plan_reuse(const std::vector<PointPolicies>& points) {
  std::unordered_map<std::string, size_t> first;  // key → point that simulates it
  std::vector<PointReuse> out;
  out.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const PointPolicies& pp = points[i];
    PointReuse r;
    r.labels = pp.labels;
    std::vector<bool> run(pp.labels.size(), false);
    for (size_t k = 0; k < pp.labels.size(); ++k) {
      auto [it, fresh] = first.emplace(pp.keys[k], i);
      run[k] = fresh;
      if (!fresh) r.from[pp.labels[k]] = it->second;
    }
    const bool any = std::find(run.begin(), run.end(), true) != run.end();
    for (size_t k = 0; k < pp.labels.size(); ++k)
      if (any && !run[k] && pp.labels[k] == pp.reference) {
        run[k] = true;  // simulated again here: the other policies' vs_reference is computed against it
        r.from.erase(pp.labels[k]);
      }
    for (size_t k = 0; k < pp.labels.size(); ++k)
      if (run[k]) r.run.push_back(pp.labels[k]);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ce
