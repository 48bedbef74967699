#include "carbon/carbon_catalog.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <set>
#include <iostream>

#include "carbon/carbon_loaders.hpp"
#include "config/yaml_section.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/time_utc.hpp"

namespace fs = std::filesystem;

namespace ce {

// A path a user wrote may be too long or otherwise unusable: treat that as "does not exist" (the
// caller then reports the key) instead of letting std::filesystem throw (found by fuzz_experiment).
static bool exists_noexcept(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}


std::set<std::string> platform_zones(const PlatformSpec& p) {
  std::set<std::string> z;
  for (const auto& h : p.hosts) z.insert(h.region);
  for (const auto& l : p.links) z.insert(l.region);
  return z;
}

namespace {

int year_of(double epoch) { return std::stoi(format_utc(epoch).substr(0, 4)); }

std::string data_file(const std::string& root, const std::string& rel, const std::string& manifest,
                      const std::string& key) {
  fs::path p = fs::path(rel).is_absolute() ? fs::path(rel) : fs::path(root) / rel;
  if (!exists_noexcept(p))
    fail_at_key(manifest, key,
                fmt::format("data file '{}' not found under data root '{}' (set --data-root or CARBONEDGE_DATA_ROOT)",
                            rel, root));
  return p.string();
}

CarbonSeries load_from_manifest(const Experiment& e, const std::string& zone, std::vector<std::string>& files) {
  const std::string& mf = e.carbon.manifest;
  if (!exists_noexcept(mf))
    fail_at_key(e.file, "carbon.manifest", fmt::format("manifest '{}' does not exist", mf));
  YamlSection root(load_yaml_file(mf), mf, "");
  root.allow_only({"description", "zones"});
  YamlSection zones = root.child("zones");
  if (!zones.has(zone))
    fail_at_key(e.file, "carbon",
                fmt::format("zone '{}' is used by the platform but has no trace in {} and no carbon.static value", zone,
                            mf));
  YamlSection z = zones.child(zone);
  z.allow_only({"format", "column", "source", "licence", "files", "note"});
  CarbonLoadOptions opt;
  opt.format = parse_carbon_format(z.str_or("format", "auto"));
  opt.column = !e.carbon.column.empty() ? e.carbon.column : z.str_or("column", "direct");
  CarbonSeries series;
  // Without wrap, only the yearly files the run can touch are read (start year .. a week after
  // the end, room for the drain); files without a `year` are always read.
  const int first_year = year_of(e.carbon.start_epoch);
  const int last_year = year_of(e.carbon.start_epoch + e.carbon.duration_s + 7 * 86400.0);
  std::set<long> years;  // the yearly files the manifest has, for the error below
  for (const auto& f : z.list("files")) {
    f.allow_only({"path", "sha256", "year"});
    if (f.has("year")) years.insert(f.integer("year"));
    if (!e.carbon.wrap && f.has("year") && (f.integer("year") < first_year || f.integer("year") > last_year)) continue;
    std::string path = data_file(e.data_root, f.str("path"), mf, f.key_path("path"));
    if (f.has("sha256")) {
      std::string got = sha256_file(path);
      if (got != f.str("sha256"))
        std::cerr << fmt::format("warning: {}: sha256 of {} is {}, manifest says {} (data changed?)\n", mf, path, got,
                                 f.str("sha256"));
    }
    CarbonSeries part = load_carbon_csv(path, zone, opt);
    append_series(series, part, path);
    files.push_back(path);
  }
  if (series.points.empty()) {
    std::string avail;
    for (long y : years) avail += (avail.empty() ? "" : ", ") + std::to_string(y);
    // Say what there is and the two ways out, as the end-of-trace error does (carbon_series.cpp).
    fail_at_key(e.file, "carbon.start",
                fmt::format("zone '{}' has no data file for {}..{} in {} (years available: {}); move carbon.start "
                            "into them, set carbon.wrap: true to repeat the trace, or give carbon.static.{}: "
                            "<gCO2eq/kWh>",
                            zone, first_year, last_year, mf, avail.empty() ? "none" : avail, zone));
  }
  return series;
}

}  // namespace

ZoneTimelines load_zone_timelines(const Experiment& e, const std::set<std::string>& zones) {
  ZoneTimelines out;
  const double span = e.carbon.duration_s;
  const double wrap_cover = 2 * span + 86400.0;  // room for the drain after the last arrival
  for (const auto& zone : zones) {
    CarbonSeries s;
    std::string key = "carbon.traces." + zone;
    if (auto st = e.carbon.static_values.find(zone); st != e.carbon.static_values.end()) {
      s = CarbonSeries::constant(zone, st->second);
      key = "carbon.static." + zone;
    } else if (auto tr = e.carbon.traces.find(zone); tr != e.carbon.traces.end()) {
      std::string path = resolve_path(tr->second.file, e.file, e.data_root);
      if (!exists_noexcept(path)) fail_at_key(e.file, key + ".file", fmt::format("file '{}' does not exist", path));
      CarbonLoadOptions opt;
      opt.format = parse_carbon_format(tr->second.format);
      opt.column = tr->second.column;
      opt.host_id = tr->second.host_id;
      s = load_carbon_csv(path, zone, opt);
      out.files.push_back(path);
    } else {
      s = load_from_manifest(e, zone, out.files);
      key = "carbon.start";
    }
    double start = s.relative ? 0.0 : e.carbon.start_epoch;
    out.by_zone[zone] = make_timeline(s, start, span, e.carbon.wrap, wrap_cover, e.file, key);
    // Gaps the run's arrival window [start, start + duration] overlaps (every gap when the trace repeats).
    for (const auto& g : s.gaps) {
      if (!e.carbon.wrap && (g.t1 <= start || g.t0 >= start + span)) continue;
      const std::string when = s.relative ? fmt::format("t = {} s", g.t0) : format_utc(g.t0);
      out.warnings.push_back(fmt::format(
          "{}{}: zone '{}': no carbon data for {:.1f} h after {}; forward fill holds that row's value over the gap "
          "(gaps over {:.0f} h are reported)",
          g.file, g.line > 0 ? fmt::format(":{}", g.line) : std::string(), zone, (g.t1 - g.t0) / 3600, when,
          kMaxCarbonGapS / 3600));
    }
    out.source[zone] = s.source;
  }
  return out;
}

}  // namespace ce
