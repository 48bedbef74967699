#include "output/reference_metrics.hpp"

#include <stdexcept>

#include "output/metric_registry.hpp"

namespace ce {

using nlohmann::json;

void add_reference_metrics(PolicyRows& rows, const std::string& reference) {
  if (reference.empty()) return;
  const json* ref = nullptr;
  for (const auto& [spec, j] : rows)
    if (spec.label == reference) ref = &j;
  if (!ref) throw std::logic_error("reference policy '" + reference + "' has no results");
  // Every vs_reference.* entry of the metric registry, computed from the summaries as they were
  // before any of them got vs_reference.
  std::vector<json> added;
  for (const auto& [spec, j] : rows) {
    json v = json::object();
    const ReferenceInput in{j, *ref, reference};
    for (const MetricDef& d : metric_registry())
      if (metric_scope(d.key) == MetricScope::Reference)
        v[metric_path(d.key)[1]] = std::get<ReferenceValue>(d.value)(in);
    added.push_back(std::move(v));
  }
  for (size_t i = 0; i < rows.size(); ++i) rows[i].second["vs_reference"] = added[i];
}

}  // namespace ce
