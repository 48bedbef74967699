// network.distance end to end (docs/inputs.md "Distance latency"): a request from a device in one
// site to a server in another ~900 km away takes, in the simulation, its compute time plus twice
// (link latencies + fixed + stretch × great-circle km / km_per_ms), checked against a hand
// computation; removing the section removes exactly twice the distance term.
#include <catch2/catch.hpp>

#include <cmath>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// Paris and Berlin (≈ 878 km). Each site: one host on a 1 Gbps arm of 1 ms; uplinks 1 Gbps, 5 ms.
constexpr double kLatA = 48.8566, kLonA = 2.3522, kLatB = 52.5200, kLonB = 13.4050;

std::string platform(const std::string& network) {
  return "name: geo\ndefault_region: Z\n"
         "sites:\n"
         "  - name: paris\n    lat: 48.8566\n    lon: 2.3522\n"
         "    uplink: {bandwidth: 1Gbps, latency: 5ms}\n"
         "    hosts: [{name: dev, cores: 1, speed: 1Gf, power: \"10:30\", attach: {bandwidth: 1Gbps, latency: 1ms}}]\n"
         "  - name: berlin\n    lat: 52.52\n    lon: 13.405\n"
         "    uplink: {bandwidth: 1Gbps, latency: 5ms}\n"
         "    hosts: [{name: srv, cores: 1, speed: 1Gf, power: \"10:30\", attach: {bandwidth: 1Gbps, latency: 1ms}}]\n" +
         network;
}

// One request of 0.9 GMAC (1.8 s at 1 Gf) from dev, served on srv; no input or output bytes, so
// only latencies count in its transfers.
const char* kExperiment =
    "name: geo\nseed: 1\nplatform: platform.yaml\n"
    "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  traces: {Z: {file: z.csv}}\n"
    "models:\n  - {name: block, gmacs: 0.9, input_elems: 0, output_elems: 0}\n"
    "workload: {type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, start: 60s, "
    "model: block, source: dev}\n"
    "policies:\n  p: {type: monolithic, host: srv}\n";

// The hand computation's own haversine (not carbonedge's), on the 6371.0088 km sphere.
double haversine_km(double lat1, double lon1, double lat2, double lon2) {
  const double r = M_PI / 180;
  const double a = std::pow(std::sin((lat2 - lat1) * r / 2), 2) +
                   std::cos(lat1 * r) * std::cos(lat2 * r) * std::pow(std::sin((lon2 - lon1) * r / 2), 2);
  return 2 * 6371.0088 * std::asin(std::sqrt(a));
}

double last_network_ms = 0;  // network_ms.mean of the last run_latency_ms

// latency_ms of the one request (summary.json, full precision); requests.csv must agree to its 1 µs.
double run_latency_ms(TempDir& tmp, const std::string& network) {
  tmp.file("platform.yaml", platform(network));
  const std::string exp = tmp.file("exp.yaml", kExperiment);
  fs::remove_all(tmp / "out");
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/p/summary.json");
  REQUIRE(s["requests_completed"] == 1);
  const double mean = s["latency_ms"]["mean"].get<double>();
  // With no compute on the way and no bytes, the request's one-way network latency (network_ms)
  // is half of the round trip outside the compute: checked against the caller's hand figure below.
  last_network_ms = s["network_ms"]["mean"].get<double>();
  auto rows = read_csv_rows(tmp / "out/p/requests.csv");
  REQUIRE(rows.size() == 2);
  const double csv = std::stod(rows[1][column(rows[0], "latency_ms")]);
  CHECK(std::abs(csv - mean) <= 0.0005 + 1e-9);  // requests.csv rounds latency_ms to 3 decimals (1 µs)
  return mean;
}

}  // namespace

TEST_CASE("geo latency: a request across two sites pays the distance latency both ways, by hand",
          "[e2e][geo][golden]") {
  TempDir tmp;
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,100\n");
  const double d = haversine_km(kLatA, kLonA, kLatB, kLonB);
  CHECK(d == Approx(878).epsilon(0.005));
  const double links = 0.001 + 0.005 + 0.005 + 0.001;  // arm, uplink, uplink, arm
  const double compute = 1.8;                          // 1.8e9 flop at 1 Gf

  const double extra = 2e-3 + 1.7 * d / 200 * 1e-3;  // fixed + stretch × d / km_per_ms
  const double with = run_latency_ms(tmp, "network:\n  distance: {km_per_ms: 200, stretch: 1.7, fixed: 2ms}\n");
  CHECK(rel_err(with, (compute + 2 * (links + extra)) * 1e3) < 1e-9);
  CHECK(rel_err(last_network_ms, (links + extra) * 1e3) < 1e-9);  // one way: the upload

  const double without = run_latency_ms(tmp, "");
  CHECK(rel_err(without, (compute + 2 * links) * 1e3) < 1e-9);
  CHECK(rel_err(with - without, 2 * extra * 1e3) < 1e-9);

  // The defaults: 204 km/ms, stretch 2.0, fixed 1 ms.
  const double defaults = run_latency_ms(tmp, "network:\n  distance: {}\n");
  const double extra_def = 1e-3 + 2.0 * d / 204 * 1e-3;
  CHECK(rel_err(defaults, (compute + 2 * (links + extra_def)) * 1e3) < 1e-9);
  CHECK(rel_err(defaults - without, 2 * extra_def * 1e3) < 1e-9);
}

TEST_CASE("geo latency: network.distance with a site lacking coordinates fails validate naming the key",
          "[e2e][geo]") {
  TempDir tmp;
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,100\n");
  std::string p = platform("network:\n  distance: {}\n");
  p.erase(p.find("    lat: 52.52\n    lon: 13.405\n"), std::string("    lat: 52.52\n    lon: 13.405\n").size());
  tmp.file("platform.yaml", p);
  const std::string exp = tmp.file("exp.yaml", kExperiment);
  auto r = run_cli("validate " + exp, tmp);
  INFO(r.out << r.err);
  CHECK(r.rc == 2);
  CHECK(r.err.find("platform.yaml") != std::string::npos);
  CHECK(r.err.find("sites[1].lat") != std::string::npos);
  CHECK(r.err.find("'berlin'") != std::string::npos);
}
