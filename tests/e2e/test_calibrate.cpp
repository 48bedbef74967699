// `carbonedge calibrate --fast`: real kernels timed on this machine in a few seconds. The numbers
// depend on the machine, so the checks are on structure and sanity, plus one exact link: a
// platform using the written profile makes the simulator predict exactly what the report says.
#include <catch2/catch.hpp>

#include <cmath>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

std::string experiment(const std::string& platform) {
  return "name: calib\nplatform: " + platform +
         "\ncarbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  traces: {Z: {file: z.csv}}\n"
         "workload: {type: poisson, rate: 0.01, model: mobilenet_v3_small, source: h}\n"
         "policies:\n  mono: {host: h, type: monolithic}\n";
}

}  // namespace

TEST_CASE("calibrate --fast writes a usable host profile and a sane report", "[e2e][calibrate]") {
  TempDir tmp;
  auto r = run_cli("calibrate --fast --quiet --out " + (tmp / "hosts/me.yaml"), tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  REQUIRE(fs::exists(tmp / "hosts/me.yaml"));

  auto j = read_json(tmp / "hosts/me.calibration.json");
  CHECK(j["mode"] == "fast");
  CHECK(j["threads"]["requested"] == 1);
  CHECK(j["threads"]["effective"] == 1);
  CHECK(j["rapl"]["status"].get<std::string>().size() > 10);  // available: ... / unavailable: why
  REQUIRE(j["fits"].size() >= 3);
  for (auto& [cls, f] : j["fits"].items()) {
    INFO(cls);
    CHECK(f["samples"].get<int>() >= 1);
    const double a = f["per_mac_s"], b = f["per_byte_s"], c = f["fixed_s"];
    CHECK(a >= 0);
    CHECK(b >= 0);
    CHECK(c >= 0);
    CHECK(a + b + c > 0);
    CHECK(std::isfinite(f["rms_rel_residual"].get<double>()));  // residuals are reported
    CHECK(f["rms_rel_residual"].get<double>() >= 0);
  }
  REQUIRE(j["fits"].contains("conv"));
  const double per_mac = j["fits"]["conv"]["per_mac_s"];
  CHECK(per_mac < 1e-8);  // slower than 100 MMAC/s would not be a working GEMM
  for (auto& [type, rate] : j["rates_mac_per_s"].items()) CHECK(rate.get<double>() > 0);
  REQUIRE(j["validation"].size() >= 1);
  for (auto& v : j["validation"]) {
    CHECK(v["measured_median_s"].get<double>() > 0);
    CHECK(v["measured_min_s"].get<double>() <= v["measured_median_s"].get<double>());
    CHECK(v["predicted_s"].get<double>() > 0);
    CHECK(v["fresh_inputs"] == 1);  // a real chained forward pass
  }
  CHECK(std::isfinite(j["heldout_mape_pct"].get<double>()));

  auto rows = read_csv_rows(tmp / "hosts/me.layers.csv");
  REQUIRE(rows.size() > 10);
  CHECK(rows[0][10] == "median_s");
  for (size_t i = 1; i < rows.size(); ++i) CHECK(std::stod(rows[i][10]) > 0);

  // The profile plugs into a platform; the simulated service time is the report's prediction.
  tmp.file("platform.yaml", "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z, "
                            "profile: hosts/me.yaml}\n");
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,200\n");
  auto exp = tmp.file("exp.yaml", experiment("platform.yaml"));
  auto val = run_cli("validate " + exp, tmp);
  INFO(val.err);
  CHECK(val.rc == 0);
  auto run = run_cli("run " + exp + " --quiet --out " + (tmp / "out"), tmp);
  INFO(run.err);
  REQUIRE(run.rc == 0);
  auto s = read_json(tmp / "out/mono/summary.json");
  double predicted_ms = 0;
  for (auto& v : j["validation"])
    if (v["model"] == "mobilenet_v3_small") predicted_ms = v["predicted_s"].get<double>() * 1e3;
  REQUIRE(predicted_ms > 0);
  CHECK(s["latency_ms"]["p50"].get<double>() == Approx(predicted_ms).epsilon(1e-3));
}

TEST_CASE("calibrate rejects an unknown model with exit code 2 and writes nothing", "[e2e][calibrate][bad-input]") {
  TempDir tmp;
  auto r = run_cli("calibrate --fast --models no_such_net --out " + (tmp / "me.yaml"), tmp);
  CHECK(r.rc == 2);
  CHECK(r.err.find("no_such_net") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "me.yaml"));
}

TEST_CASE("a platform naming a missing host profile fails on the profile key", "[e2e][calibrate][bad-input]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z, "
                            "profile: hosts/missing.yaml}\n");
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,200\n");
  auto exp = tmp.file("exp.yaml", experiment("platform.yaml"));
  auto r = run_cli("validate " + exp, tmp);
  CHECK(r.rc == 2);
  CHECK(r.err.find("platform.yaml") != std::string::npos);
  CHECK(r.err.find("hosts[0].profile") != std::string::npos);
}
