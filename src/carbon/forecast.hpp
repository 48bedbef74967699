#pragma once
// Forecasts of carbon intensity per zone (docs/inputs.md "Forecasts"). A Forecaster answers "what
// was the intensity of zone Z at simulated time `target` expected to be, by a forecast consulted at
// time `issued`?" for the zones of a run (ZoneTimelines). Policies read it through
// ClusterView::forecast, never from files. Kinds:
//   perfect      the trace itself (the zone's Timeline)
//   persistence  the value at the same time of day on the last day observed at `issued`:
//                trace(target − k·24 h), k = max(1, ⌈(target − issued) / 24 h⌉) (k = 1, "yesterday",
//                for leads up to 24 h); before the trace's start its first value
//   noisy        trace(target) · max(0, 1 + e), e Gaussian with a mean absolute value growing with
//                the lead time (MAPE mape_1h at 1 h → mape_48h at 48 h, linear, capped beyond),
//                AR(1)-correlated along the lead hours of one issue; counter-based (seeded hash of
//                seed, zone, issue, lead hour): the same query gives the same value in any order
//   file         issued forecasts read from a CSV (issued,target,zone,value)
// Every kind returns the trace for a target at or before `issued`: the past is observed, not
// forecast. Times are simulated seconds (t = 0 is carbon.start).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "carbon/carbon_catalog.hpp"
#include "config/yaml_section.hpp"

namespace ce {

enum class ForecastKind { Perfect, Persistence, Noisy, File };

// What to answer for a target that an issue of a forecast file does not cover.
enum class ForecastFallback { Error, Perfect, Persistence };

// The `carbon.forecast` section. Defaults: a perfect forecast.
struct ForecastSpec {
  ForecastKind kind = ForecastKind::Perfect;
  // noisy
  double mape_1h = 0.05;        // mean absolute percentage error (a fraction) at a lead of 1 h
  double mape_48h = 0.25;       // ... at 48 h; linear in between, constant beyond
  double correlation = 0.9;     // AR(1) coefficient between the errors of consecutive lead hours
  double issue_every_s = 3600;  // a new forecast every this often, from t = 0
  bool has_seed = false;        // `seed:` given; else the experiment seed is used (stream "FORECAST")
  uint64_t seed = 0;
  // file
  std::string file;  // as written; resolved against `where_file`'s directory, then the data root
  ForecastFallback fallback = ForecastFallback::Error;
  // Where the section was written, for errors and path resolution.
  std::string where_file;
  std::string where_key = "carbon.forecast";
};

const char* forecast_kind_name(ForecastKind k);  // "perfect", "persistence", "noisy", "file"

// Reads `carbon.forecast` from the carbon section (absent: the default spec, perfect). Accepts a
// mapping {type: ..., keys} or a bare kind name (`forecast: persistence`). Errors name the key.
ForecastSpec parse_forecast(const YamlSection& carbon_section);
// The same from the `carbon.forecast` node as written (null or undefined: the default), e.g. kept
// raw by config/ (which may not include carbon/) and parsed when the run is prepared. `file`: the
// experiment, for errors ("FILE: line N: key 'carbon.forecast.x': ...") and relative paths.
ForecastSpec parse_forecast(const YAML::Node& forecast, const std::string& file);

class Forecaster {
 public:
  virtual ~Forecaster() = default;
  Forecaster(const Forecaster&) = delete;
  Forecaster& operator=(const Forecaster&) = delete;

  // The zones it knows, sorted by name (the ZoneTimelines' zones).
  const std::vector<std::string>& zones() const { return zones_; }
  // Index of a zone in zones(); std::out_of_range for a zone the run does not have.
  size_t zone_index(const std::string& zone) const;

  // Forecast intensity (gCO2eq/kWh, ≥ 0) of `zone` at simulated time target_t, as known at
  // issued_t. target_t ≤ issued_t: the trace (observed). May throw InputError (file kind, a target
  // its issues do not cover, with fallback: error).
  double at(size_t zone, double issued_t, double target_t) const;
  double at(const std::string& zone, double issued_t, double target_t) const;
  // at(zone, issued_t, issued_t + k·1 h) for k = 1 .. ⌊horizon_s / 1 h⌋.
  std::vector<double> hourly(size_t zone, double issued_t, double horizon_s) const;
  std::vector<double> hourly(const std::string& zone, double issued_t, double horizon_s) const;

  // The zone's actual intensity (its Timeline). Reading it before `now` is observation; reading it
  // after `now` is perfect foresight (what `perfect` forecasts).
  const Timeline& trace(size_t zone) const { return *traces_[zone]; }
  const Timeline& trace(const std::string& zone) const { return *traces_[zone_index(zone)]; }

  // Empty, or what a forecast file with `fallback: error` lacks over the run's span [from, to) for
  // a zone (its first issue after `from`, or no issue reaching `to`): a run that would fail part-way
  // is refused before it starts. The other kinds cover any span.
  virtual std::string uncovered(double /*from*/, double /*to*/) const { return ""; }

  ForecastKind kind() const { return kind_; }
  // Input files read (the forecast CSV), for run.json.
  const std::vector<std::string>& files() const { return files_; }

 protected:
  Forecaster(ForecastKind kind, const ZoneTimelines& zt);
  // target_t > issued_t.
  virtual double forecast(size_t zone, double issued_t, double target_t) const = 0;
  std::vector<std::string> files_;

 private:
  ForecastKind kind_;
  std::vector<std::string> zones_;
  std::vector<const Timeline*> traces_;
};

// Builds the forecaster of a run. `zt` must outlive it. `seed`: the experiment seed (noisy; a
// `seed:` in the spec wins); `start_epoch`: carbon.start (UTC times of a forecast file);
// `data_root`: where a relative forecast file is looked for when it is not next to the experiment.
// A forecast file is read here, once: bad rows fail with "FILE:LINE: ..." (InputError).
std::unique_ptr<Forecaster> make_forecaster(const ForecastSpec& spec, const ZoneTimelines& zt, uint64_t seed,
                                            double start_epoch, const std::string& data_root = "");

// The MAPE (a fraction) the noisy forecaster is built to have at lead hour k ≥ 1 (leads in
// ((k − 1) h, k h]): mape_1h + (mape_48h − mape_1h)·(min(k, 48) − 1)/47.
double noisy_mape(const ForecastSpec& spec, int64_t lead_hour);

// Min and max of a timeline's step function over [t0, t1] (include_t1) or [t0, t1): the value in
// force at t0 (the first value before the first point) and every point inside. Used for the
// windows of intensity-adaptive (its trailing window and the run's span).
std::pair<double, double> timeline_min_max(const Timeline& tl, double t0, double t1, bool include_t1);

}  // namespace ce
