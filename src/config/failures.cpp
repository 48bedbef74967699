#include "config/failures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/csv.hpp"
#include "core/rng.hpp"

namespace ce {

namespace {

double draw(const LifetimeDist& d, Rng& rng) {
  switch (d.kind) {
    case LifetimeDist::Exponential: return rng.exponential(1.0 / d.mean_s);
    case LifetimeDist::Weibull: return d.scale_s * std::pow(-std::log(rng.uniform_pos()), 1.0 / d.shape);
    case LifetimeDist::Lognormal: {
      // Box–Muller from two of our own uniforms (std::normal_distribution differs between libraries).
      const double z = std::sqrt(-2 * std::log(rng.uniform_pos())) * std::cos(2 * M_PI * rng.uniform());
      return d.mean_s * std::exp(d.shape * z);
    }
    case LifetimeDist::Fixed: break;
  }
  return d.mean_s;
}

// {dist: exponential, mean: 5d} | {dist: weibull, shape: 0.7, scale: 30d} |
// {dist: lognormal, median: 1h, sigma: 1} | {dist: fixed, value: 2h}
LifetimeDist parse_dist(const YamlSection& f, const std::string& key) {
  const YamlSection s = f.child(key);
  LifetimeDist d;
  const std::string kind = s.str("dist");
  if (kind == "exponential") {
    s.allow_only({"dist", "mean"});
    d.kind = LifetimeDist::Exponential;
    d.mean_s = s.quantity("mean", Unit::Duration);
    if (!(d.mean_s > 0)) s.fail("mean", "must be a duration > 0, e.g. 2h");
  } else if (kind == "weibull") {
    s.allow_only({"dist", "shape", "scale"});
    d.kind = LifetimeDist::Weibull;
    d.shape = s.num("shape");
    if (!(d.shape > 0) || !std::isfinite(d.shape)) s.fail("shape", "must be a number > 0 (k; < 1: failures cluster early)");
    d.scale_s = s.quantity("scale", Unit::Duration);
    if (!(d.scale_s > 0)) s.fail("scale", "must be a duration > 0, e.g. 30d");
  } else if (kind == "lognormal") {
    s.allow_only({"dist", "median", "sigma"});
    d.kind = LifetimeDist::Lognormal;
    d.mean_s = s.quantity("median", Unit::Duration);
    if (!(d.mean_s > 0)) s.fail("median", "must be a duration > 0, e.g. 1h");
    d.shape = s.num("sigma");
    if (!(d.shape >= 0) || d.shape > 10) s.fail("sigma", "must be a number in 0..10 (the standard deviation of the log)");
  } else if (kind == "fixed") {
    s.allow_only({"dist", "value"});
    d.kind = LifetimeDist::Fixed;
    d.mean_s = s.quantity("value", Unit::Duration);
    if (!(d.mean_s > 0)) s.fail("value", "must be a duration > 0, e.g. 30min");
  } else {
    s.fail("dist", fmt::format("must be exponential, weibull, lognormal or fixed (got '{}')", kind));
  }
  return d;
}

}  // namespace

std::vector<Outage> draw_outages(const LifetimeDist& ttf, const LifetimeDist& ttr, double duration_s, uint64_t seed,
                                 size_t max_outages) {
  Rng rng(seed);
  std::vector<Outage> out;
  double t = 0;
  while (out.size() < max_outages) {
    t += draw(ttf, rng);
    if (!(t < duration_s)) break;
    const double up = t + draw(ttr, rng);
    out.push_back({t, std::min(up, duration_s)});
    t = up;
  }
  return out;
}

std::vector<Outage> read_outage_trace(const std::string& path, double start_epoch, double duration_s) {
  CsvReader csv(path);
  std::vector<std::string> row;
  if (!csv.next(row)) csv.fail("empty file: expected a header with columns down,up (UTC date-times)");
  const auto col = [&](const char* name) {
    const auto it = std::find(row.begin(), row.end(), name);
    if (it == row.end()) csv.fail(fmt::format("no '{}' column: the header must name down and up (UTC date-times)", name));
    return static_cast<size_t>(it - row.begin());
  };
  const size_t down_col = col("down"), up_col = col("up");
  std::vector<Outage> out;
  double last_up = -std::numeric_limits<double>::infinity();
  while (csv.next(row)) {
    if (row.size() <= std::max(down_col, up_col)) csv.fail("missing the down or up field");
    const double down = csv.to_utc(row[down_col], "down"), up = csv.to_utc(row[up_col], "up");
    if (!(up > down)) csv.fail("up must be after down");
    if (down < last_up) csv.fail("outages must be sorted by down and must not overlap the previous one");
    last_up = up;
    const double a = std::max(down - start_epoch, 0.0), b = std::min(up - start_epoch, duration_s);
    if (a < duration_s && b > 0) out.push_back({a, b});
  }
  return out;
}

std::vector<uint32_t> entry_hosts(const YamlSection& e, const PlatformSpec& plat, int32_t* site) {
  if (e.has("host") == e.has("site")) e.fail("host", "give exactly one of host: NAME or site: NAME");
  if (site) *site = -1;
  if (e.has("host")) {
    const int h = plat.host_index(e.str("host"));
    if (h < 0) e.fail("host", fmt::format("unknown host '{}' (not in {})", e.str("host"), plat.file));
    return {static_cast<uint32_t>(h)};
  }
  const std::string name = e.str("site");
  int32_t s = -1;
  for (size_t k = 0; k < plat.sites.size(); ++k)
    if (plat.sites[k].name == name) s = static_cast<int32_t>(k);
  if (s < 0) e.fail("site", fmt::format("unknown site '{}' (not in {})", name, plat.file));
  std::vector<uint32_t> hosts;
  for (size_t h = 0; h < plat.site.size(); ++h)
    if (plat.site[h] == s) hosts.push_back(static_cast<uint32_t>(h));
  if (hosts.empty()) e.fail("site", fmt::format("site '{}' has no hosts", name));
  if (site) *site = s;
  return hosts;
}

std::vector<PlatformEvent> parse_failures(const YamlSection& root, Experiment& exp) {
  const PlatformSpec& plat = exp.platform;
  const double duration_s = exp.carbon.duration_s;
  std::vector<PlatformEvent> out;
  if (!root.has("failures")) return out;
  const auto entries = root.list("failures");
  for (size_t i = 0; i < entries.size(); ++i) {
    const YamlSection& f = entries[i];
    f.allow_only({"host", "site", "ttf", "ttr", "trace"});
    int32_t s = -1;
    std::vector<uint32_t> hosts = entry_hosts(f, plat, &s), links;
    if (s >= 0) {
      // The site's links go down with it: its uplink and its hosts' arms (each once).
      links.push_back(plat.sites[static_cast<size_t>(s)].uplink);
      for (uint32_t h : hosts)
        if (h < plat.arm.size() && plat.arm[h] >= 0) links.push_back(static_cast<uint32_t>(plat.arm[h]));
      std::sort(links.begin(), links.end());
      links.erase(std::unique(links.begin(), links.end()), links.end());
    }
    const size_t room = (kMaxFailureEvents - out.size()) / (2 * (hosts.size() + links.size()));
    std::vector<Outage> outages;
    if (f.has("trace")) {
      if (f.has("ttf") || f.has("ttr")) f.fail("trace", "give either trace: FILE or ttf and ttr, not both");
      const std::string path = resolve_path(f.str("trace"), f.file());
      outages = read_outage_trace(path, exp.carbon.start_epoch, duration_s);
      exp.input_files.push_back(path);
      if (outages.size() > room)
        f.fail("trace", fmt::format("more than {} failure and repair events in all", kMaxFailureEvents));
    } else {
      const LifetimeDist ttf = parse_dist(f, "ttf"), ttr = parse_dist(f, "ttr");
      // A seed domain of its own (apart from the workload's), one stream per entry: an entry's
      // outages do not change when another entry is added after it.
      const uint64_t stream_seed = derive_seed(derive_seed(exp.seed, 0x4641494C55524553ULL /* "FAILURES" */), i);
      outages = draw_outages(ttf, ttr, duration_s, stream_seed, room + 1);
      if (outages.size() > room)
        f.fail("ttf", fmt::format("the failures: entries draw more than {} failure and repair events over the run "
                                  "(carbon.duration = {} s): give a longer time to failure",
                                  kMaxFailureEvents, duration_s));
    }
    const auto add = [&](const Outage& o, uint32_t index, PlatformEvent::Kind fail, PlatformEvent::Kind repair) {
      PlatformEvent down;
      down.at_s = o.down_s;
      down.host = index;
      down.kind = fail;
      out.push_back(down);
      if (o.up_s < duration_s) {
        PlatformEvent up = down;
        up.at_s = o.up_s;
        up.kind = repair;
        out.push_back(up);
      }
    };
    for (const Outage& o : outages) {
      for (uint32_t h : hosts) add(o, h, PlatformEvent::Fail, PlatformEvent::Repair);
      for (uint32_t l : links) add(o, l, PlatformEvent::LinkFail, PlatformEvent::LinkRepair);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.at_s < b.at_s; });
  return out;
}

}  // namespace ce
