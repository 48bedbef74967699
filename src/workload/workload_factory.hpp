#pragma once
// Builds the request stream of an experiment from its `workload:` section (see
// docs/inputs-workload.md for every key). Unknown keys and bad values are InputErrors naming the
// experiment file and the key path ("workload.sources[1].rate").
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "workload/arrival_stream.hpp"
#include "workload/batch_job.hpp"

namespace ce {

// Bounds on a workload (docs/inputs-workload.md, "Limits"): a rate above kMaxSourceRate is an error;
// a workload expected to make more than `workload.max_requests` requests over the run (default
// kDefaultMaxRequests, at most kMaxRequestsLimit) is an error that names the largest source's rate.
constexpr double kMaxSourceRate = 1e6;        // req/s of one source (peak rate for diurnal)
constexpr double kDefaultMaxRequests = 1e8;   // expected requests of a run, unless raised
constexpr double kMaxRequestsLimit = 1e12;    // the most workload.max_requests may allow

struct WorkloadContext {
  std::string experiment_file;  // for error messages and relative trace paths
  uint64_t seed = 0;            // experiment seed; every source derives its own streams from it
  double duration_s = kNever;   // no arrival at or after this time
  std::string data_root;        // second place to look for relative trace paths
  // Name -> index resolvers. `key` is the YAML key path of the name, for the error message; a
  // resolver throws InputError on an unknown name.
  using Resolver = std::function<uint32_t(const std::string& name, const std::string& key)>;
  Resolver resolve_model;  // model (family or variant) name -> Request::model
  Resolver resolve_host;   // host name -> Request::source
  Resolver host_index;     // host name -> platform index, for hosts that run work (batch_job `hosts`)
  // Host names matching a glob pattern ('*' and '?', as in `sources: {"*-cam-*": 1}`), in platform
  // order; unset when the context knows no hosts.
  std::function<std::vector<std::string>(const std::string& pattern)> hosts_matching;
  // Used when a source names no model / source device; without them those keys are required.
  std::optional<uint32_t> default_model, default_source;
};

// `node` is the value of the experiment's `workload:` key. The result always numbers requests
// 0, 1, 2, ... If input_files is given, the trace files read are appended to it (for hashing). If
// jobs is given, it is cleared and filled with every batch job of the workload's batch_job sources
// (workload/batch_job.hpp): ids 1, 2, ... (sources in order, each source's jobs in time order),
// id − 1 = index in the vector, the ids the requests carry in Request::job.
std::unique_ptr<ArrivalStream> make_workload(const YAML::Node& node, const WorkloadContext& ctx,
                                             std::vector<std::string>* input_files = nullptr,
                                             std::vector<BatchJob>* jobs = nullptr);

// The names `type:` accepts, in the order error messages list them (the table in
// workload_factory.cpp; each type's parser is in src/workload/<type>_stream.cpp).
std::vector<std::string> workload_source_types();

// Seed of source number `index` (0-based, in the order of workload.sources): arrival times come
// from derive_seed(source_seed(seed, index), 0), the model/device/SLO draws from ..., 1).
uint64_t workload_source_seed(uint64_t experiment_seed, size_t index);

}  // namespace ce
