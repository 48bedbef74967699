// Carbon-intensity forecasts (carbon/forecast.hpp): perfect, persistence, noisy (deterministic,
// MAPE growing with the lead time on a real trace), file (round trip, bad rows), parse_forecast,
// and the min/max helper intensity-adaptive's windows use. Pure: no SimGrid.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <random>

#include "carbon/carbon_loaders.hpp"
#include "carbon/forecast.hpp"
#include "carbon/trailing_window.hpp"
#include "core/error.hpp"
#include "core/time_utc.hpp"

using namespace ce;

namespace {

constexpr double kH = 3600.0;

std::string write_tmp(const std::string& name, const std::string& content) {
  std::string p = "/tmp/ce-unit-forecast-" + name;
  std::ofstream(p) << content;
  return p;
}

// GB from 2023-06-01 (UTC), 60 days of real hourly Electricity Maps data.
const double kStart = *parse_utc("2023-06-01T00:00:00Z");
ZoneTimelines gb_june() {
  const std::string dir = std::string(CE_TEST_SOURCE_DIR) + "/../shared/data/carbon/";
  CarbonSeries s = load_carbon_csv(dir + "GB/electricitymaps/GB_2023_hourly.csv", "GB", {});
  ZoneTimelines zt;
  zt.by_zone["GB"] = make_timeline(s, kStart, 60 * 24 * kH, false, 0, "e.yaml", "carbon");
  return zt;
}

// Zone A: 100, 200, ..., hourly from t = 0 (value 100 + 100·(i mod 24)); zone B constant 50.
ZoneTimelines toy() {
  std::vector<IntensityPoint> a;
  for (int i = 0; i < 24 * 10; ++i) a.push_back({i * kH, 100.0 + 100.0 * (i % 24)});
  ZoneTimelines zt;
  zt.by_zone["A"] = Timeline(a, 24 * 10 * kH, false);
  zt.by_zone["B"] = Timeline({{0.0, 50.0}}, 0, true);
  return zt;
}

ForecastSpec noisy_spec(double m1 = 0.05, double m48 = 0.25) {
  ForecastSpec s;
  s.kind = ForecastKind::Noisy;
  s.mape_1h = m1;
  s.mape_48h = m48;
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("perfect forecast is the trace, zones are found by name", "[carbon][forecast]") {
  ZoneTimelines zt = gb_june();
  auto f = make_forecaster(ForecastSpec{}, zt, 1, kStart);
  REQUIRE(f->kind() == ForecastKind::Perfect);
  REQUIRE(f->zones() == std::vector<std::string>{"GB"});
  const Timeline& tl = zt.by_zone.at("GB");
  for (double issued : {0.0, 1234.5, 10 * 24 * kH})
    for (double lead : {-5 * kH, 0.0, 1.0, 0.5 * kH, kH, 13 * kH, 47.5 * kH, 72 * kH}) {
      CHECK(f->at("GB", issued, issued + lead) == tl.at(issued + lead));
      CHECK(f->at(0, issued, issued + lead) == tl.at(issued + lead));
    }
  auto h = f->hourly("GB", 100, 5.5 * kH);  // k = 1..5
  REQUIRE(h.size() == 5);
  for (size_t k = 0; k < 5; ++k) CHECK(h[k] == tl.at(100 + (k + 1.0) * kH));
  CHECK(&f->trace("GB") == &tl);
  CHECK_THROWS_AS(f->zone_index("XX"), std::out_of_range);
}

TEST_CASE("persistence forecasts the value 24 h earlier (further back for leads over a day)", "[carbon][forecast]") {
  ZoneTimelines zt = gb_june();
  ForecastSpec spec;
  spec.kind = ForecastKind::Persistence;
  auto f = make_forecaster(spec, zt, 1, kStart);
  const Timeline& tl = zt.by_zone.at("GB");
  for (double issued : {30 * kH, 100 * kH + 17, 20 * 24 * kH})
    for (double lead : {1.0, kH, 5 * kH, 23.5 * kH, 24 * kH}) CHECK(f->at("GB", issued, issued + lead) == tl.at(issued + lead - 24 * kH));
  // A lead of 30 h: yesterday's same hour is not observed yet at issue time → two days back.
  CHECK(f->at("GB", 100 * kH, 130 * kH) == tl.at(130 * kH - 48 * kH));
  CHECK(f->at("GB", 100 * kH, 148 * kH) == tl.at(100 * kH));
  CHECK(f->at("GB", 100 * kH, 148 * kH + 1) == tl.at(148 * kH + 1 - 72 * kH));
  // Before the trace's start: its first value.
  CHECK(f->at("GB", 0, 5 * kH) == tl.at(0));
  CHECK(f->at("GB", 2 * kH, 20 * kH) == tl.points().front().value);
  // The past (target ≤ issued) is observed.
  CHECK(f->at("GB", 50 * kH, 40 * kH) == tl.at(40 * kH));
  // Issued at any time: no quantisation of the issue.
  CHECK(f->at("GB", 30 * kH + 1, 40 * kH) == tl.at(16 * kH));
}

TEST_CASE("noisy forecast: deterministic in any query order, seeded, never negative", "[carbon][forecast]") {
  ZoneTimelines zt = toy();
  auto f = make_forecaster(noisy_spec(), zt, 7, 0);
  std::vector<std::tuple<std::string, double, double>> q;
  for (double issued : {0.0, 3 * kH, 3 * kH + 900, 50 * kH})
    for (int lead = 1; lead <= 60; lead += 3)
      for (const char* z : {"A", "B"}) q.emplace_back(z, issued, issued + lead * kH - 600);
  std::vector<double> first;
  for (auto& [z, i, t] : q) first.push_back(f->at(z, i, t));
  // Same query twice, same forecaster.
  for (size_t n = 0; n < q.size(); ++n) CHECK(f->at(std::get<0>(q[n]), std::get<1>(q[n]), std::get<2>(q[n])) == first[n]);
  // A fresh forecaster asked in reverse and in shuffled order.
  auto g = make_forecaster(noisy_spec(), zt, 7, 0);
  for (size_t m = q.size(); m > 0; --m) {
    const size_t n = m - 1;
    CHECK(g->at(std::get<0>(q[n]), std::get<1>(q[n]), std::get<2>(q[n])) == first[n]);
  }
  std::vector<size_t> order(q.size());
  for (size_t n = 0; n < order.size(); ++n) order[n] = n;
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  auto h = make_forecaster(noisy_spec(), zt, 7, 0);
  for (size_t n : order) CHECK(h->at(std::get<0>(q[n]), std::get<1>(q[n]), std::get<2>(q[n])) == first[n]);
  // hourly() agrees with at().
  auto hv = h->hourly("A", 3 * kH + 5, 48 * kH);
  REQUIRE(hv.size() == 48);
  for (size_t k = 0; k < 48; ++k) CHECK(hv[k] == f->at("A", 3 * kH + 5, 3 * kH + 5 + (k + 1.0) * kH));
  // Values ≥ 0 and not the trace; the past is the trace.
  size_t differs = 0;
  for (size_t n = 0; n < q.size(); ++n) {
    CHECK(first[n] >= 0);
    differs += first[n] != zt.by_zone.at(std::get<0>(q[n])).at(std::get<2>(q[n]));
  }
  CHECK(differs == q.size());
  CHECK(f->at("A", 10 * kH, 9 * kH) == zt.by_zone.at("A").at(9 * kH));
  // One issue per hour (issue_every 1h): asking at 3:00 or 3:15 reads the forecast issued at 3:00.
  CHECK(f->at("A", 3 * kH, 9 * kH) == f->at("A", 3 * kH + 900, 9 * kH));
  CHECK(f->at("A", 3 * kH, 9 * kH) != f->at("A", 4 * kH, 9 * kH));
  // Another seed, another forecast; a `seed:` in the spec replaces the experiment's.
  auto other = make_forecaster(noisy_spec(), zt, 8, 0);
  CHECK(other->at("A", 0, 5 * kH) != f->at("A", 0, 5 * kH));
  ForecastSpec own = noisy_spec();
  own.has_seed = true;
  own.seed = 99;
  CHECK(make_forecaster(own, zt, 7, 0)->at("A", 0, 5 * kH) == make_forecaster(own, zt, 8, 0)->at("A", 0, 5 * kH));
  // A zone's noise depends on its name, not on which other zones the run has.
  ZoneTimelines only_a;
  only_a.by_zone["A"] = zt.by_zone.at("A");
  ZoneTimelines with_0 = only_a;
  with_0.by_zone["0"] = Timeline({{0.0, 1.0}}, 0, true);
  CHECK(make_forecaster(noisy_spec(), only_a, 7, 0)->at("A", 0, 30 * kH) ==
        make_forecaster(noisy_spec(), with_0, 7, 0)->at("A", 0, 30 * kH));
  // A huge error never makes a value negative.
  auto wild = make_forecaster(noisy_spec(1.0, 1.0), zt, 7, 0);
  size_t zeros = 0;
  for (int i = 0; i < 200; ++i)
    for (int lead = 1; lead <= 48; ++lead) {
      double v = wild->at("A", i * kH, (i + lead) * kH);
      CHECK(v >= 0);
      zeros += v == 0;
    }
  CHECK(zeros > 0);  // σ = 1.25: some draws below −1 are clipped to 0
}

TEST_CASE("noisy forecast: measured MAPE on a real trace grows with the lead time as configured",
          "[carbon][forecast]") {
  ZoneTimelines zt = gb_june();
  const Timeline& tl = zt.by_zone.at("GB");
  ForecastSpec spec = noisy_spec(0.05, 0.25);
  auto f = make_forecaster(spec, zt, 42, kStart);
  // Every hourly issue over 40 days, leads 1..48 h (targets in the middle of each lead hour).
  std::vector<double> sum(49, 0.0);
  std::vector<double> z1, z2;  // relative errors at leads 1 and 2 of the same issue
  const int issues = 40 * 24;
  for (int i = 0; i < issues; ++i) {
    const double issued = i * kH;
    for (int k = 1; k <= 48; ++k) {
      const double target = issued + (k - 0.5) * kH, actual = tl.at(target);
      const double v = f->at("GB", issued, target);
      REQUIRE(v >= 0);
      sum[k] += std::abs(v - actual) / actual;
      if (k == 1) z1.push_back(v / actual - 1);
      if (k == 2) z2.push_back(v / actual - 1);
    }
  }
  std::vector<double> mape(49);
  for (int k = 1; k <= 48; ++k) mape[k] = sum[k] / issues;
  INFO("MAPE 1 h " << mape[1] << ", 12 h " << mape[12] << ", 24 h " << mape[24] << ", 48 h " << mape[48]);
  CHECK(mape[1] == Approx(0.05).epsilon(0.3));
  CHECK(mape[48] == Approx(0.25).epsilon(0.3));
  for (int k : {1, 12, 24, 36, 48}) CHECK(mape[k] == Approx(noisy_mape(spec, k)).epsilon(0.3));
  // Grows with the lead: averages over 8-hour bands increase.
  double prev = 0;
  for (int b = 0; b < 6; ++b) {
    double band = 0;
    for (int k = b * 8 + 1; k <= b * 8 + 8; ++k) band += mape[k] / 8;
    CHECK(band > prev);
    prev = band;
  }
  // Correlated along the horizon of one issue: errors at leads 1 and 2 (scaled to unit variance).
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t n = 0; n < z1.size(); ++n) {
    sxy += z1[n] * z2[n];
    sxx += z1[n] * z1[n];
    syy += z2[n] * z2[n];
  }
  CHECK(sxy / std::sqrt(sxx * syy) == Approx(0.9).margin(0.05));
  // The configured curve itself.
  CHECK(noisy_mape(spec, 1) == Approx(0.05));
  CHECK(noisy_mape(spec, 48) == Approx(0.25));
  CHECK(noisy_mape(spec, 100) == Approx(0.25));
  CHECK(noisy_mape(spec, 0) == Approx(0.05));
  CHECK(noisy_mape(spec, 24) == Approx(0.05 + 0.2 * 23 / 47));
}

TEST_CASE("file forecast: a round trip of issued forecasts, the latest issue at or before the query",
          "[carbon][forecast]") {
  ZoneTimelines zt = toy();
  auto src = make_forecaster(noisy_spec(), zt, 3, 0);
  // Issues every 6 h, 24 hourly targets each, for both zones, plus a zone the run does not have.
  std::string csv = "issued,target,zone,value\n";
  for (int i = 0; i < 8; ++i)
    for (const char* z : {"A", "B", "ZZ"})
      for (int k = 1; k <= 24; ++k) {
        const double issued = i * 6 * kH, target = issued + k * kH;
        const double v = std::string(z) == "ZZ" ? 1.0 : src->at(z, issued, target);
        csv += fmt::format("{},{},{},{}\n", issued, target, z, v);  // {} prints the shortest exact form
      }
  ForecastSpec spec;
  spec.kind = ForecastKind::File;
  spec.file = write_tmp("round.csv", csv);
  auto f = make_forecaster(spec, zt, 3, 0);
  REQUIRE(f->files() == std::vector<std::string>{spec.file});
  for (int i = 0; i < 8; ++i)
    for (double late : {0.0, 1.0, 5.5 * kH})  // asked later within the issue's 6 h: the same issue
      for (int k = 7; k <= 24; ++k) {
        const double issued = i * 6 * kH, target = issued + k * kH;
        CHECK(f->at("A", issued + late, target) == src->at("A", issued, target));
        CHECK(f->at("B", issued + late, target + 1800) == src->at("B", issued, target));  // forward fill
      }
  // The past is the trace.
  CHECK(f->at("A", 10 * kH, 2 * kH) == zt.by_zone.at("A").at(2 * kH));
  // Not covered: before the first issue, past the last target (+1 step) → a one-line error naming the file.
  std::string e = error_of([&] { f->at("A", 7 * 6 * kH, 7 * 6 * kH + 25 * kH); });
  CHECK(e.find(spec.file + ": no forecast of zone 'A'") == 0);
  CHECK(e.find("the latest issue") != std::string::npos);
  CHECK(e.find('\n') == std::string::npos);
  CHECK(f->at("A", 7 * 6 * kH, 7 * 6 * kH + 24.5 * kH) == src->at("A", 7 * 6 * kH, 7 * 6 * kH + 24 * kH));
  CHECK_THROWS_AS(f->at("A", -1, 5 * kH), InputError);
  // Fallbacks.
  spec.fallback = ForecastFallback::Perfect;
  CHECK(make_forecaster(spec, zt, 3, 0)->at("A", -1, 5 * kH) == zt.by_zone.at("A").at(5 * kH));
  spec.fallback = ForecastFallback::Persistence;
  CHECK(make_forecaster(spec, zt, 3, 0)->at("A", 0, 100 * kH) == zt.by_zone.at("A").at(100 * kH - 5 * 24 * kH));
  // UTC times, columns in another order, relative to carbon.start.
  const double start = *parse_utc("2023-06-01T00:00:00Z");
  spec.fallback = ForecastFallback::Error;
  spec.file = write_tmp("utc.csv",
                        "zone,value,target,issued\n"
                        "A,120,2023-06-01T02:00:00Z,2023-06-01T00:00:00Z\n"
                        "A,130,2023-06-01T03:00:00Z,2023-06-01T00:00:00Z\n"
                        "A,140,2023-06-01 03:00:00,2023-06-01T01:00:00Z\n");
  auto u = make_forecaster(spec, zt, 3, start);
  CHECK(u->at("A", 0.5 * kH, 2.5 * kH) == 120);
  CHECK(u->at("A", 0.5 * kH, 3.5 * kH) == 130);
  CHECK(u->at("A", 1.5 * kH, 3.5 * kH) == 140);
  CHECK_THROWS_AS(u->at("A", 1.5 * kH, 2.5 * kH), InputError);  // the latest issue starts at 3:00
}

TEST_CASE("file forecast: bad rows fail with FILE:LINE", "[carbon][forecast]") {
  ZoneTimelines zt = toy();
  ForecastSpec spec;
  spec.kind = ForecastKind::File;
  auto err = [&](const std::string& name, const std::string& body) {
    spec.file = write_tmp(name, body);
    return error_of([&] { make_forecaster(spec, zt, 1, 0); });
  };
  const std::string h = "issued,target,zone,value\n";
  std::string e = err("num.csv", h + "0,3600,A,100\n0,7200,A,abc\n");
  CHECK(e.find(spec.file + ":3: column 'value'") == 0);
  CHECK(err("neg.csv", h + "0,3600,A,-1\n").find(spec.file + ":2: value -1 is negative") == 0);
  CHECK(err("big.csv", h + "0,3600,A,9000\n").find(spec.file + ":2:") == 0);
  CHECK(err("before.csv", h + "0,3600,A,1\n7200,3600,A,1\n").find(spec.file + ":3: target is before issued") == 0);
  CHECK(err("dup.csv", h + "0,3600,A,1\n0,7200,A,1\n0,3600,A,2\n").find(spec.file + ":4: a second row") == 0);
  CHECK(err("mix.csv", h + "0,2023-06-01T01:00:00Z,A,1\n").find(spec.file + ":2: times mix") == 0);
  CHECK(err("time.csv", h + "0,yesterday,A,1\n").find(spec.file + ":2: column 'target'") == 0);
  CHECK(err("short.csv", h + "0,3600,A\n").find(spec.file + ":2: expected at least 4 fields") == 0);
  CHECK(err("hdr.csv", "issued,target,zone\n0,1,A\n").find(spec.file + ":1: the header must name") == 0);
  CHECK(err("empty.csv", "").find(spec.file + ": file is empty") == 0);
  CHECK(err("norows.csv", h).find(spec.file + ": no data rows") == 0);
  spec.file = "/nonexistent/f.csv";
  spec.where_file = "e.yaml";
  CHECK(error_of([&] { make_forecaster(spec, zt, 1, 0); }).find("e.yaml: key 'carbon.forecast.file'") == 0);
  // A zone the file does not have is an error when asked, naming the file.
  spec.file = write_tmp("onlyb.csv", h + "0,3600,B,1\n");
  auto f = make_forecaster(spec, zt, 1, 0);
  CHECK(error_of([&] { f->at("A", 0, 1800); }).find("the file has no rows for this zone") != std::string::npos);
}

TEST_CASE("parse_forecast reads carbon.forecast, wrong keys and values name the key", "[carbon][forecast]") {
  auto parse = [](const std::string& yaml) { return parse_forecast(YamlSection(YAML::Load(yaml), "e.yaml", "carbon")); };
  ForecastSpec d = parse("{start: x}");
  CHECK(d.kind == ForecastKind::Perfect);
  CHECK(d.where_key == "carbon.forecast");
  CHECK(parse("{forecast: persistence}").kind == ForecastKind::Persistence);
  CHECK(parse("{forecast: {type: perfect}}").kind == ForecastKind::Perfect);
  ForecastSpec n = parse("{forecast: {type: noisy, mape_1h: 0.1, mape_48h: 0.3, correlation: 0.5, issue_every: 6h, seed: 5}}");
  CHECK(n.kind == ForecastKind::Noisy);
  CHECK(n.mape_1h == 0.1);
  CHECK(n.mape_48h == 0.3);
  CHECK(n.correlation == 0.5);
  CHECK(n.issue_every_s == 6 * kH);
  CHECK(n.has_seed);
  CHECK(n.seed == 5);
  ForecastSpec nd = parse("{forecast: {type: noisy}}");
  CHECK(nd.mape_1h == 0.05);
  CHECK(nd.mape_48h == 0.25);
  CHECK_FALSE(nd.has_seed);
  ForecastSpec fl = parse("{forecast: {type: file, file: f.csv, fallback: persistence}}");
  CHECK(fl.kind == ForecastKind::File);
  CHECK(fl.file == "f.csv");
  CHECK(fl.where_file == "e.yaml");
  CHECK(fl.fallback == ForecastFallback::Persistence);
  auto bad = [&](const std::string& yaml) { return error_of([&] { parse(yaml); }); };
  CHECK(bad("{forecast: oracle}").find("carbon.forecast") != std::string::npos);
  CHECK(bad("{forecast: file}").find("needs a file") != std::string::npos);
  CHECK(bad("{forecast: {type: noisy, mape_1h: 5}}").find("carbon.forecast.mape_1h") != std::string::npos);
  CHECK(bad("{forecast: {type: noisy, issue_every: 0}}").find("carbon.forecast.issue_every") != std::string::npos);
  CHECK(bad("{forecast: {type: perfect, mape_1h: 0.1}}").find("mape_1h") != std::string::npos);
  CHECK(bad("{forecast: {type: noisy, file: f.csv}}").find("file") != std::string::npos);
  CHECK(bad("{forecast: {type: file}}").find("carbon.forecast.file") != std::string::npos);
  CHECK(bad("{forecast: {type: file, file: f.csv, fallback: zero}}").find("carbon.forecast.fallback") !=
        std::string::npos);
  // From the raw node (as config/ keeps it): same specs, errors with the experiment's line numbers.
  YAML::Node doc = YAML::Load("carbon:\n  start: x\n  forecast:\n    type: noisy\n    mape_48h: 0.4\n");
  ForecastSpec raw = parse_forecast(doc["carbon"]["forecast"], "e.yaml");
  CHECK(raw.kind == ForecastKind::Noisy);
  CHECK(raw.mape_48h == 0.4);
  CHECK(raw.where_key == "carbon.forecast");
  CHECK(parse_forecast(YAML::Node(), "e.yaml").kind == ForecastKind::Perfect);
  CHECK(parse_forecast(doc["carbon"]["absent"], "e.yaml").kind == ForecastKind::Perfect);
  YAML::Node bad_doc = YAML::Load("carbon:\n  forecast:\n    type: noisy\n    mape_1h: 7\n");
  CHECK(error_of([&] { parse_forecast(bad_doc["carbon"]["forecast"], "e.yaml"); }) ==
        "e.yaml: line 4: key 'carbon.forecast.mape_1h': must be a fraction from 0 to 1 (0.05 = 5%), got 7");
}

TEST_CASE("timeline_min_max equals the trailing-window step function and the span scan", "[carbon][forecast]") {
  ZoneTimelines zt = gb_june();
  const Timeline& tl = zt.by_zone.at("GB");
  const double until = 30 * 24 * kH;
  TrailingMinMax w(tl, 24 * kH, until);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, until);
  for (int i = 0; i < 5000; ++i) {
    const double t = i < 200 ? i * kH : u(rng);  // on the hour (points entering/leaving) and anywhere
    REQUIRE(timeline_min_max(tl, t - 24 * kH, t, true) == w.at(t));
  }
  // The span [0, duration): the value at 0 and every point strictly inside.
  double lo = tl.at(0), hi = lo;
  for (const auto& p : tl.points())
    if (p.t > 0 && p.t < until) {
      lo = std::min(lo, p.value);
      hi = std::max(hi, p.value);
    }
  CHECK(timeline_min_max(tl, 0, until, false) == std::make_pair(lo, hi));
}
