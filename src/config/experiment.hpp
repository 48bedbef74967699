#pragma once
// An experiment file, resolved: platform loaded, carbon settings typed, policies listed. The
// workload section stays YAML here because workload/ owns its schema.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/platform_spec.hpp"
#include "config/replicas.hpp"

namespace ce {

struct CarbonTraceOverride {
  std::string file;  // relative to the experiment file, else to the data root
  std::string format = "auto";
  std::string column = "direct";
  std::string host_id;
};

// Bounds on what an experiment may ask for (docs/inputs.md, "Limits").
constexpr double kMaxDurationS = 100 * 365 * 86400.0;  // carbon.duration: 100 years
constexpr double kMaxIntensity = 5000;                 // gCO2eq/kWh, static values and trace rows

struct CarbonSpec {
  double start_epoch = 0;  // simulated t = 0 is this UTC instant
  double duration_s = 0;   // arrivals stop at duration; the run drains queued work after it
  bool wrap = false;       // repeat the trace when the run outlasts it
  std::string column;      // "direct" or "lca"; empty = each zone's manifest column
  std::string manifest;    // path of carbon_traces/manifest.yaml
  std::map<std::string, double> static_values;  // zone -> gCO2eq/kWh for all time
  std::map<std::string, CarbonTraceOverride> traces;
  YAML::Node forecast;  // `carbon.forecast` as written; parsed by carbon/forecast.cpp (parse_forecast) when the run is prepared
};

struct PlatformEvent {
  double at_s = 0;
  uint32_t host = 0;
  // Fail / Repair come from `failures:` (config/failures.hpp): a failed host is off at once (no
  // shutdown phase) and stays off whatever is decided until its repair. LinkFail / LinkRepair: a
  // failed site's links (its uplink and its hosts' arms) draw no power meanwhile; `host` is then
  // the link's index.
  enum Kind { Pstate, TurnOff, TurnOn, Sleep, Fail, Repair, LinkFail, LinkRepair } kind = Pstate;
  uint32_t pstate = 0;
};

struct PolicySpec {
  std::string label;  // column value in comparison.csv, directory name under OUT/
  std::string type;   // registry name (monolithic, round-robin, ...)
  YAML::Node params;  // the policy's own mapping (type and events removed)
  std::string key;    // "policies.<label>" for error messages
  // The policy's own `events:` (same syntax as the top-level list), sorted by time: applied in
  // this policy's simulation only, after the experiment's events of the same instant.
  std::vector<PlatformEvent> events;
};

struct CustomModelSpec {
  std::string name, family;
  double gmacs = 0, params = 0, input_elems = 0, output_elems = 0, top1 = 0, top5 = 0;
  std::string layer_type = "default";
};

// `families:` — a named pool of models (zoo or custom) a request can ask for, so model-selection
// policies can choose across architectures (e.g. AlexNet, VGG-16 and the ResNets).
struct FamilySpec {
  std::string name;
  std::vector<std::string> members;
  std::string key;  // key path, for errors
};

struct OutputOptions {
  bool requests_csv = true;
  bool timeseries_csv = true;
  bool stages_csv = false;  // OUT/<policy>/stages.csv: one row per executed stage and transfer
  // `format: csv.gz`: requests/stages/timeseries as .csv.gz (gzip), for runs of millions of rows.
  bool gzip = false;
  // `requests_every: k`: requests.csv (and stages.csv) keep only the requests whose id % k == 0;
  // the summary still counts every request.
  uint64_t requests_every = 1;
};

// `metrics:` — comparisons between policies of one run.
struct MetricsOptions {
  std::string reference;  // policy label the others are compared with (carbon-emission efficiency); empty: none
};

struct Experiment {
  std::string file;
  std::string name;
  uint64_t seed = 1;
  std::string data_root;
  PlatformSpec platform;
  CarbonSpec carbon;
  std::vector<CustomModelSpec> models;
  std::vector<FamilySpec> families;
  YAML::Node workload;
  std::vector<PolicySpec> policies;
  std::vector<PlatformEvent> events;
  ReplicaSection replicas;  // `replicas:` (config/replicas.hpp)
  OutputOptions output;
  MetricsOptions metrics;
  YAML::Node resolved;  // the whole document after --set overrides (for run.json)
  std::vector<std::string> input_files;  // every file read so far (experiment, platform, ...)
};

struct LoadOptions {
  std::vector<std::string> overrides;  // "key.path=value"
  std::string data_root;               // empty: $CARBONEDGE_DATA_ROOT, else the built-in default
  long seed = -1;                      // >= 0 replaces the file's seed (LONG_MAX: refused, see load_experiment)
  // The first N overrides came from the command line (--set); the rest from a sweep point, whose
  // values are written in a YAML file. Only command-line durations must carry a unit
  // (mark_command_line_value). Default: all of them.
  size_t command_line_overrides = static_cast<size_t>(-1);
};

Experiment load_experiment(const std::string& path, const LoadOptions& opt);

// Applies "a.b.c=value" to a YAML document (creating maps as needed; numeric segments index lists).
// Every mistake is a one-line InputError: a key under a single value, an index out of range, a value
// that is not YAML or breaks the limits of load_yaml_file. `platform.<key>...` is left alone when the
// document's `platform:` names a file (load_experiment applies it to that file).
// `from_command_line`: mark the value as typed on the command line (mark_command_line_value).
void apply_override(YAML::Node& root, const std::string& assignment, const std::string& file,
                    bool from_command_line = false);
std::string resolve_data_root(const std::string& cli_value);
// Resolves a path written in `file`: absolute as is, else relative to file's directory if that
// exists, else relative to `fallback_dir` (when not empty).
std::string resolve_path(const std::string& p, const std::string& file, const std::string& fallback_dir = "");
std::string share_dir();  // where platforms/, carbon_traces/ live (source tree or install prefix)

}  // namespace ce
