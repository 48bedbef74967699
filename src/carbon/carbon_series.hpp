#pragma once
// Carbon intensity of one grid zone over UTC time, piecewise constant with forward fill: the value
// of a row holds from its timestamp until the next row (the last row holds for one more step).
#include <string>
#include <vector>

namespace ce {

struct IntensityPoint {
  double t;      // seconds; epoch UTC in a CarbonSeries, simulated seconds in a Timeline
  double value;  // gCO2eq/kWh
};

// Rows further apart than this are reported (forward fill holds one value over the whole gap).
constexpr double kMaxCarbonGapS = 48 * 3600.0;

// Two consecutive rows more than kMaxCarbonGapS apart: the value at `t0` is held until `t1`.
struct CarbonGap {
  double t0 = 0, t1 = 0;  // same time base as the series' points
  std::string file;
  long line = 0;  // line of the row after the gap (0: not known, e.g. between two yearly files)
};

struct CarbonSeries {
  std::string zone;
  std::string source;  // file path or "static"
  std::vector<IntensityPoint> points;  // sorted by t, strictly increasing
  double end_t = 0;                    // coverage ends here (exclusive)
  bool is_static = false;              // one value for all time
  bool relative = false;               // t is seconds since the experiment start, not epoch UTC
  std::vector<CarbonGap> gaps;         // gaps longer than kMaxCarbonGapS, in time order

  static CarbonSeries constant(const std::string& zone, double value);
};

// The series re-based on simulated time: t = 0 is the experiment start. Covers [0, end).
class Timeline {
 public:
  Timeline() = default;
  Timeline(std::vector<IntensityPoint> points, double end, bool unbounded);
  // Value in force at simulated time t (t must be within coverage).
  double at(double t) const;
  // ∫ intensity dt over [t0, t1] in (gCO2eq/kWh)·s.
  double integral(double t0, double t1) const;
  // The same, starting the search at *hint (the interval index a caller's previous call ended in)
  // and leaving it there for the next call: callers that move forward in time pay O(1), not a
  // binary search over years of hourly points. Same result as integral(t0, t1), bit for bit.
  double integral(double t0, double t1, size_t* hint) const;
  // Interval boundaries strictly inside (0, until) at which the value may change.
  std::vector<double> change_points(double until) const;
  double end() const { return end_; }
  bool covers(double t) const { return unbounded_ || t <= end_; }
  const std::vector<IntensityPoint>& points() const { return points_; }

 private:
  size_t index_at(double t) const;
  size_t index_at(double t, size_t hint) const;
  std::vector<IntensityPoint> points_;
  double end_ = 0;
  bool unbounded_ = false;
};

// Most intensity points a wrapped timeline may lay out (a short trace repeated over a long run).
constexpr double kMaxTimelinePoints = 1e7;

// Places simulated time 0 at start_epoch. Without wrap, the series must cover
// [start_epoch, start_epoch + min_span_s]; with wrap the series repeats with its own period, and the
// timeline is laid out to cover at least wrap_cover_s.
// Throws InputError naming `where` (the experiment file and key) when coverage fails.
Timeline make_timeline(const CarbonSeries& s, double start_epoch, double min_span_s, bool wrap, double wrap_cover_s,
                       const std::string& where_file, const std::string& where_key);

}  // namespace ce
