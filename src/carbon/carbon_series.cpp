#include "carbon/carbon_series.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/error.hpp"
#include "core/time_utc.hpp"

namespace ce {

CarbonSeries CarbonSeries::constant(const std::string& zone, double value) {
  CarbonSeries s;
  s.zone = zone;
  s.source = "static";
  s.points = {{0.0, value}};
  s.is_static = true;
  return s;
}

Timeline::Timeline(std::vector<IntensityPoint> points, double end, bool unbounded)
    : points_(std::move(points)), end_(end), unbounded_(unbounded) {}

size_t Timeline::index_at(double t) const {
  // Last point with points_[i].t <= t.
  auto it = std::upper_bound(points_.begin(), points_.end(), t,
                             [](double v, const IntensityPoint& p) { return v < p.t; });
  return it == points_.begin() ? 0 : static_cast<size_t>(it - points_.begin()) - 1;
}

double Timeline::at(double t) const { return points_[index_at(t)].value; }

size_t Timeline::index_at(double t, size_t hint) const {
  if (hint < points_.size() && points_[hint].t <= t) {
    if (hint + 1 == points_.size() || t < points_[hint + 1].t) return hint;
    if (hint + 2 == points_.size() || t < points_[hint + 2].t) return hint + 1;
  }
  return index_at(t);
}

double Timeline::integral(double t0, double t1) const {
  size_t hint = index_at(t0);
  return integral(t0, t1, &hint);
}

double Timeline::integral(double t0, double t1, size_t* hint) const {
  if (t1 <= t0) return 0.0;
  double sum = 0;
  size_t i = index_at(t0, *hint);
  *hint = i;
  double a = t0;
  while (a < t1) {
    double b = (i + 1 < points_.size()) ? std::min(points_[i + 1].t, t1) : t1;
    sum += points_[i].value * (b - a);
    a = b;
    if (a < t1) *hint = ++i;
  }
  return sum;
}

std::vector<double> Timeline::change_points(double until) const {
  std::vector<double> out;
  for (size_t i = 1; i < points_.size() && points_[i].t < until; ++i)
    if (points_[i].t > 0) out.push_back(points_[i].t);
  return out;
}

Timeline make_timeline(const CarbonSeries& s, double start, double min_span, bool wrap, double wrap_cover,
                       const std::string& file, const std::string& key) {
  if (s.is_static) return Timeline({{0.0, s.points.front().value}}, 0, true);
  const double first = s.points.front().t, end = s.end_t;
  std::vector<IntensityPoint> out;
  if (!wrap) {
    if (start < first || start + min_span > end)
      fail_at_key(file, key,
                  fmt::format("the carbon trace of zone '{}' ({}) covers {} .. {} but the run needs {} .. {}; "
                              "move carbon.start/duration inside it or set carbon.wrap: true",
                              s.zone, s.source, format_utc(first), format_utc(end), format_utc(start),
                              format_utc(start + min_span)));
    auto it = std::upper_bound(s.points.begin(), s.points.end(), start,
                               [](double v, const IntensityPoint& p) { return v < p.t; });
    size_t i = static_cast<size_t>(it - s.points.begin()) - 1;
    out.push_back({0.0, s.points[i].value});
    for (++i; i < s.points.size(); ++i) out.push_back({s.points[i].t - start, s.points[i].value});
    return Timeline(std::move(out), end - start, false);
  }
  // Wrap: the series is periodic with period end - first; lay out copies from start onward.
  const double period = end - first;
  double offset = std::fmod(start - first, period);
  if (offset < 0) offset += period;
  const double target = std::max(min_span, wrap_cover);
  // Each copy of a short trace is laid out in memory: bound the total before building it.
  const double copies = std::ceil((target + offset) / period) + 1;
  if (copies * static_cast<double>(s.points.size()) > kMaxTimelinePoints)
    fail_at_key(file, key,
                fmt::format("carbon.wrap: repeating the trace of zone '{}' ({}, {} rows over {} s) over the run would "
                            "lay out {:.3g} points, more than {:.0e}; shorten carbon.duration or give a longer trace",
                            s.zone, s.source, s.points.size(), period, copies * static_cast<double>(s.points.size()),
                            kMaxTimelinePoints));
  double base = -offset;  // simulated time at which the current copy's first point sits
  while (base < target) {
    for (const auto& p : s.points) {
      double t = base + (p.t - first);
      if (t <= 0) {
        if (out.empty()) out.push_back({0.0, p.value});
        else out.back().value = p.value;
      } else if (t < target + period) {
        out.push_back({t, p.value});
      }
    }
    base += period;
  }
  return Timeline(std::move(out), base, false);
}

}  // namespace ce
