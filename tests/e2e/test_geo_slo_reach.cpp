// A user location that no site can serve within its SLO (docs/outputs.md slo_unreachable_*): users
// in Paris and Berlin, next to servers there, and users in Sydney, ~16,000 km from both — a
// distance latency of ~0.16 s each way against an SLO of 100 ms. Every geographic policy runs to the
// end, places Sydney's requests anyway, and counts them: one user location, as many requests as
// requests.csv has from Sydney; none from Paris or Berlin. Every arrival is accounted for once.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

std::string site(const std::string& name, double lat, double lon, const std::string& hosts) {
  return "  - name: " + name + "\n    lat: " + std::to_string(lat) + "\n    lon: " + std::to_string(lon) +
         "\n    uplink: {bandwidth: 1Gbps, latency: 1ms}\n    hosts:\n" + hosts;
}
std::string host(const std::string& name, const std::string& speed) {
  return "      - {name: " + name + ", cores: 4, speed: " + speed +
         ", power: \"10:30\", attach: {bandwidth: 1Gbps, latency: 1ms}}\n";
}

const std::string kPlatform = "name: reach\ndefault_region: Z\nnetwork:\n  distance: {}\n"
                              "sites:\n" +
                              site("paris", 48.8566, 2.3522, host("dev-par", "1Gf") + host("srv-par", "100Gf")) +
                              site("berlin", 52.52, 13.405, host("dev-ber", "1Gf") + host("srv-ber", "100Gf")) +
                              site("sydney", -33.8688, 151.2093, host("dev-syd", "1Gf"));

// 0.1 GMAC: 2 ms on a server. Poisson arrivals from the three user hosts for 20 minutes.
const char* kExperiment =
    "name: reach\nseed: 3\nplatform: platform.yaml\n"
    "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  traces: {Z: {file: z.csv}}\n"
    "models:\n  - {name: block, gmacs: 0.1, input_elems: 0, output_elems: 0}\n"
    "workload: {type: poisson, rate: 0.5, stop: 20min, model: block, slo: 100ms,\n"
    "           sources: {dev-par: 1, dev-ber: 1, dev-syd: 1}}\n"
    "policies:\n"
    "  nearest: {type: nearest}\n"
    "  energy-first: {type: energy-first}\n"
    "  carbon-greedy: {type: carbon-greedy}\n";

}  // namespace

TEST_CASE("geo policies: a user location beyond every site's SLO reach is counted and the run completes",
          "[e2e][geo][golden]") {
  TempDir tmp;
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,100\n");
  tmp.file("platform.yaml", kPlatform);
  const std::string exp = tmp.file("exp.yaml", kExperiment);
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q", tmp);
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  for (const char* policy : {"nearest", "energy-first", "carbon-greedy"}) {
    INFO(policy);
    const std::string dir = tmp / ("out/" + std::string(policy));
    auto s = read_json(dir + "/summary.json");
    auto rows = read_csv_rows(dir + "/requests.csv");
    REQUIRE(rows.size() > 1);
    const size_t source = column(rows[0], "source"), status = column(rows[0], "status");
    uint64_t sydney = 0, others = 0, placed = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      (rows[i][source] == "dev-syd" ? sydney : others) += 1;
      placed += rows[i][status] != "rejected";
    }
    REQUIRE(sydney > 0);
    REQUIRE(others > 0);
    CHECK(placed == rows.size() - 1);  // Sydney's requests are served, late, not rejected
    CHECK(s["slo_unreachable_users"] == 1);
    CHECK(s["slo_unreachable_requests"] == sydney);
    // Every arrival ends once (nothing is in flight at the end of the span).
    const uint64_t arrived = s["requests_arrived"];
    CHECK(arrived == rows.size() - 1);
    CHECK(s["requests_completed"].get<uint64_t>() + s["requests_failed"].get<uint64_t>() +
              s["requests_rejected"].get<uint64_t>() ==
          arrived);
    // Sydney's are the late ones: Paris's and Berlin's meet their SLO next door.
    CHECK(s["slo_violation_rate"].get<double>() == Approx(static_cast<double>(sydney) / arrived));
    const std::string warning = std::string("warning: ") + policy + ": 1 user location (" + std::to_string(sydney) +
                                " requests) had no candidate host within their SLO";
    CHECK(r.err.find(warning) != std::string::npos);
  }
}

TEST_CASE("geo policies: no warning and zero counts when every user is within reach", "[e2e][geo]") {
  TempDir tmp;
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,100\n");
  tmp.file("platform.yaml", kPlatform);
  std::string text = kExperiment;
  text.replace(text.find(", dev-syd: 1"), std::string(", dev-syd: 1").size(), "");
  const std::string exp = tmp.file("exp.yaml", text);
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " -q", tmp);
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.find("warning") == std::string::npos);
  auto s = read_json(tmp / "out/carbon-greedy/summary.json");
  CHECK(s["slo_unreachable_users"] == 0);
  CHECK(s["slo_unreachable_requests"] == 0);
}
