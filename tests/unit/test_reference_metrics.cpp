// Metrics against a reference policy (carbon-emission efficiency), the trailing intensity window
// of intensity-adaptive, and experiment families — pure logic, hand-computed expectations.
#include <catch2/catch.hpp>

#include "carbon/trailing_window.hpp"
#include "models/catalog.hpp"
#include "output/reference_metrics.hpp"

using namespace ce;
using nlohmann::json;

namespace {
std::pair<PolicySpec, json> row(const std::string& label, double top1, double top5, double carbon) {
  PolicySpec p;
  p.label = label;
  p.type = "monolithic";
  return {p, json{{"mean_top1", top1}, {"mean_top5", top5}, {"carbon_g", carbon}}};
}
}  // namespace

TEST_CASE("CEE = Δaccuracy / ΔCO2 against the named reference", "[accounting]") {
  PolicyRows rows = {row("small", 56.5, 79.0, 100.0), row("big", 78.5, 94.0, 150.0), row("same", 60.0, 80.0, 100.0)};
  add_reference_metrics(rows, "small");
  const json& big = rows[1].second.at("vs_reference");
  CHECK(big.at("policy") == "small");
  CHECK(big.at("delta_top1_pp").get<double>() == Approx(22.0));
  CHECK(big.at("delta_carbon_g").get<double>() == Approx(50.0));
  CHECK(big.at("carbon_change").get<double>() == Approx(0.5));
  CHECK(big.at("cee_top1").get<double>() == Approx(22.0 / 50.0));
  CHECK(big.at("cee_top5").get<double>() == Approx(15.0 / 50.0));
  // No extra carbon: the ratio is undefined, not infinite.
  CHECK(rows[0].second.at("vs_reference").at("cee_top1").is_null());
  CHECK(rows[2].second.at("vs_reference").at("cee_top1").is_null());
  PolicyRows untouched = {row("a", 1, 1, 1)};
  add_reference_metrics(untouched, "");
  CHECK_FALSE(untouched[0].second.contains("vs_reference"));
}

TEST_CASE("trailing-window min/max of an hourly series", "[carbon]") {
  // Hourly values from t = −2 h: 300, 100, 200, 400, 50, 250 (the last from t = 3 h).
  std::vector<IntensityPoint> pts;
  const double v[] = {300, 100, 200, 400, 50, 250};
  for (int i = 0; i < 6; ++i) pts.push_back({(i - 2) * 3600.0, v[i]});
  Timeline tl(pts, 4 * 3600.0, false);
  TrailingMinMax w(tl, 2 * 3600.0, 4 * 3600.0);
  // At t = 0 the window [−2 h, 0] holds 300, 100, 200.
  CHECK(w.at(0) == std::make_pair(100.0, 300.0));
  // At 0.5 h: [−1.5 h, 0.5 h] → 300 is still in force at −1.5 h (it holds over [−2 h, −1 h)).
  CHECK(w.at(1800) == std::make_pair(100.0, 300.0));
  // At 1 h: 300 has left, 400 enters; 100 is in force at −1 h.
  CHECK(w.at(3600) == std::make_pair(100.0, 400.0));
  // At 1.9 h: [−0.1 h, 1.9 h] → 100 (in force at −0.1 h), 200, 400.
  CHECK(w.at(6840) == std::make_pair(100.0, 400.0));
  // At 2 h: 100 has left (it held over [−1 h, 0)), 50 enters.
  CHECK(w.at(7200) == std::make_pair(50.0, 400.0));
  // At 3.5 h: [1.5 h, 3.5 h] → 400 (in force at 1.5 h), 50, 250.
  CHECK(w.at(12600) == std::make_pair(50.0, 400.0));
}

TEST_CASE("an experiment family pools models across architectures, cheapest first", "[models]") {
  FamilySpec f;
  f.name = "pool";
  f.members = {"vgg16", "alexnet", "resnet50"};
  ModelCatalog cat({}, {f});
  auto v = cat.variants("pool");
  REQUIRE(v.size() == 3);
  CHECK(v[0]->name == "alexnet");
  CHECK(v[1]->name == "resnet50");
  CHECK(v[2]->name == "vgg16");
  CHECK(cat.variants("resnet").size() == 5);  // built-in families still work
}
