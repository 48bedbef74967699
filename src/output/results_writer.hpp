#pragma once
// The output contract (docs/outputs.md): OUT/run.json, OUT/comparison.csv and per policy
// OUT/<label>/{summary.json, requests.csv, timeseries.csv}. Small files are written atomically
// (temporary + rename); the per-row tables are streamed once into their final name inside the
// run's staging directory, which is what makes them atomic (row_file.hpp).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "accounting/run_metrics.hpp"
#include "config/experiment.hpp"
#include "output/row_file.hpp"

namespace ce {

// Deterministic content only: wall-clock figures (decision time) go to timing.json instead.
nlohmann::json summary_json(const RunMetrics& m, const PolicySpec& policy);
void write_summary(const std::string& dir, const RunMetrics& m, const PolicySpec& policy);
// timeseries.csv (or .csv.gz with `gzip`): one row per consumer per interval, written as the
// accountant hands each final interval over (RunAccountant's IntervalSink: ordered by t1, then
// consumer — the hosts in platform order, then the links). Keeps one 64 KiB block and each
// consumer's name, nothing per row.
class TimeseriesWriter {
 public:
  TimeseriesWriter(const std::string& path, const PlatformSpec& platform, double start_epoch, bool gzip = false);
  // `consumer`: hosts in platform order, then links (RunAccountant's numbering).
  void write(uint32_t consumer, const IntervalCarbon& iv);
  void close();

 private:
  struct Consumer {
    std::string name, zone;  // as CSV fields
    bool is_link;
  };
  RowFile out_;
  std::vector<Consumer> consumers_;
  double start_epoch_;
};
void write_comparison(const std::string& path, const std::vector<std::pair<PolicySpec, nlohmann::json>>& rows);
void write_run_json(const std::string& path, const Experiment& e, const std::vector<std::string>& inputs,
                    const std::string& simgrid_version, const std::vector<std::string>& warnings = {});
// The table `carbonedge run` prints: one row per policy, the registry's table columns, then (with
// two policies or more) the verdict line of output/verdict.hpp.
std::string comparison_table(const std::vector<std::pair<PolicySpec, nlohmann::json>>& rows);
nlohmann::json yaml_to_json(const YAML::Node& n);

}  // namespace ce
