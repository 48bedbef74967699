#pragma once
// `source_weights: FILE.csv` (docs/inputs-workload.md): the source devices of a workload source
// read from a `host,weight` table, e.g. the users hosts of a geographic platform weighted by the
// population of their cities (scripts/make_geo_platform.py writes one next to the platform).
#include <string>

#include "workload/weighted_choice.hpp"
#include "workload/workload_factory.hpp"

namespace ce {

// Reads `path` (header `host,weight`, any column order, other columns ignored): one row per host
// name or glob pattern (every matching host gets the row's weight), weight a finite number > 0.
// Hosts are resolved with ctx.resolve_host (so they count as request sources). Every bad row is an
// InputError "FILE:LINE: ...".
WeightedChoice read_source_weights(const std::string& path, const WorkloadContext& ctx);

}  // namespace ce
