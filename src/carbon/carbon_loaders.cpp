#include "carbon/carbon_loaders.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "config/experiment.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"

namespace ce {

CarbonFormat parse_carbon_format(const std::string& name) {
  if (name == "auto") return CarbonFormat::Auto;
  if (name == "electricitymaps") return CarbonFormat::ElectricityMaps;
  if (name == "simgrid") return CarbonFormat::SimGrid;
  if (name == "generic") return CarbonFormat::Generic;
  throw InputError("unknown carbon format '" + name + "' (use auto, electricitymaps, simgrid or generic)");
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains(const std::string& h, const std::string& n) { return h.find(n) != std::string::npos; }

CarbonFormat detect(const std::vector<std::string>& header) {
  std::string joined;
  for (auto& h : header) joined += lower(h) + ",";
  if (contains(joined, "carbon intensity g")) return CarbonFormat::ElectricityMaps;
  if (contains(joined, "host_id") && contains(joined, "carbon_intensity")) return CarbonFormat::SimGrid;
  return CarbonFormat::Generic;
}

// Column indices of (time, value[, host]) for each format.
struct Columns {
  int time = -1, value = -1, host = -1;
};

Columns find_columns(CsvReader& r, const std::vector<std::string>& header, CarbonFormat fmt_, const std::string& col) {
  Columns c;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string h = lower(header[i]);
    switch (fmt_) {
      case CarbonFormat::ElectricityMaps:
        if (contains(h, "datetime")) c.time = static_cast<int>(i);
        // "Carbon Intensity gCO₂eq/kWh (direct)" or the re-saved "gCO2eq/kWh (direct)".
        if (contains(h, "carbon intensity") && contains(h, "(" + lower(col) + ")")) c.value = static_cast<int>(i);
        break;
      case CarbonFormat::SimGrid:
        if (h == "timestamp") c.time = static_cast<int>(i);
        if (h == "carbon_intensity") c.value = static_cast<int>(i);
        if (h == "host_id") c.host = static_cast<int>(i);
        break;
      default:
        if (h == "timestamp" || h == "time" || h == "datetime") c.time = static_cast<int>(i);
        if (h == "value" || h == "carbon_intensity" || h == "intensity") c.value = static_cast<int>(i);
    }
  }
  if (c.time < 0 || c.value < 0)
    r.fail(fmt_ == CarbonFormat::ElectricityMaps
               ? fmt::format("header has no 'Datetime (UTC)' column or no 'Carbon Intensity ... ({})' column "
                             "(column must be direct or lca)", col)
               : "header must name a timestamp column and a value/carbon_intensity column");
  return c;
}

}  // namespace

CarbonSeries load_carbon_csv(const std::string& path, const std::string& zone, const CarbonLoadOptions& opt) {
  CsvReader r(path);
  std::vector<std::string> f;
  if (!r.next(f)) fail_in_file(path, "file is empty (expected a header row and hourly rows)");
  CarbonFormat format = opt.format == CarbonFormat::Auto ? detect(f) : opt.format;
  Columns c = find_columns(r, f, format, opt.column);
  const size_t need = static_cast<size_t>(std::max({c.time, c.value, c.host})) + 1;

  CarbonSeries s;
  s.zone = zone;
  s.source = path;
  int kind = -1;  // 0 = numeric seconds, 1 = date-time; must not mix
  while (r.next(f)) {
    if (f.size() < need) r.fail(fmt::format("expected at least {} fields, found {}", need, f.size()));
    if (c.host >= 0 && !opt.host_id.empty() && f[static_cast<size_t>(c.host)] != opt.host_id) continue;
    const std::string& ts = f[static_cast<size_t>(c.time)];
    double t;
    int this_kind;
    if (format != CarbonFormat::ElectricityMaps && parse_double(ts, t)) {
      this_kind = 0;
    } else {
      t = r.to_utc(ts, "timestamp");
      this_kind = 1;
    }
    if (kind >= 0 && kind != this_kind) r.fail("timestamps mix plain seconds and date-times; use one kind");
    kind = this_kind;
    double v = r.to_double(f[static_cast<size_t>(c.value)], "carbon intensity");
    if (v < 0) r.fail(fmt::format("carbon intensity {} is negative (gCO2eq/kWh must be >= 0)", v));
    if (v > kMaxIntensity)
      r.fail(fmt::format("carbon intensity {} gCO2eq/kWh is above {} (no grid emits that much: a unit mistake, "
                         "g/MWh or g/MJ?)", v, kMaxIntensity));
    if (!s.points.empty() && t <= s.points.back().t)
      r.fail("timestamp is not after the previous row's (rows must be sorted with no duplicates)");
    if (!s.points.empty() && t - s.points.back().t > kMaxCarbonGapS) s.gaps.push_back({s.points.back().t, t, path, r.line()});
    s.points.push_back({t, v});
  }
  if (s.points.empty())
    fail_in_file(path, opt.host_id.empty() ? "no data rows" : "no rows for host_id '" + opt.host_id + "'");
  s.relative = kind == 0;
  const size_t n = s.points.size();
  s.end_t = s.points.back().t + (n >= 2 ? s.points[n - 1].t - s.points[n - 2].t : 3600.0);
  return s;
}

void append_series(CarbonSeries& a, const CarbonSeries& b, const std::string& b_path) {
  if (a.points.empty()) {
    a = b;
    return;
  }
  if (b.points.front().t < a.end_t)
    fail_in_file(b_path, "starts before the previous file of the same zone ends (list yearly files in order)");
  if (b.points.front().t - a.points.back().t > kMaxCarbonGapS)
    a.gaps.push_back({a.points.back().t, b.points.front().t, b_path, 0});
  a.gaps.insert(a.gaps.end(), b.gaps.begin(), b.gaps.end());
  a.points.insert(a.points.end(), b.points.begin(), b.points.end());
  a.end_t = b.end_t;
  a.source += ";" + b.source;
}

}  // namespace ce
