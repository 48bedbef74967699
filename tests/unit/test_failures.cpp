// The outage processes of `failures:` (config/failures.hpp): the draws follow their distributions,
// are deterministic per seed, alternate up and down and are clipped to the run.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "config/failures.hpp"

using namespace ce;

namespace {

LifetimeDist fixed(double s) {
  LifetimeDist d;
  d.kind = LifetimeDist::Fixed;
  d.mean_s = s;
  return d;
}

// Mean up time and mean down time over a long run.
std::pair<double, double> means(const LifetimeDist& ttf, const LifetimeDist& ttr, uint64_t seed) {
  const auto out = draw_outages(ttf, ttr, 1e10, seed);
  double up = 0, down = 0, last_up = 0;
  for (size_t i = 0; i + 1 < out.size(); ++i) {  // the last outage may be clipped
    up += out[i].down_s - last_up;
    down += out[i].up_s - out[i].down_s;
    last_up = out[i].up_s;
  }
  const double n = static_cast<double>(out.size() - 1);
  return {up / n, down / n};
}

}  // namespace

TEST_CASE("failures: fixed times give the outages by hand, the last one clipped to the run", "[failures]") {
  const auto out = draw_outages(fixed(900), fixed(300), 3600, 1);
  REQUIRE(out.size() == 3);
  CHECK(out[0].down_s == 900);
  CHECK(out[0].up_s == 1200);
  CHECK(out[1].down_s == 2100);
  CHECK(out[1].up_s == 2400);
  CHECK(out[2].down_s == 3300);
  CHECK(out[2].up_s == 3600);
  CHECK(draw_outages(fixed(3600), fixed(1), 3600, 1).empty());  // the first failure would be at the end
}

TEST_CASE("failures: exponential, Weibull and lognormal draws have their distributions' means; same seed, same draws",
          "[failures]") {
  LifetimeDist exp_ttf;
  exp_ttf.kind = LifetimeDist::Exponential;
  exp_ttf.mean_s = 5 * 86400.0;
  LifetimeDist weibull_ttr;
  weibull_ttr.kind = LifetimeDist::Weibull;
  weibull_ttr.shape = 0.7;
  weibull_ttr.scale_s = 3600;
  const auto [up, down] = means(exp_ttf, weibull_ttr, 42);
  CHECK(std::abs(up / exp_ttf.mean_s - 1) < 0.03);
  // Weibull mean = λ Γ(1 + 1/k).
  CHECK(std::abs(down / (3600 * std::tgamma(1 + 1 / 0.7)) - 1) < 0.05);
  LifetimeDist lognormal_ttr;  // the reference's default repair time: median 1 h, σ 1
  lognormal_ttr.kind = LifetimeDist::Lognormal;
  lognormal_ttr.mean_s = 3600;
  lognormal_ttr.shape = 1;
  // Lognormal mean = median · exp(σ²/2).
  CHECK(std::abs(means(exp_ttf, lognormal_ttr, 43).second / (3600 * std::exp(0.5)) - 1) < 0.05);
  const auto a = draw_outages(exp_ttf, weibull_ttr, 1e8, 7), b = draw_outages(exp_ttf, weibull_ttr, 1e8, 7),
             c = draw_outages(exp_ttf, weibull_ttr, 1e8, 8);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK((a[i].down_s == b[i].down_s && a[i].up_s == b[i].up_s));
  CHECK((c.size() != a.size() || c[0].down_s != a[0].down_s));
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].down_s < a[i].up_s);
    if (i) CHECK(a[i - 1].up_s < a[i].down_s);
  }
}

TEST_CASE("failures: an outage trace is read in run time, clipped to the run; bad rows name FILE:LINE", "[failures]") {
  const std::string dir = std::filesystem::temp_directory_path() / ("ce_outages_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name) << text;
    return dir + "/" + name;
  };
  const double start = 1672531200;  // 2023-01-01T00:00:00Z
  // Before the run, across its start, inside, across its end (2 h run).
  const auto out = read_outage_trace(write("ok.csv", "down,up\n"
                                                     "2022-12-31 20:00:00,2022-12-31 21:00:00\n"
                                                     "2022-12-31 23:30:00,2023-01-01 00:10:00\n"
                                                     "2023-01-01 01:00:00,2023-01-01 01:05:00\n"
                                                     "2023-01-01 01:50:00,2023-01-01 03:00:00\n"),
                                     start, 7200);
  REQUIRE(out.size() == 3);
  CHECK((out[0].down_s == 0 && out[0].up_s == 600));
  CHECK((out[1].down_s == 3600 && out[1].up_s == 3900));
  CHECK((out[2].down_s == 6600 && out[2].up_s == 7200));
  const auto error = [&](const std::string& text) {
    try {
      read_outage_trace(write("bad.csv", text), start, 7200);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error("down,up\n2023-01-01 01:00:00,2023-01-01 00:30:00\n"),
             Catch::Contains("bad.csv:2:") && Catch::Contains("up must be after down"));
  CHECK_THAT(error("down,up\n2023-01-01 01:00:00,2023-01-01 02:00:00\n2023-01-01 01:30:00,2023-01-01 03:00:00\n"),
             Catch::Contains("bad.csv:3:") && Catch::Contains("sorted"));
  CHECK_THAT(error("start,end\n"), Catch::Contains("no 'down' column"));
  CHECK_THAT(error("down,up\nyesterday,2023-01-01 02:00:00\n"), Catch::Contains("not a UTC date-time"));
  std::filesystem::remove_all(dir);
}
