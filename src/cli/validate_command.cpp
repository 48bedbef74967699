// `carbonedge validate`: prepares an experiment exactly as `run` would (every file read, every key
// checked) and runs nothing. With a `sweep:` section it also expands the sweep and prepares every
// point as `carbonedge sweep` would before running any, so what validate calls OK neither `run` nor
// `sweep` rejects before simulating.
#include <fmt/format.h>

#include <iostream>
#include <set>

#include "cli/prepared.hpp"
#include "cli/run_command.hpp"
#include "config/yaml_section.hpp"
#include "core/error.hpp"
#include "sweep/sweep_spec.hpp"

namespace ce {

namespace {

std::string describe(const SweepPoint& p) {
  std::string s = fmt::format("sweep point {}:", p.index);
  for (const auto& o : p.overrides()) s += " " + o;
  return s + fmt::format(" seed={}", p.seed);
}

// Every point of the sweep section, prepared as `sweep` prepares it. A point's seed changes no check
// (it only seeds the random streams), so each distinct set of overrides is prepared once.
size_t validate_sweep(const std::string& file, const LoadOptions& opt, uint64_t base_seed) {
  YAML::Node doc = load_yaml_file(file);
  for (const auto& o : opt.overrides) apply_override(doc, o, file);
  const YAML::Node view = doc;
  if (!view["sweep"]) return 0;
  const std::vector<SweepPoint> points = expand_sweep(parse_sweep(doc, file, base_seed));
  std::set<std::vector<std::string>> done;
  for (const auto& pt : points) {
    std::vector<std::string> ov = pt.overrides();
    if (!done.insert(ov).second) continue;
    LoadOptions l = opt;
    // Only the command line's own --set values must carry units; the point's come from the file.
    l.command_line_overrides = opt.overrides.size();
    for (auto& o : ov) l.overrides.push_back(std::move(o));
    if (pt.seed <= kMaxPointSeed) l.seed = static_cast<long>(pt.seed);
    try {
      prepare(file, l);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{} ({})", e.what(), describe(pt)));
    }
  }
  return points.size();
}

}  // namespace

int validate_command(const std::string& file, const LoadOptions& opt) {
  std::unique_ptr<Prepared> p = prepare(file, opt);
  const size_t points = validate_sweep(file, opt, p->exp.seed);
  std::cout << fmt::format("{}: OK — {} hosts, {} links, {} carbon zones, {} models requested, {} policies{}\n", file,
                           p->exp.platform.hosts.size(), p->exp.platform.links.size(), p->carbon.by_zone.size(),
                           p->requested_models.size(), p->policies.size(),
                           points ? fmt::format(", {} sweep points", points) : std::string());
  return 0;
}

}  // namespace ce
