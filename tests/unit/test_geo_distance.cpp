// Sites with coordinates and the backbone's distance latency (docs/inputs.md "Distance latency"):
// the haversine distance, the extra latency by hand, the pairs that get none, explicit routes
// overriding it, and the one-line errors of bad coordinates and of a distance model without them.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/platform_spec.hpp"
#include "core/error.hpp"

using namespace ce;
namespace fs = std::filesystem;

namespace {

struct GeoFile {
  fs::path dir = fs::temp_directory_path() / ("ce-geo-" + std::to_string(::getpid()));
  std::string path;
  explicit GeoFile(const std::string& text) {
    fs::create_directories(dir);
    path = (dir / "geo.yaml").string();
    std::ofstream(path) << text;
  }
  ~GeoFile() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// Sites lon (London) and par (Paris) of two hosts each and a host at the platform's own gateway.
// Arms 1 ms, uplinks 10 ms, all 1 Gbps (1.25e8 B/s).
std::string platform(const std::string& network, const std::string& paris_coords = "lat: 48.8566, lon: 2.3522, ") {
  return "name: geo\ndefault_region: Z\n"
         "hosts:\n  - {name: central, cores: 1, speed: 1Gf, power: \"10:30\", "
         "attach: {bandwidth: 1Gbps, latency: 1ms}}\n"
         "sites:\n"
         "  - {name: lon, lat: 51.5074, lon: -0.1278, uplink: {bandwidth: 1Gbps, latency: 10ms},\n"
         "     hosts: [{name: \"lon-{i}\", count: 2, cores: 1, speed: 1Gf, power: \"10:30\", "
         "attach: {bandwidth: 1Gbps, latency: 1ms}}]}\n"
         "  - {name: par, " + paris_coords + "uplink: {bandwidth: 1Gbps, latency: 10ms},\n"
         "     hosts: [{name: \"par-{i}\", count: 2, cores: 1, speed: 1Gf, power: \"10:30\", "
         "attach: {bandwidth: 1Gbps, latency: 1ms}}]}\n" + network;
}

uint32_t host(const PlatformSpec& p, const char* name) {
  const int i = p.host_index(name);
  REQUIRE(i >= 0);
  return static_cast<uint32_t>(i);
}

std::string load_error(const std::string& text) {
  GeoFile f(text);
  try {
    load_platform(f.path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("geo platform: haversine great-circle distances of known city pairs", "[geo][platform]") {
  const double london_paris = great_circle_km(51.5074, -0.1278, 48.8566, 2.3522);
  CHECK(std::abs(london_paris - 343.5) / 343.5 < 0.005);
  const double ny_la = great_circle_km(40.7128, -74.0060, 34.0522, -118.2437);
  CHECK(std::abs(ny_la - 3936) / 3936 < 0.005);
  CHECK(great_circle_km(48.8566, 2.3522, 51.5074, -0.1278) == Approx(london_paris).epsilon(1e-12));  // symmetric
  CHECK(great_circle_km(10, 20, 10, 20) == 0);
  // Antipodes: half the circumference of the 6371.0088 km sphere; across the antimeridian too.
  CHECK(great_circle_km(0, 0, 0, 180) == Approx(M_PI * 6371.0088).epsilon(1e-12));
  CHECK(great_circle_km(90, 0, -90, 0) == Approx(M_PI * 6371.0088).epsilon(1e-12));
  CHECK(great_circle_km(0, 179.5, 0, -179.5) == Approx(M_PI * 6371.0088 / 180).epsilon(1e-9));
}

TEST_CASE("geo platform: network.distance adds fixed + stretch × km / km_per_ms between sites only", "[geo][platform]") {
  GeoFile f(platform("network:\n  distance: {km_per_ms: 200, stretch: 1.5, fixed: 2ms}\n"));
  const PlatformSpec p = load_platform(f.path);
  REQUIRE(p.distance.on);
  CHECK(p.sites[0].located());
  CHECK(p.sites[0].lat == 51.5074);
  CHECK(p.sites[1].lon == 2.3522);
  const uint32_t c = host(p, "central"), l1 = host(p, "lon-1"), l2 = host(p, "lon-2"), p1 = host(p, "par-1");
  const double d = great_circle_km(51.5074, -0.1278, 48.8566, 2.3522);
  const double extra = 2e-3 + 1.5 * d / 200 * 1e-3;  // ≈ 2 ms + 2.58 ms
  CHECK(extra == Approx(4.577e-3).epsilon(1e-3));
  CHECK(p.extra_latency_s(l1, p1) == Approx(extra).epsilon(1e-15));
  CHECK(p.extra_latency_s(p1, l1) == Approx(extra).epsilon(1e-15));
  // Same site, a host outside any site, a host to itself: nothing extra.
  CHECK(p.extra_latency_s(l1, l2) == 0);
  CHECK(p.extra_latency_s(c, p1) == 0);
  CHECK(p.extra_latency_s(p1, c) == 0);
  CHECK(p.extra_latency_s(l1, l1) == 0);
  // The estimates policies use include it: arm + uplink + uplink + arm, then the extra.
  const double links = ((0.001 + 0.010) + 0.010) + 0.001;
  CHECK(p.path(l1, p1).latency == links + extra);
  CHECK(p.path(l1, l2).latency == 0.002);
  CHECK(p.path(c, p1).latency == (0.001 + 0.010) + 0.001);
  CHECK(p.transfer_time(l1, p1, 1.25e6) == Approx(links + extra + 0.01).epsilon(1e-12));
  CHECK(p.transfer_time(l1, l1, 1.25e6) == 0);

  // Without the section: the same platform, nothing extra anywhere.
  GeoFile g(platform(""));
  const PlatformSpec q = load_platform(g.path);
  CHECK_FALSE(q.distance.on);
  CHECK(q.extra_latency_s(host(q, "lon-1"), host(q, "par-1")) == 0);
  CHECK(q.path(host(q, "lon-1"), host(q, "par-1")).latency == links);
}

TEST_CASE("geo platform: network.distance defaults are 204 km/ms, stretch 2.0, fixed 1 ms", "[geo][platform]") {
  GeoFile f(platform("network:\n  distance: {}\n"));
  const PlatformSpec p = load_platform(f.path);
  REQUIRE(p.distance.on);
  CHECK(p.distance.km_per_ms == 204);
  CHECK(p.distance.stretch == 2.0);
  CHECK(p.distance.fixed_s == 1e-3);
  const double d = great_circle_km(51.5074, -0.1278, 48.8566, 2.3522);
  CHECK(p.extra_latency_s(host(p, "lon-2"), host(p, "par-2")) == Approx(1e-3 + 2.0 * d / 204 * 1e-3).epsilon(1e-15));
}

TEST_CASE("geo platform: count-expanded sites share their coordinates", "[geo][platform]") {
  GeoFile f("name: geo\ndefault_region: Z\nnetwork: {distance: {fixed: 3ms}}\nsites:\n"
            "  - {name: \"s{i}\", count: 3, lat: 45, lon: 7, uplink: {bandwidth: 1Gbps},\n"
            "     hosts: [{name: \"{site}-h\", cores: 1, speed: 1Gf, power: \"10:30\", attach: {bandwidth: 1Gbps}}]}\n");
  const PlatformSpec p = load_platform(f.path);
  REQUIRE(p.sites.size() == 3);
  for (const auto& s : p.sites) {
    CHECK(s.lat == 45);
    CHECK(s.lon == 7);
  }
  // Different sites at the same place: the fixed part only.
  CHECK(p.extra_latency_s(host(p, "s1-h"), host(p, "s3-h")) == 3e-3);
}

TEST_CASE("geo platform: an explicit route keeps exactly its links' latency", "[geo][platform]") {
  // Hand-built (load_platform refuses routes with sites): two sites far apart, hosts on arms.
  PlatformSpec p;
  p.hosts.resize(2);
  p.hosts[0].name = "a";
  p.hosts[1].name = "b";
  p.links = {LinkSpec{"arm-a", 1e8, 0.001, 0, 0, "Z"}, LinkSpec{"arm-b", 1e8, 0.002, 0, 0, "Z"},
             LinkSpec{"up-a", 1e9, 0.01, 0, 0, "Z"}, LinkSpec{"up-b", 1e9, 0.02, 0, 0, "Z"},
             LinkSpec{"direct", 1e9, 0.005, 0, 0, "Z"}};
  p.sites.resize(2);
  p.sites[0].name = "sa";
  p.sites[0].uplink = 2;
  p.sites[0].lat = 0;
  p.sites[0].lon = 0;
  p.sites[1].name = "sb";
  p.sites[1].uplink = 3;
  p.sites[1].lat = 0;
  p.sites[1].lon = 10;
  p.arm = {0, 1};
  p.site = {0, 1};
  p.distance.on = true;
  const double extra = 1e-3 + 2.0 * great_circle_km(0, 0, 0, 10) / 204 * 1e-3;
  CHECK(p.extra_latency_s(0, 1) == Approx(extra).epsilon(1e-15));
  CHECK(p.path(0, 1).latency == (((0.001 + 0.01) + 0.02) + 0.002) + extra);
  p.add_route(0, 1, {4});  // a → b only
  CHECK(p.extra_latency_s(0, 1) == 0);
  CHECK(p.path(0, 1).latency == 0.005);
  CHECK(p.transfer_time(0, 1, 1e6) == Approx(0.005 + 1e-3).epsilon(1e-12));
  CHECK(p.extra_latency_s(1, 0) == Approx(extra).epsilon(1e-15));  // b → a still takes the star path
  // Distance off: nothing, whatever the coordinates.
  p.distance.on = false;
  CHECK(p.extra_latency_s(1, 0) == 0);
}

TEST_CASE("geo platform: bad coordinates and a distance model without them are one-line errors naming the key",
          "[geo][platform]") {
  auto check = [](const std::string& err, const std::string& key, const std::string& what) {
    INFO(err);
    CHECK(err.find("geo.yaml") != std::string::npos);
    CHECK(err.find(key) != std::string::npos);
    CHECK(err.find(what) != std::string::npos);
    CHECK(err.find('\n') == std::string::npos);
  };
  check(load_error(platform("", "lat: 91, lon: 2.35, ")), "sites[1].lat", "out of range");
  check(load_error(platform("", "lat: -90.5, lon: 2.35, ")), "sites[1].lat", "between -90 and 90");
  check(load_error(platform("", "lat: 48.8, lon: 180.01, ")), "sites[1].lon", "between -180 and 180");
  check(load_error(platform("", "lat: .nan, lon: 2, ")), "sites[1].lat", "not a number");
  check(load_error(platform("", "lat: 48, lon: .inf, ")), "sites[1].lon", "");
  check(load_error(platform("", "lat: north, lon: 2, ")), "sites[1].lat", "not a number");
  check(load_error(platform("", "lon: 2.35, ")), "sites[1].lat", "give both");
  check(load_error(platform("", "lat: 48.8, ")), "sites[1].lon", "give both");
  // Without network.distance a site may have no coordinates; with it, every site needs them.
  GeoFile ok(platform("", ""));
  CHECK_FALSE(load_platform(ok.path).sites[1].located());
  const std::string missing = load_error(platform("network:\n  distance: {}\n", ""));
  check(missing, "sites[1].lat", "network.distance");
  CHECK(missing.find("'par'") != std::string::npos);
  check(load_error(platform("network:\n  distance: {stretch: 0.5}\n")), "network.distance.stretch", ">= 1");
  check(load_error(platform("network:\n  distance: {km_per_ms: 0}\n")), "network.distance.km_per_ms", "> 0");
  check(load_error(platform("network:\n  distance: {km_per_ms: 400}\n")), "network.distance.km_per_ms", "speed of light");
  check(load_error(platform("network:\n  distance: {fixed: -1ms}\n")), "network.distance.fixed", ">= 0");
  check(load_error(platform("network:\n  distance: {stretch: 2, km_per_s: 204}\n")), "km_per_s", "");
}
