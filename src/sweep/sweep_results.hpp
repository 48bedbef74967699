#pragma once
// Turning finished sweep points into DIR/results.csv, and the DIR/sweep.json record that makes a
// sweep resumable. Pure: reads nothing from disk, so a local run and a Slurm merge that see the
// same summaries produce the same bytes.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/csv_writer.hpp"  // csv_field
#include "sweep/sweep_spec.hpp"

namespace ce {

// Every numeric leaf of a JSON object, keyed by its '.'-joined path (latency_ms.p95,
// per_host.node-green.task_share; list items by index), valued by its text as nlohmann prints it
// (shortest text that reads back to the same double; integers as integers). Strings and booleans
// are not metrics and are skipped.
std::map<std::string, std::string> flatten_numeric(const nlohmann::json& j);

struct SweepResultRow {
  size_t point = 0;
  std::vector<std::string> swept_values;  // YAML text of each swept key, in swept_keys() order
  uint64_t seed = 0;
  std::string policy, policy_type;
  std::map<std::string, std::string> metrics;  // flatten_numeric(summary.json)
};

// One row per (point, policy) from a point's summaries (in the experiment's policy order).
std::vector<SweepResultRow> point_rows(const SweepPoint& point, const std::vector<nlohmann::json>& summaries);

// The tidy table: point, <swept keys...>, seed, policy, policy_type, <metrics, sorted; the union over
// all rows, a blank cell where a row lacks one>. Rows in the given order. The metric columns are
// summary.json's numeric leaves, so they follow the metric registry (output/metric_registry.hpp)
// with no list of their own; sorted by path, not in registry order, so that results.csv files of
// earlier sweeps keep their columns. Fields are written by core/csv_writer.hpp (RFC 4180 quoting).
std::string results_csv(const std::vector<std::string>& keys, const std::vector<SweepResultRow>& rows);

// The record of an expanded sweep, written to DIR/sweep.json: the experiment's path and SHA-256,
// the overrides given on the command line, and every point. A resume must find the same record.
nlohmann::json sweep_record(const std::string& experiment, const std::string& experiment_sha256,
                            const std::vector<std::string>& base_overrides, const std::vector<std::string>& keys,
                            const std::vector<SweepPoint>& points);
// Empty when `existing` describes the same sweep; else one line saying what differs.
std::string sweep_record_mismatch(const nlohmann::json& existing, const nlohmann::json& wanted);

}  // namespace ce
