// Every zone of carbon_traces/manifest.yaml loads: each listed yearly file is a whole year of
// hourly values (8,760 rows from 1 January 00:00 UTC), finite and non-negative.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cmath>

#include "carbon/carbon_loaders.hpp"
#include "carbon/carbon_series.hpp"
#include "core/time_utc.hpp"

using namespace ce;

TEST_CASE("every manifest zone's files load as whole hourly years", "[carbon][manifest]") {
  const std::string root = std::string(CE_TEST_SOURCE_DIR);
  const YAML::Node zones = YAML::LoadFile(root + "/carbon_traces/manifest.yaml")["zones"];
  REQUIRE(zones.size() >= 17);
  for (auto it = zones.begin(); it != zones.end(); ++it) {
    const std::string zone = it->first.as<std::string>();
    for (const auto& f : it->second["files"]) {
      const std::string path = f["path"].as<std::string>();
      const int year = f["year"].as<int>();
      INFO(zone << " " << path);
      CarbonSeries s = load_carbon_csv(root + "/../shared/data/" + path, zone, {});
      REQUIRE(s.points.size() == 8760);
      CHECK(s.points.front().t == *parse_utc(std::to_string(year) + "-01-01 00:00:00"));
      CHECK(s.end_t == *parse_utc(std::to_string(year + 1) + "-01-01 00:00:00"));
      for (const auto& p : s.points) REQUIRE((std::isfinite(p.value) && p.value >= 0));
    }
  }
}
