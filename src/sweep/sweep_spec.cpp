#include "sweep/sweep_spec.hpp"

#include <fmt/format.h>

#include <set>

#include "config/yaml_section.hpp"
#include "core/error.hpp"

namespace ce {

std::string yaml_flow_text(const YAML::Node& value) {
  if (value.IsScalar()) {
    // Plain text stays as written (0.25, 2023-06-01T00:00:00Z); text YAML would read differently
    // (a colon-space, a leading '[') is quoted by the emitter.
    const std::string& s = value.Scalar();
    try {
      YAML::Node back = YAML::Load(s);
      if (back.IsScalar() && back.Scalar() == s) return s;
    } catch (const YAML::Exception&) {
    }
  }
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e << value;
  return e.c_str();
}

std::vector<std::string> SweepPoint::overrides() const {
  std::vector<std::string> out;
  for (const auto& [key, value] : values) out.push_back(key + "=" + value);
  return out;
}

namespace {

// A key path `--set` can take: dot-separated, no empty segment, no '=' (it ends the key).
void check_key_path(const YamlSection& sec, const std::string& key) {
  bool ok = !key.empty() && key.front() != '.' && key.back() != '.' && key.find("..") == std::string::npos &&
            key.find_first_of("= \t") == std::string::npos;
  if (!ok) sec.fail(key, "is not a key path (write dot-separated keys, e.g. policies.green.w_C)");
  std::string head = key.substr(0, key.find('.'));
  if (head == "sweep") sec.fail(key, "a sweep cannot change the sweep section itself");
  if (head == "seed") sec.fail(key, "sweep seeds with `replicates: N` or `seeds: [...]`, not as a key");
  if (head == "name") sec.fail(key, "the experiment name names the sweep; it cannot be swept");
}

std::vector<SweepAxis> parse_axes(const YamlSection& sweep, const std::string& section, std::set<std::string>& seen) {
  std::vector<SweepAxis> axes;
  if (!sweep.has(section)) return axes;
  YamlSection sec = sweep.child(section);
  for (auto it = sec.node().begin(); it != sec.node().end(); ++it) {
    SweepAxis a;
    a.key = it->first.as<std::string>();
    check_key_path(sec, a.key);
    if (!seen.insert(a.key).second) sec.fail(a.key, "is swept twice (each key may appear once, in grid or zip)");
    const YAML::Node list = it->second;  // a copy: `*it` is a temporary, a reference would dangle
    if (!list.IsSequence()) sec.fail(a.key, "must be a list of values, e.g. [0, 0.5, 1]");
    if (list.size() == 0) sec.fail(a.key, "lists no values");
    for (const auto& v : list) {
      if (!v.IsDefined() || v.IsNull()) sec.fail(a.key, "has an empty value (~ or null); give every value");
      a.values.push_back(yaml_flow_text(v));
    }
    axes.push_back(std::move(a));
  }
  if (axes.empty()) sweep.fail(section, "is empty; list at least one key path with its values");
  return axes;
}

}  // namespace

SweepSpec parse_sweep(const YAML::Node& doc, const std::string& file, uint64_t base_seed) {
  YamlSection root(doc, file, "");
  if (!root.has("sweep"))
    fail_in_file(file, "has no `sweep:` section (give grid:, zip:, zone:, replicates: or seeds:; see docs/sweeps.md)");
  YamlSection sw = root.child("sweep");
  sw.allow_only({"grid", "zip", "zone", "replicates", "seeds"});
  SweepSpec spec;
  std::set<std::string> seen;
  // `zone: [DE, FR, NO]`: shorthand for the first grid axis `platform.region`, which puts every
  // host, site and link of the platform in that zone (one key instead of one per host).
  if (sw.has("zone")) {
    const YAML::Node list = sw.raw("zone");
    if (!list.IsSequence() || list.size() == 0) sw.fail("zone", "must be a non-empty list of carbon zones, e.g. [DE, FR]");
    SweepAxis a{kZoneSweepKey, {}};
    for (const auto& v : list) {
      if (!v.IsScalar() || v.Scalar().empty()) sw.fail("zone", "entries must be zone ids, e.g. [DE, FR]");
      a.values.push_back(yaml_flow_text(v));
    }
    seen.insert(a.key);
    spec.grid.push_back(std::move(a));
  }
  for (auto& a : parse_axes(sw, "grid", seen)) spec.grid.push_back(std::move(a));
  spec.zip = parse_axes(sw, "zip", seen);
  for (const auto& a : spec.zip)
    if (a.values.size() != spec.zip.front().values.size())
      sw.child("zip").fail(a.key, fmt::format("has {} values but '{}' has {}; zipped lists advance together and "
                                              "must have the same length",
                                              a.values.size(), spec.zip.front().key, spec.zip.front().values.size()));
  if (sw.has("replicates") && sw.has("seeds")) sw.fail("seeds", "give either replicates: N or seeds: [...], not both");
  if (sw.has("replicates")) {
    const long n = sw.integer_in("replicates", 1, static_cast<long>(kMaxSweepPoints));
    if (base_seed > kMaxPointSeed || static_cast<uint64_t>(n - 1) > kMaxPointSeed - base_seed)
      sw.fail("replicates", fmt::format("{} seeds from {} on go past the largest seed a point can take ({})", n,
                                        base_seed, kMaxPointSeed));
    for (long r = 0; r < n; ++r) spec.seeds.push_back(base_seed + static_cast<uint64_t>(r));
  } else if (sw.has("seeds")) {
    const YAML::Node list = sw.raw("seeds");
    if (!list.IsSequence() || list.size() == 0)
      sw.fail("seeds", "must be a non-empty list of integers, e.g. [1, 7, 9]");
    if (list.size() > kMaxSweepPoints) sw.fail("seeds", fmt::format("lists more than {} seeds", kMaxSweepPoints));
    std::set<uint64_t> distinct;
    for (const auto& v : list) {
      const std::string s = v.IsScalar() ? v.Scalar() : "";
      bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 19;
      if (!digits) sw.fail("seeds", fmt::format("'{}' is not an integer >= 0", s.empty() ? yaml_flow_text(v) : s));
      uint64_t seed = std::stoull(s);
      if (!distinct.insert(seed).second) sw.fail("seeds", fmt::format("seed {} is listed twice", seed));
      spec.seeds.push_back(seed);
    }
  } else {
    spec.seeds.push_back(base_seed);
  }
  if (spec.grid.empty() && spec.zip.empty() && !sw.has("replicates") && !sw.has("seeds"))
    root.fail("sweep", "is empty; give grid:, zip:, zone:, replicates: or seeds:");
  // grid × zip × seeds, in floating point so that no product can overflow before the check.
  double points = static_cast<double>(spec.seeds.size());
  for (const auto& a : spec.grid) points *= static_cast<double>(a.values.size());
  if (!spec.zip.empty()) points *= static_cast<double>(spec.zip.front().values.size());
  if (points > static_cast<double>(kMaxSweepPoints))
    root.fail("sweep", fmt::format("expands to {:.4g} points (grid x zip x seeds), more than the limit of {}; "
                                   "sweep fewer values or split the sweep into several files",
                                   points, kMaxSweepPoints));
  return spec;
}

std::vector<SweepPoint> expand_sweep(const SweepSpec& spec) {
  size_t grid_n = 1;
  for (const auto& a : spec.grid) grid_n *= a.values.size();
  const size_t zip_n = spec.zip.empty() ? 1 : spec.zip.front().values.size();
  std::vector<SweepPoint> points;
  points.reserve(grid_n * zip_n * spec.seeds.size());
  for (size_t g = 0; g < grid_n; ++g) {
    // Decode g as a mixed-radix number whose last digit is the last grid key (fastest).
    std::vector<size_t> digit(spec.grid.size());
    size_t rest = g;
    for (size_t k = spec.grid.size(); k > 0; --k) {  // (not `k-- > 0`: its last test wraps below 0)
      digit[k - 1] = rest % spec.grid[k - 1].values.size();
      rest /= spec.grid[k - 1].values.size();
    }
    for (size_t z = 0; z < zip_n; ++z)
      for (uint64_t seed : spec.seeds) {
        SweepPoint p;
        p.index = points.size();
        p.seed = seed;
        for (size_t k = 0; k < spec.grid.size(); ++k)
          p.values.emplace_back(spec.grid[k].key, spec.grid[k].values[digit[k]]);
        for (const auto& a : spec.zip) p.values.emplace_back(a.key, a.values[z]);
        points.push_back(std::move(p));
      }
  }
  return points;
}

std::vector<std::string> swept_keys(const SweepSpec& spec) {
  std::vector<std::string> keys;
  for (const auto& a : spec.grid) keys.push_back(a.key);
  for (const auto& a : spec.zip) keys.push_back(a.key);
  return keys;
}

std::string point_dir_name(size_t index, size_t total) {
  size_t width = 4;
  for (size_t n = total > 0 ? total - 1 : 0; n >= 10000; n /= 10) ++width;
  return fmt::format("{:0{}}", index, width);
}

}  // namespace ce
