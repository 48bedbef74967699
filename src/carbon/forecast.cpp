#include "carbon/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>
#include <tuple>

#include "config/experiment.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/time_utc.hpp"

namespace ce {

namespace {

constexpr double kHour = 3600.0;
constexpr double kDay = 24 * kHour;
constexpr int64_t kCapLeadHour = 48;             // the MAPE stays at mape_48h beyond 48 h
constexpr int64_t kMaxLeadHour = 366 * 24;       // leads beyond a year get the error of a year's lead
constexpr double kPi = 3.14159265358979323846;
constexpr uint64_t kForecastStream = 0x464F524543415354ULL;  // "FORECAST"

ForecastKind parse_kind(const YamlSection& s, const std::string& key, const std::string& name) {
  if (name == "perfect") return ForecastKind::Perfect;
  if (name == "persistence") return ForecastKind::Persistence;
  if (name == "noisy") return ForecastKind::Noisy;
  if (name == "file") return ForecastKind::File;
  s.fail(key, fmt::format("'{}' is not a forecast type (perfect, persistence, noisy or file)", name));
}

// FNV-1a: the zone's name, not its index, seeds its noise, so adding a zone to a platform leaves
// the other zones' forecasts unchanged.
CE_INTENDED_WRAPAROUND uint64_t name_hash(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

// trace(target − k·24 h), k = max(1, ⌈lead / 24 h⌉): the same time of day on the last day already
// observed at `issued` (Timeline::at before the first point gives the first value).
double persistence_value(const Timeline& tl, double issued, double target) {
  const double k = std::max(1.0, std::ceil((target - issued) / kDay));
  return tl.at(target - k * kDay);
}

class PerfectForecaster : public Forecaster {
 public:
  explicit PerfectForecaster(const ZoneTimelines& zt) : Forecaster(ForecastKind::Perfect, zt) {}

 protected:
  double forecast(size_t z, double, double target) const override { return trace(z).at(target); }
};

class PersistenceForecaster : public Forecaster {
 public:
  explicit PersistenceForecaster(const ZoneTimelines& zt) : Forecaster(ForecastKind::Persistence, zt) {}

 protected:
  double forecast(size_t z, double issued, double target) const override {
    return persistence_value(trace(z), issued, target);
  }
};

// value = trace(target) · max(0, 1 + σ_k z_k): issue n = ⌊issued / issue_every⌋ (issued at
// n·issue_every), lead hour k = ⌈(target − n·issue_every) / 1 h⌉, σ_k = noisy_mape(k)·√(π/2) (a
// Gaussian with that mean absolute value), z_1 = g_1, z_k = ρ z_{k−1} + √(1 − ρ²) g_k (stationary
// N(0,1)), g_k = Box–Muller of two uniforms from splitmix64(seed, zone name, n, k). The z_k of one
// (zone, issue) are memoised; they are a pure function of those, so call order cannot matter.
class NoisyForecaster : public Forecaster {
 public:
  NoisyForecaster(const ZoneTimelines& zt, const ForecastSpec& spec, uint64_t seed)
      : Forecaster(ForecastKind::Noisy, zt), spec_(spec), seed_(seed), memo_(zones().size()) {
    for (const auto& z : zones()) zone_seed_.push_back(derive_seed(seed_, name_hash(z)));
    const double rho = spec.correlation;
    innov_ = std::sqrt(std::max(0.0, 1.0 - rho * rho));
  }

 protected:
  double forecast(size_t z, double issued, double target) const override {
    const double every = spec_.issue_every_s;
    // Clamped before the conversions (a double out of int64's range would be undefined behaviour).
    const double nd = std::clamp(std::floor(issued / every), -0x1.0p53, 0x1.0p53);
    const int64_t n = static_cast<int64_t>(nd);
    const double lead = target - nd * every;  // > 0: target > issued ≥ n·every
    const double kd = std::clamp(std::ceil(lead / kHour), 1.0, static_cast<double>(kMaxLeadHour));
    const int64_t k = static_cast<int64_t>(kd);
    const double sigma = noisy_mape(spec_, k) * std::sqrt(kPi / 2);
    const double e = sigma * z_at(z, n, k);
    return trace(z).at(target) * std::max(0.0, 1.0 + e);
  }

 private:
  double gauss(size_t z, int64_t n, int64_t k) const {
    const uint64_t h = derive_seed(derive_seed(zone_seed_[z], static_cast<uint64_t>(n)), static_cast<uint64_t>(k));
    const double u1 = static_cast<double>((h >> 11) + 1) * 0x1.0p-53;  // (0, 1]
    const double u2 = static_cast<double>(derive_seed(h, 0) >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * kPi * u2);
  }

  double z_at(size_t z, int64_t n, int64_t k) const {
    Memo& m = memo_[z];
    if (m.z.empty() || m.issue != n) {
      m.issue = n;
      m.z.assign(1, gauss(z, n, 1));
    }
    while (static_cast<int64_t>(m.z.size()) < k) {
      const int64_t j = static_cast<int64_t>(m.z.size()) + 1;
      m.z.push_back(spec_.correlation * m.z.back() + innov_ * gauss(z, n, j));
    }
    return m.z[static_cast<size_t>(k - 1)];
  }

  struct Memo {
    int64_t issue = 0;
    std::vector<double> z;  // z[k − 1]
  };
  ForecastSpec spec_;
  uint64_t seed_;
  double innov_ = 0;
  std::vector<uint64_t> zone_seed_;
  mutable std::vector<Memo> memo_;
};

// One issue of a forecast file: its targets (sorted) and values, forward-filled until `end`.
struct FileIssue {
  double t = 0;
  std::vector<double> target, value;
  double end = 0;
};

class FileForecaster : public Forecaster {
 public:
  FileForecaster(const ZoneTimelines& zt, const ForecastSpec& spec, const std::string& path, double start_epoch)
      : Forecaster(ForecastKind::File, zt), spec_(spec), path_(path), start_epoch_(start_epoch) {
    files_.push_back(path);
    load();
  }

  std::string uncovered(double from, double to) const override {
    if (spec_.fallback != ForecastFallback::Error) return "";
    for (size_t z = 0; z < issues_.size(); ++z) {
      const auto& v = issues_[z];
      const std::string fix = fmt::format("; add rows or set {}.fallback: perfect or persistence", spec_.where_key);
      if (v.empty()) return fmt::format("no forecast rows for zone '{}', which the run uses{}", zones()[z], fix);
      if (v.front().t > from)
        return fmt::format("zone '{}': the first issue is {}, after the run's start {}{}", zones()[z],
                           utc(v.front().t), utc(from), fix);
      double reach = v.front().end;
      for (const auto& is : v) reach = std::max(reach, is.end);
      if (reach < to)
        return fmt::format("zone '{}': the issues forecast only until {}, but the run lasts until {} (its duration "
                           "plus the longest workload deadline){}",
                           zones()[z], utc(reach), utc(to), fix);
    }
    return "";
  }

 protected:
  double forecast(size_t z, double issued, double target) const override {
    const auto& v = issues_[z];
    auto it = std::upper_bound(v.begin(), v.end(), issued, [](double x, const FileIssue& i) { return x < i.t; });
    if (it != v.begin()) {
      const FileIssue& is = *std::prev(it);
      if (target >= is.target.front() && target < is.end) {
        auto pos = std::upper_bound(is.target.begin(), is.target.end(), target);
        return is.value[static_cast<size_t>(pos - is.target.begin()) - 1];
      }
    }
    switch (spec_.fallback) {
      case ForecastFallback::Perfect: return trace(z).at(target);
      case ForecastFallback::Persistence: return persistence_value(trace(z), issued, target);
      case ForecastFallback::Error: break;
    }
    std::string why;
    if (v.empty()) why = "the file has no rows for this zone";
    else if (it == v.begin()) why = fmt::format("its first issue for this zone is {}", utc(v.front().t));
    else
      why = fmt::format("the latest issue, {}, covers {} .. {}", utc(std::prev(it)->t),
                        utc(std::prev(it)->target.front()), utc(std::prev(it)->end));
    fail_in_file(path_, fmt::format("no forecast of zone '{}' for {} issued at or before {} ({}); add rows or set "
                                    "{}.fallback: perfect or persistence",
                                    zones()[z], utc(target), utc(issued), why, spec_.where_key));
  }

 private:
  std::string utc(double t) const { return format_utc(start_epoch_ + t); }

  static std::string lower_trim(std::string s) {
    const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }

  void load() {
    CsvReader r(path_);
    std::vector<std::string> f;
    if (!r.next(f)) fail_in_file(path_, "file is empty (expected the header issued,target,zone,value)");
    int col[4] = {-1, -1, -1, -1};
    const char* names[4] = {"issued", "target", "zone", "value"};
    for (size_t i = 0; i < f.size(); ++i)
      for (int c = 0; c < 4; ++c)
        if (lower_trim(f[i]) == names[c]) col[c] = static_cast<int>(i);
    if (*std::min_element(col, col + 4) < 0)
      r.fail("the header must name the columns issued, target, zone and value (any order; other columns are "
             "ignored)");
    const size_t need = static_cast<size_t>(*std::max_element(col, col + 4)) + 1;
    struct Row {
      size_t zone;
      double issued, target, value;
      long line;
    };
    std::vector<Row> rows;
    int kind = -1;  // 0: seconds since carbon.start, 1: UTC date-times; a file must not mix them
    auto when = [&](const std::string& text, const char* column) {
      double t;
      int k = 0;
      if (!parse_double(text, t)) {
        t = r.to_utc(text, column) - start_epoch_;
        k = 1;
      }
      if (kind >= 0 && k != kind) r.fail("times mix plain seconds and UTC date-times; use one kind");
      kind = k;
      return t;
    };
    size_t n_rows = 0;
    while (r.next(f)) {
      ++n_rows;
      if (f.size() < need) r.fail(fmt::format("expected at least {} fields, found {}", need, f.size()));
      const double issued = when(f[static_cast<size_t>(col[0])], "issued");
      const double target = when(f[static_cast<size_t>(col[1])], "target");
      const std::string zone = f[static_cast<size_t>(col[2])];
      const double v = r.to_double(f[static_cast<size_t>(col[3])], "value");
      if (v < 0) r.fail(fmt::format("value {} is negative (gCO2eq/kWh must be >= 0)", v));
      if (v > kMaxIntensity)
        r.fail(fmt::format("value {} gCO2eq/kWh is above {} (no grid emits that much: a unit mistake, g/MWh or "
                           "g/MJ?)", v, kMaxIntensity));
      if (target < issued) r.fail("target is before issued (a forecast is issued before the time it is for)");
      auto z = std::lower_bound(zones().begin(), zones().end(), zone);
      if (z == zones().end() || *z != zone) continue;  // a zone this run does not use
      rows.push_back({static_cast<size_t>(z - zones().begin()), issued, target, v, r.line()});
    }
    if (n_rows == 0) fail_in_file(path_, "no data rows (expected issued,target,zone,value rows after the header)");
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.zone, a.issued, a.target, a.line) < std::tie(b.zone, b.issued, b.target, b.line);
    });
    issues_.resize(zones().size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      if (i > 0 && rows[i - 1].zone == row.zone && rows[i - 1].issued == row.issued &&
          rows[i - 1].target == row.target)
        fail_at_line(path_, row.line,
                     fmt::format("a second row for zone '{}' issued {} with target {} (the first is line {})",
                                 zones()[row.zone], utc(row.issued), utc(row.target), rows[i - 1].line));
      auto& v = issues_[row.zone];
      if (v.empty() || v.back().t != row.issued) v.push_back({row.issued, {}, {}, 0});
      v.back().target.push_back(row.target);
      v.back().value.push_back(row.value);
    }
    // Like a trace's last row, an issue's last target holds for one more step (1 h when alone).
    for (auto& v : issues_)
      for (auto& is : v) {
        const size_t m = is.target.size();
        is.end = is.target.back() + (m >= 2 ? is.target[m - 1] - is.target[m - 2] : kHour);
      }
  }

  ForecastSpec spec_;
  std::string path_;
  double start_epoch_;
  std::vector<std::vector<FileIssue>> issues_;  // per zone, by issue time
};

}  // namespace

const char* forecast_kind_name(ForecastKind k) {
  switch (k) {
    case ForecastKind::Perfect: return "perfect";
    case ForecastKind::Persistence: return "persistence";
    case ForecastKind::Noisy: return "noisy";
    case ForecastKind::File: return "file";
  }
  return "?";
}

ForecastSpec parse_forecast(const YamlSection& c) {
  ForecastSpec s;
  s.where_file = c.file();
  s.where_key = c.key_path("forecast");
  if (!c.has("forecast")) return s;
  if (c.raw("forecast").IsScalar()) {  // `forecast: persistence`
    s.kind = parse_kind(c, "forecast", c.str("forecast"));
    if (s.kind == ForecastKind::File) c.fail("forecast", "type file needs a file: write {type: file, file: PATH}");
    return s;
  }
  const YamlSection f = c.child("forecast");
  s.kind = parse_kind(f, "type", f.str_or("type", "perfect"));
  const bool noisy = s.kind == ForecastKind::Noisy, file = s.kind == ForecastKind::File;
  // Keys of another type are errors, not silently ignored.
  f.allow_only({"type", noisy ? "mape_1h" : "", noisy ? "mape_48h" : "", noisy ? "correlation" : "",
                noisy ? "issue_every" : "", noisy ? "seed" : "", file ? "file" : "", file ? "fallback" : ""});
  if (noisy) {
    auto fraction = [&](const char* key, double def) {
      const double v = f.num_or(key, def);
      if (!(v >= 0 && v <= 1)) f.fail(key, fmt::format("must be a fraction from 0 to 1 (0.05 = 5%), got {}", v));
      return v;
    };
    s.mape_1h = fraction("mape_1h", s.mape_1h);
    s.mape_48h = fraction("mape_48h", s.mape_48h);
    s.correlation = fraction("correlation", s.correlation);
    s.issue_every_s = f.quantity_or("issue_every", Unit::Duration, s.issue_every_s);
    if (!(s.issue_every_s > 0)) f.fail("issue_every", "must be a positive duration such as 1h");
    s.has_seed = f.has("seed");
    s.seed = f.uint64_or("seed", 0);
  }
  if (file) {
    s.file = f.str("file");
    const std::string fb = f.str_or("fallback", "error");
    if (fb == "error") s.fallback = ForecastFallback::Error;
    else if (fb == "perfect") s.fallback = ForecastFallback::Perfect;
    else if (fb == "persistence") s.fallback = ForecastFallback::Persistence;
    else f.fail("fallback", fmt::format("'{}' is not error, perfect or persistence", fb));
  }
  return s;
}

ForecastSpec parse_forecast(const YAML::Node& forecast, const std::string& file) {
  YAML::Node carbon(YAML::NodeType::Map);
  if (forecast.IsDefined() && !forecast.IsNull()) carbon["forecast"] = forecast;  // shares the node and its marks
  return parse_forecast(YamlSection(carbon, file, "carbon"));
}

double noisy_mape(const ForecastSpec& spec, int64_t lead_hour) {
  const double k = static_cast<double>(std::clamp(lead_hour, int64_t{1}, kCapLeadHour));
  return spec.mape_1h + (spec.mape_48h - spec.mape_1h) * (k - 1) / static_cast<double>(kCapLeadHour - 1);
}

Forecaster::Forecaster(ForecastKind kind, const ZoneTimelines& zt) : kind_(kind) {
  for (const auto& [zone, tl] : zt.by_zone) {  // a std::map: sorted by name
    zones_.push_back(zone);
    traces_.push_back(&tl);
  }
}

size_t Forecaster::zone_index(const std::string& zone) const {
  auto it = std::lower_bound(zones_.begin(), zones_.end(), zone);
  if (it == zones_.end() || *it != zone) throw std::out_of_range("forecast: the run has no carbon zone '" + zone + "'");
  return static_cast<size_t>(it - zones_.begin());
}

double Forecaster::at(size_t zone, double issued_t, double target_t) const {
  if (!(target_t > issued_t)) return traces_[zone]->at(target_t);  // observed
  return forecast(zone, issued_t, target_t);
}

double Forecaster::at(const std::string& zone, double issued_t, double target_t) const {
  return at(zone_index(zone), issued_t, target_t);
}

std::vector<double> Forecaster::hourly(size_t zone, double issued_t, double horizon_s) const {
  std::vector<double> out;
  const double n = std::floor(horizon_s / kHour);
  for (double k = 1; k <= n; ++k) out.push_back(at(zone, issued_t, issued_t + k * kHour));
  return out;
}

std::vector<double> Forecaster::hourly(const std::string& zone, double issued_t, double horizon_s) const {
  return hourly(zone_index(zone), issued_t, horizon_s);
}

std::unique_ptr<Forecaster> make_forecaster(const ForecastSpec& spec, const ZoneTimelines& zt, uint64_t seed,
                                            double start_epoch, const std::string& data_root) {
  switch (spec.kind) {
    case ForecastKind::Perfect: return std::make_unique<PerfectForecaster>(zt);
    case ForecastKind::Persistence: return std::make_unique<PersistenceForecaster>(zt);
    case ForecastKind::Noisy:
      return std::make_unique<NoisyForecaster>(zt, spec, spec.has_seed ? spec.seed : derive_seed(seed, kForecastStream));
    case ForecastKind::File: {
      const std::string path = resolve_path(spec.file, spec.where_file, data_root);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec))
        fail_at_key(spec.where_file, spec.where_key + ".file", fmt::format("file '{}' does not exist", path));
      return std::make_unique<FileForecaster>(zt, spec, path, start_epoch);
    }
  }
  throw std::logic_error("make_forecaster: unknown kind");
}

std::pair<double, double> timeline_min_max(const Timeline& tl, double t0, double t1, bool include_t1) {
  const auto& pts = tl.points();
  if (pts.empty()) return {std::nan(""), std::nan("")};
  auto it = std::upper_bound(pts.begin(), pts.end(), t0, [](double x, const IntensityPoint& p) { return x < p.t; });
  double lo = it == pts.begin() ? pts.front().value : std::prev(it)->value, hi = lo;
  for (; it != pts.end() && (it->t < t1 || (include_t1 && it->t == t1)); ++it) {
    lo = std::min(lo, it->value);
    hi = std::max(hi, it->value);
  }
  return {lo, hi};
}

}  // namespace ce
