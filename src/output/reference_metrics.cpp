#include "output/reference_metrics.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace ce {

using nlohmann::json;

namespace {
json ratio_or_null(double num, double den) {
  return den == 0.0 || std::isnan(num) || std::isnan(den) ? json(nullptr) : json(num / den);
}
// A summary number, NaN where it is null (a policy that completed nothing has no mean accuracy).
double number(const json& j, const char* key) {
  const json& v = j.at(key);
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}
json or_null(double x) { return std::isnan(x) ? json(nullptr) : json(x); }
}  // namespace

void add_reference_metrics(PolicyRows& rows, const std::string& reference) {
  if (reference.empty()) return;
  const json* ref = nullptr;
  for (const auto& [spec, j] : rows)
    if (spec.label == reference) ref = &j;
  if (!ref) throw std::logic_error("reference policy '" + reference + "' has no results");
  const double ref_top1 = number(*ref, "mean_top1"), ref_top5 = number(*ref, "mean_top5");
  const double ref_carbon = number(*ref, "carbon_g");
  std::vector<json> added;
  for (const auto& [spec, j] : rows) {
    const double d1 = number(j, "mean_top1") - ref_top1;
    const double d5 = number(j, "mean_top5") - ref_top5;
    const double dc = number(j, "carbon_g") - ref_carbon;
    added.push_back({{"policy", reference},
                     {"delta_top1_pp", or_null(d1)},
                     {"delta_top5_pp", or_null(d5)},
                     {"delta_carbon_g", dc},
                     {"carbon_change", ratio_or_null(dc, ref_carbon)},
                     {"cee_top1", ratio_or_null(d1, dc)},
                     {"cee_top5", ratio_or_null(d5, dc)}});
  }
  for (size_t i = 0; i < rows.size(); ++i) rows[i].second["vs_reference"] = added[i];
}

}  // namespace ce
