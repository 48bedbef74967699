#pragma once
// The metric registry: every metric carbonedge reports is ONE entry of one table
// (metric_registry.cpp, kBuiltinMetrics): its key in summary.json, unit, how it is aggregated,
// whether `carbonedge regress` tracks it by default, its comparison.csv column and printed-table
// column (if any), a doc line, and how to read it from RunMetrics. Everything that lists metrics
// is driven by it:
//   summary.json         every entry, by key (results_writer.cpp summary_json)
//   vs_reference         entries under vs_reference.*, from a row and the reference's row
//                        (reference_metrics.cpp add_reference_metrics)
//   comparison.csv       entries with a `column`, in registry order (write_comparison)
//   printed table        entries with a `table.header`, in registry order (comparison_table)
//   regress baselines    entries with `track` > 0 (baseline_compare.cpp default_tracked_metrics)
//   sweep results.csv    every numeric leaf of summary.json, sorted by path (sweep_results.cpp):
//                        it follows summary.json, hence the registry, without a list of its own
// Adding a metric is adding one entry (or one register_metric call at run time, as tests do).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "accounting/run_metrics.hpp"

namespace ce {

// How a metric is obtained from the run's requests, hosts and links (documentation, and the
// sanity of what may be compared across policies).
enum class Aggregation {
  Attribute,     // not a number: a label (per_host.*.zone, vs_reference.policy)
  Count,         // a number of requests, tasks or transfers
  Total,         // a sum over the run: every host and link, or every request
  PerInference,  // a total divided by requests_completed (null when nothing completed)
  Mean,          // a mean over completed requests (null when nothing completed)
  Percentile,    // a percentile over completed requests
  Max,           // a maximum over requests or the run
  Share,         // a fraction in [0, 1]
  Ratio,         // a total over another total
  VsReference,   // a difference with the experiment's reference policy, or a ratio of such
};
const char* aggregation_name(Aggregation a);

// Where an entry's values live in summary.json, from its key:
//   Run        "carbon_g", "latency_ms.p95"           one value per run
//   Host       "per_host.*.<leaf>"                    one value per host  (per_host.<name>.<leaf>)
//   Link       "per_link.*.<leaf>"                    one value per link
//   Model      "per_model.*.<leaf>"                   one value per served model variant
//   Service    "per_service.*.<leaf>"                 one value per requested name (service)
//   Reference  "vs_reference.<leaf>"                  one value per run, only with metrics.reference
enum class MetricScope { Run, Host, Link, Model, Service, Reference };
MetricScope metric_scope(const std::string& key);

// What a vs_reference entry is computed from: this policy's summary, the reference policy's
// summary (both before vs_reference is added) and the reference's label.
struct ReferenceInput {
  const nlohmann::json& row;
  const nlohmann::json& reference;
  const std::string& label;
};

// How to read an entry's value; the alternative must match the key's scope (Run, Host or Link,
// Model, Reference). A value that is NaN is written as null (nlohmann's dump).
using RunValue = std::function<nlohmann::json(const RunMetrics&)>;
using ConsumerValue = std::function<nlohmann::json(const RunMetrics&, const ConsumerMetrics&)>;
using ModelValue = std::function<nlohmann::json(const RunMetrics&, uint64_t requests)>;
using ReferenceValue = std::function<nlohmann::json(const ReferenceInput&)>;
using ServiceValue = std::function<nlohmann::json(const RunMetrics&, const ServiceMetrics&)>;
using MetricValue = std::variant<RunValue, ConsumerValue, ModelValue, ReferenceValue, ServiceValue>;

// A column of the table `carbonedge run` prints. The cell is fmt::format(format, scale × value)
// + suffix, right-aligned to `width` ("—" where the value is null); an integer value with the
// format "{}" prints as an integer. A column whose key is absent from the first row (vs_reference
// without a reference policy) is left out of the whole table.
struct TableColumn {
  std::string header;  // empty: not in the table
  int width = 0;
  std::string format = "{}";
  double scale = 1;
  std::string suffix;

  TableColumn() = default;  // not in the table
  TableColumn(std::string header_, int width_, std::string format_ = "{}", double scale_ = 1, std::string suffix_ = "")
      : header(std::move(header_)),
        width(width_),
        format(std::move(format_)),
        scale(scale_),
        suffix(std::move(suffix_)) {}
};

// `track`: 0 = regress does not track the metric by default; > 0 = tracked, the default list
// being sorted by this number, then by registry order. The built-ins carry their place in the list
// that baselines were first written with (1…19), so new baselines keep those bytes; a new metric
// takes kTracked (after them).
constexpr int kUntracked = 0;
constexpr int kTracked = 1000;

struct MetricDef {
  std::string key;    // path in summary.json ('.'-separated; '*' = one entry per host/link/model)
  std::string unit;   // "g", "J", "ms", "s", "%", "pp", "1" (a fraction), "requests", …; "" for labels
  Aggregation aggregation = Aggregation::Total;
  int track = kUntracked;
  std::string column;  // comparison.csv column; empty: not in comparison.csv (Run and Reference only)
  TableColumn table;   // printed table column (Run and Reference only)
  std::string doc;     // one line: what it means (docs/outputs.md has the long form)
  MetricValue value;
};

// Every registered metric, built-ins first, in registry order.
const std::vector<MetricDef>& metric_registry();

// Appends a metric (it then appears in summary.json, and wherever its fields ask). Throws
// std::invalid_argument when the key is taken or malformed, the column is taken, the value's kind
// does not match the key's scope, or a per-host/link/model entry asks for a column.
void register_metric(MetricDef def);
// Removes a metric registered at run time (tests); false when there is none with that key (the
// built-ins cannot be removed).
bool unregister_metric(const std::string& key);

// The value at a dotted path of a summary (no '*'), or nullptr where a segment is absent.
const nlohmann::json* find_metric(const nlohmann::json& summary, const std::string& key);

// The segments of a dotted key ("latency_ms.p95" → {"latency_ms", "p95"}).
std::vector<std::string> metric_path(const std::string& key);

}  // namespace ce
