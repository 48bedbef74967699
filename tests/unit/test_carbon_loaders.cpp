// Carbon-intensity loaders on the real Electricity Maps files and on small hand-made ones.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "carbon/carbon_loaders.hpp"
#include "carbon/carbon_series.hpp"
#include "core/error.hpp"
#include "core/time_utc.hpp"

using namespace ce;

namespace {
const std::string kData = std::string(CE_TEST_SOURCE_DIR) + "/../shared/data/carbon/";
std::string write_tmp(const std::string& name, const std::string& content) {
  std::string p = "/tmp/ce-unit-" + name;
  std::ofstream(p) << content;
  return p;
}
}  // namespace

TEST_CASE("all 7 zones' 2023 Electricity Maps files load completely", "[carbon]") {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"GB", "GB/electricitymaps/GB_2023_hourly.csv"},
      {"US-CAL-CISO", "US-CAL-CISO/electricitymaps/US-CAL-CISO_2023_hourly.csv"},
      {"DE", "DE/electricitymaps/DE-LU_2023_hourly.csv"},
      {"CA-ON", "CA-ON/electricitymaps/CA-ON_2023_hourly.csv"},
      {"NO", "NO/electricitymaps/NO_2023_hourly.csv"},
      {"ZA", "ZA/electricitymaps/ZA_2023_hourly.csv"},
      {"IN-WE", "IN-WE/electricitymaps/IN-WE_2023_hourly.csv"}};
  for (const auto& [zone, rel] : files) {
    INFO(zone);
    CarbonSeries s = load_carbon_csv(kData + rel, zone, {});
    REQUIRE(s.points.size() == 8760);
    CHECK(s.points.front().t == *parse_utc("2023-01-01 00:00:00"));
    CHECK(s.points.back().t == *parse_utc("2023-12-31 23:00:00"));
    CHECK(s.end_t == *parse_utc("2024-01-01 00:00:00"));
    for (const auto& p : s.points) REQUIRE(std::isfinite(p.value));
  }
}

TEST_CASE("the first GB 2023 row is read from the direct column, lca on request", "[carbon]") {
  // Raw first row: 2023-01-01 00:00:00,...,GB,62.55,91.44,...
  CarbonSeries d = load_carbon_csv(kData + "GB/electricitymaps/GB_2023_hourly.csv", "GB", {});
  CHECK(d.points.front().value == 62.55);
  CarbonLoadOptions lca;
  lca.column = "lca";
  CHECK(load_carbon_csv(kData + "GB/electricitymaps/GB_2023_hourly.csv", "GB", lca).points.front().value == 91.44);
}

TEST_CASE("the re-saved FR file (DD/MM/YYYY dates, plain 2) loads", "[carbon]") {
  CarbonSeries s = load_carbon_csv(kData + "FR/electricitymaps/FR_2022_hourly.csv", "FR", {});
  CHECK(s.points.size() == 8760);
  CHECK(s.points.front().t == *parse_utc("2022-01-01 00:00"));
  CHECK(s.points.front().value == 25.09);
}

TEST_CASE("SimGrid 4.2 carbon CSV filtered by host_id, relative seconds", "[carbon]") {
  auto p = write_tmp("sg.csv", "host_id,timestamp,carbon_intensity\nA,0,100\nB,0,7\nA,60,200\n");
  CarbonLoadOptions o;
  o.host_id = "A";
  CarbonSeries s = load_carbon_csv(p, "A", o);
  REQUIRE(s.points.size() == 2);
  CHECK(s.relative);
  CHECK(s.points[1].value == 200);
}

TEST_CASE("a bad number names file and line", "[carbon]") {
  auto p = write_tmp("bad.csv", "timestamp,value\n0,1\n60,abc\n");
  REQUIRE_THROWS_AS(load_carbon_csv(p, "Z", {}), InputError);
  try {
    load_carbon_csv(p, "Z", {});
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find(p + ":3:") == 0);
  }
}

TEST_CASE("unsorted rows and negative intensity are rejected", "[carbon]") {
  CHECK_THROWS_AS(load_carbon_csv(write_tmp("uns.csv", "timestamp,value\n60,1\n0,1\n"), "Z", {}), InputError);
  CHECK_THROWS_AS(load_carbon_csv(write_tmp("neg.csv", "timestamp,value\n0,-1\n"), "Z", {}), InputError);
}

TEST_CASE("timeline: forward fill, integral and change points", "[carbon]") {
  CarbonSeries s;
  s.zone = "Z";
  s.points = {{1000, 10}, {4600, 20}, {8200, 30}};
  s.end_t = 11800;
  Timeline tl = make_timeline(s, 2800, 3600, false, 0, "f", "k");  // start in the middle of the first hour
  CHECK(tl.at(0) == 10);
  CHECK(tl.at(1799) == 10);
  CHECK(tl.at(1800) == 20);
  CHECK(tl.integral(0, 3600) == Approx(1800 * 10 + 1800 * 20));
  CHECK(tl.change_points(9000) == std::vector<double>{1800, 5400});
  CHECK_THROWS_AS(make_timeline(s, 2800, 9001, false, 0, "f", "k"), InputError);
  // With wrap, the series repeats with its period (10800 s).
  Timeline w = make_timeline(s, 2800, 20000, true, 0, "f", "k");
  CHECK(w.at(9000) == 10);   // 2800 + 9000 = 11800 → wraps to 1000
  CHECK(w.at(12600) == 20);  // 15400 → 4600
}

TEST_CASE("UTC parsing accepts the formats of the data and rejects impossible dates", "[core]") {
  CHECK(*parse_utc("1970-01-02 00:00:00") == 86400);
  CHECK(*parse_utc("2023-11-16 18:17:03.9800000") == Approx(*parse_utc("2023-11-16 18:17:03") + 0.98));
  CHECK(*parse_utc("2023-06-01T00:00:00Z") == *parse_utc("01/06/2023 00:00"));
  CHECK_FALSE(parse_utc("2023-02-29 00:00:00"));
  CHECK_FALSE(parse_utc("2023-13-01"));
  CHECK_FALSE(parse_utc("yesterday"));
  CHECK(format_utc(*parse_utc("2024-02-29 13:45:07")) == "2024-02-29T13:45:07Z");
}
