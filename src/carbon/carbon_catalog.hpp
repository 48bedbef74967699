#pragma once
// Resolves every carbon zone an experiment uses to a Timeline: static values from the experiment,
// per-experiment trace files, or the zone's files listed in carbon_traces/manifest.yaml under the
// data root.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "carbon/carbon_series.hpp"
#include "config/experiment.hpp"

namespace ce {

struct ZoneTimelines {
  std::map<std::string, Timeline> by_zone;
  std::map<std::string, std::string> source;  // zone -> files or "static"
  std::vector<std::string> files;             // every data file read
  // Things the run should know but that do not stop it, one line each without a "warning: "
  // prefix (prepare() prints them on stderr; run.json can record them): today, gaps of more than
  // kMaxCarbonGapS between two rows of a trace inside the run's span, which forward fill bridges.
  std::vector<std::string> warnings;
};

ZoneTimelines load_zone_timelines(const Experiment& e, const std::set<std::string>& zones);

// Zones used by the platform's hosts and links.
std::set<std::string> platform_zones(const PlatformSpec& p);

}  // namespace ce
