// `region:` at the top of a platform (`--set platform.region=DE`, a sweep's `zone:` axis) puts every
// host, site and link in that zone, replacing default_region and their own regions.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/platform_spec.hpp"
#include "core/error.hpp"
#include "sweep/sweep_spec.hpp"

using namespace ce;
namespace fs = std::filesystem;

namespace {
// Hosts with their own region, hosts inheriting default_region, a site with its region, links.
const char* kPlatform = R"(name: p
default_region: GB
links:
  - {name: l1, bandwidth: 1Gbps}
  - {name: l2, bandwidth: 1Gbps, region: NO}
hosts:
  - {name: own, cores: 1, speed: 1Gf, power: "10:30", region: FR}
  - {name: inherits, cores: 1, speed: 1Gf, power: "10:30", attach: l1}
sites:
  - name: s
    region: ES
    uplink: {bandwidth: 1Gbps}
    hosts: [{name: "in-site", cores: 1, speed: 1Gf, power: "10:30"}]
)";

struct PlatformFile {
  fs::path dir = fs::temp_directory_path() / ("ce-region-" + std::to_string(::getpid()));
  std::string path;
  PlatformFile() {
    fs::create_directories(dir);
    path = (dir / "p.yaml").string();
    std::ofstream(path) << kPlatform;
  }
  ~PlatformFile() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};
}  // namespace

TEST_CASE("platform region replaces default_region and every host and site and link region", "[region]") {
  PlatformFile f;
  PlatformSpec plain = load_platform(f.path);
  REQUIRE(plain.hosts.size() == 3);
  CHECK(plain.hosts[0].region == "FR");
  CHECK(plain.hosts[1].region == "GB");
  CHECK(plain.hosts[2].region == "ES");
  const PlatformSpec de = load_platform(f.path, [](YAML::Node& doc) { doc["region"] = "DE"; });
  for (const auto& h : de.hosts) CHECK(h.region == "DE");
  for (const auto& s : de.sites) CHECK(s.region == "DE");
  REQUIRE_FALSE(de.links.empty());
  for (const auto& l : de.links) CHECK(l.region == "DE");
  // Everything else is untouched.
  CHECK(de.hosts.size() == plain.hosts.size());
  CHECK(de.links.size() == plain.links.size());
}

TEST_CASE("an empty platform region is refused naming the key", "[region]") {
  PlatformFile f;
  CHECK_THROWS_WITH(load_platform(f.path, [](YAML::Node& doc) { doc["region"] = ""; }),
                    Catch::Contains("p.yaml") && Catch::Contains("region") && Catch::Contains("carbon zone"));
}

TEST_CASE("sweep zone: is the first grid axis platform.region", "[region][sweep]") {
  auto spec = parse_sweep(YAML::Load("sweep:\n  zone: [DE, FR, NO]\n  grid: {workload.rate: [1, 2]}\n"), "e.yaml", 1);
  auto pts = expand_sweep(spec);
  REQUIRE(pts.size() == 6);
  CHECK(swept_keys(spec) == std::vector<std::string>{"platform.region", "workload.rate"});
  CHECK(pts[0].overrides() == std::vector<std::string>{"platform.region=DE", "workload.rate=1"});
  CHECK(pts[5].overrides() == std::vector<std::string>{"platform.region=NO", "workload.rate=2"});
  auto err = [](const std::string& yaml) -> std::string {
    try {
      parse_sweep(YAML::Load(yaml), "e.yaml", 1);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  CHECK_THAT(err("sweep:\n  zone: DE\n"), Catch::Contains("sweep.zone") && Catch::Contains("list"));
  CHECK_THAT(err("sweep:\n  zone: []\n"), Catch::Contains("sweep.zone"));
  CHECK_THAT(err("sweep:\n  zone: [[DE]]\n"), Catch::Contains("zone ids"));
  CHECK_THAT(err("sweep:\n  zone: [DE]\n  grid: {platform.region: [FR]}\n"), Catch::Contains("swept twice"));
}
