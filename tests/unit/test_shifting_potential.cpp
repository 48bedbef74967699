// The upper bound of temporal shifting (src/shifting/shifting_potential.hpp): by hand, and on the
// real Electricity Maps 2022 series against Sukprasert et al.'s published per-region results.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>

#include "carbon/carbon_loaders.hpp"
#include "core/time_utc.hpp"
#include "shifting/shifting_potential.hpp"

namespace {

const std::string kCarbon = std::string(CE_TEST_SOURCE_DIR) + "/../shared/data/carbon/";

// The zone's LCA intensity, one value per hour from 2022-01-01 00:00 UTC (forward filled), over
// 2022 and, when the data has it, 2023 (windows of jobs arriving late in 2022 end in 2023).
std::vector<double> hourly_lca(const std::string& zone) {
  ce::CarbonLoadOptions opt;
  opt.format = ce::CarbonFormat::ElectricityMaps;
  opt.column = "lca";
  const std::string file_zone = zone == "DE" ? "DE-LU" : zone;  // the folder's upstream name
  auto path = [&](int y) { return fmt::format("{}{}/electricitymaps/{}_{}_hourly.csv", kCarbon, zone, file_zone, y); };
  ce::CarbonSeries s = ce::load_carbon_csv(path(2022), zone, opt);
  if (std::filesystem::exists(path(2023))) ce::append_series(s, ce::load_carbon_csv(path(2023), zone, opt), path(2023));
  const double start = s.points.front().t;
  std::vector<double> out;
  size_t j = 0;
  for (double t = start; t < s.end_t; t += 3600) {
    while (j + 1 < s.points.size() && s.points[j + 1].t <= t) ++j;
    out.push_back(s.points[j].value);
  }
  return out;
}

}  // namespace

TEST_CASE("shifting potential by hand", "[shifting]") {
  // Jobs of 2 h with 2 h of slack over 6 hours: arrivals at hours 0, 1, 2 (windows of 4 h).
  // Run now: 5+1, 1+4, 4+2 = 17. Deferrable: min pair in each window: 5, 5, 6 = 16.
  // Interruptible: the two cleanest hours: 1+2, 1+2, 2+3 = 11.
  const ce::ShiftingPotential p = ce::shifting_potential({5, 1, 4, 2, 8, 3}, 0, 100, 2, 2);
  CHECK(p.jobs == 3);
  CHECK(p.run_now == 17);
  CHECK(p.deferrable == 16);
  CHECK(p.interruptible == 11);
  CHECK(p.interruptible_saving() == Approx(6.0 / 17));
  // No slack: nothing to gain.
  const ce::ShiftingPotential none = ce::shifting_potential({5, 1, 4, 2, 8, 3}, 0, 100, 3, 0);
  CHECK(none.deferrable_saving() == 0);
  CHECK(none.interruptible_saving() == 0);
}

TEST_CASE("shifting potential on 2022 data matches Sukprasert et al. per region", "[shifting]") {
  // % saved vs run-now, perfect knowledge, LCA, jobs arriving every hour of 2022
  // (../shared/reference/temporal-shifting.md §9, from the authors' per-region outputs):
  // 1 h job / 24 h slack; 24 h job / 24 h slack, deferrable and interruptible; 1 h job / 168 h slack.
  // `checked`: the published figures this data must reproduce within 1 point. Not checked, with
  // why (docs/reproductions.md): GB, JP-TK, IN-WE and KR differ by up to 17 points — JP-TK and
  // IN-WE are wholly model-estimated series that Electricity Maps re-estimates between data
  // versions, GB's and KR's files are other versions than the authors'; FR's 1 h / 168 h, because
  // the data has no FR 2023 and the last week of 2022's arrivals has no full window.
  struct Row {
    const char* zone;
    double h1_s24, h24_s24_def, h24_s24_int, h1_s168;
    int checked;  // how many of the four figures, from the left
  };
  const Row rows[] = {
      {"US-CAL-CISO", 32.8, 3.6, 18.7, 44.4, 4}, {"CA-ON", 49.5, 14.5, 29.8, 72.3, 4},
      {"AU-NSW", 25.4, 2.5, 12.8, 34.9, 4},      {"DE", 23.3, 6.9, 13.5, 44.5, 4},
      {"GB", 23.0, 9.7, 14.5, 50.3, 0},          {"ES", 22.5, 7.7, 14.0, 44.0, 4},
      {"AU-VIC", 19.1, 4.7, 10.8, 31.1, 4},      {"FR", 18.1, 6.5, 10.4, 41.1, 3},
      {"US-TEX-ERCO", 16.9, 6.6, 10.2, 32.7, 4}, {"JP-TK", 12.8, 0.7, 6.1, 17.7, 0},
      {"IN-WE", 10.1, 0.7, 5.8, 14.2, 0},        {"US-NY-NYIS", 8.3, 2.3, 4.5, 15.5, 4},
      {"US-MIDA-PJM", 5.5, 1.8, 3.0, 11.4, 4},   {"ZA", 4.9, 0.9, 2.6, 8.1, 4},
      {"KR", 4.0, 0.1, 2.4, 5.3, 0},             {"SG", 3.1, 0.2, 1.0, 4.3, 4},
  };
  double worst = 0;
  int compared = 0;
  for (const Row& r : rows) {
    INFO(r.zone);
    const std::vector<double> c = hourly_lca(r.zone);
    const size_t year = 365 * 24;
    REQUIRE(c.size() >= year);
    const ce::ShiftingPotential d1 = ce::shifting_potential(c, 0, year, 1, 24);
    const ce::ShiftingPotential d24 = ce::shifting_potential(c, 0, year, 24, 24);
    const ce::ShiftingPotential w1 = ce::shifting_potential(c, 0, year, 1, 168);
    const double ours[4] = {100 * d1.interruptible_saving(), 100 * d24.deferrable_saving(),
                            100 * d24.interruptible_saving(), 100 * w1.interruptible_saving()};
    const double paper[4] = {r.h1_s24, r.h24_s24_def, r.h24_s24_int, r.h1_s168};
    std::cout << fmt::format("{:12}", r.zone);
    for (int k = 0; k < 4; ++k) std::cout << fmt::format(" {:5.1f} ({:+.1f})", ours[k], ours[k] - paper[k]);
    std::cout << "\n";
    for (int k = 0; k < r.checked; ++k) {
      worst = std::max(worst, std::abs(ours[k] - paper[k]));
      ++compared;
    }
    // Structure, whatever the data version: interruptible saves at least what deferrable does (the
    // same for 1 h jobs), and
    // more slack never saves less.
    CHECK(d24.interruptible <= d24.deferrable + 1e-6);
    CHECK(d1.interruptible == Approx(d1.deferrable));
    CHECK(ours[3] >= ours[0] - 1e-9);
  }
  std::cout << fmt::format("{} published figures compared, largest difference {:.2f} points\n", compared, worst);
  CHECK(compared == 47);
  CHECK(worst <= 1.0);
}
