#include "output/reference_metrics.hpp"

#include <stdexcept>

namespace ce {

using nlohmann::json;

namespace {
json ratio_or_null(double num, double den) { return den == 0.0 ? json(nullptr) : json(num / den); }
}  // namespace

void add_reference_metrics(PolicyRows& rows, const std::string& reference) {
  if (reference.empty()) return;
  const json* ref = nullptr;
  for (const auto& [spec, j] : rows)
    if (spec.label == reference) ref = &j;
  if (!ref) throw std::logic_error("reference policy '" + reference + "' has no results");
  const double ref_top1 = ref->at("mean_top1").get<double>(), ref_top5 = ref->at("mean_top5").get<double>();
  const double ref_carbon = ref->at("carbon_g").get<double>();
  std::vector<json> added;
  for (const auto& [spec, j] : rows) {
    const double d1 = j.at("mean_top1").get<double>() - ref_top1;
    const double d5 = j.at("mean_top5").get<double>() - ref_top5;
    const double dc = j.at("carbon_g").get<double>() - ref_carbon;
    added.push_back({{"policy", reference},
                     {"delta_top1_pp", d1},
                     {"delta_top5_pp", d5},
                     {"delta_carbon_g", dc},
                     {"carbon_change", ratio_or_null(dc, ref_carbon)},
                     {"cee_top1", ratio_or_null(d1, dc)},
                     {"cee_top5", ratio_or_null(d5, dc)}});
  }
  for (size_t i = 0; i < rows.size(); ++i) rows[i].second["vs_reference"] = added[i];
}

}  // namespace ce
