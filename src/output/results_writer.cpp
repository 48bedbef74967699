#include "output/results_writer.hpp"

#include <fmt/format.h>

#include <iterator>

#include "core/csv.hpp"
#include "core/csv_writer.hpp"
#include "core/files.hpp"
#include "core/time_utc.hpp"
#include "output/metric_registry.hpp"
#include "output/row_file.hpp"
#include "output/verdict.hpp"

namespace ce {

using nlohmann::json;

json summary_json(const RunMetrics& m, const PolicySpec& policy) {
  json j;
  j["policy"] = policy.label;
  j["policy_type"] = policy.type;
  // The per-item objects exist even when empty (a platform without links).
  j["per_host"] = json::object();
  j["per_link"] = json::object();
  j["per_model"] = json::object();
  j["per_service"] = json::object();
  for (const MetricDef& d : metric_registry()) {
    const std::vector<std::string> path = metric_path(d.key);
    switch (metric_scope(d.key)) {
      case MetricScope::Run: {
        json* v = &j;
        for (const auto& seg : path) v = &(*v)[seg];
        *v = std::get<RunValue>(d.value)(m);
        break;
      }
      case MetricScope::Host:
      case MetricScope::Link: {
        const bool links = metric_scope(d.key) == MetricScope::Link;
        for (const auto& c : m.consumers)
          if (c.is_link == links) j[path[0]][c.name][path[2]] = std::get<ConsumerValue>(d.value)(m, c);
        break;
      }
      case MetricScope::Model:
        for (const auto& [name, count] : m.served_per_model)
          j[path[0]][name][path[2]] = std::get<ModelValue>(d.value)(m, count);
        break;
      case MetricScope::Service:
        for (const ServiceMetrics& s : m.services) j[path[0]][s.name][path[2]] = std::get<ServiceValue>(d.value)(m, s);
        break;
      case MetricScope::Reference: break;  // added across policies by add_reference_metrics
    }
  }
  return j;
}

void write_summary(const std::string& dir, const RunMetrics& m, const PolicySpec& policy) {
  json j = summary_json(m, policy);
  if (!m.warnings.empty()) j["warnings"] = m.warnings;  // only when there are: most runs have none
  write_file_atomic(dir + "/summary.json", j.dump(2) + "\n");
  // Wall-clock measurements differ between runs; they live apart from the deterministic outputs.
  // docs/outputs.md "timing.json": the first decision apart, the rest weighted by what each sample
  // stands for (run_metrics.hpp DecisionTiming); NaN (no decision timed) is written as null.
  const DecisionTiming& d = m.decision;
  json t = {{"decisions_sampled", d.sampled},
            {"decision_first_us", d.first_us},
            {"decision_mean_us", d.mean_us},
            {"decision_trimmed_mean_us", d.trimmed_mean_us},
            {"decision_p50_us", d.p50_us},
            {"decision_p99_us", d.p99_us},
            {"decision_max_us", d.max_us}};
  write_file_atomic(dir + "/timing.json", t.dump(2) + "\n");
}

TimeseriesWriter::TimeseriesWriter(const std::string& path, const PlatformSpec& platform, double start_epoch,
                                   bool gzip)
    : out_(path, gzip), start_epoch_(start_epoch) {
  for (const auto& h : platform.hosts) consumers_.push_back({csv_field(h.name), csv_field(h.region), false});
  for (const auto& l : platform.links) consumers_.push_back({csv_field(l.name), csv_field(l.region), true});
  out_.buffer() += "consumer,kind,zone,t0_s,t1_s,t0_utc,intensity_g_per_kwh,energy_j,mean_power_w,carbon_g\n";
}

void TimeseriesWriter::write(uint32_t consumer, const IntervalCarbon& iv) {
  const Consumer& c = consumers_.at(consumer);
  fmt::format_to(std::back_inserter(out_.buffer()), "{},{},{},{},{},{},{},{},{},{}\n", c.name,
                 c.is_link ? "link" : "host", c.zone, iv.t0, iv.t1, csv_field(format_utc(start_epoch_ + iv.t0)),
                 iv.intensity, iv.energy_j, iv.energy_j / (iv.t1 - iv.t0), iv.carbon_g);
  out_.row_done();
}

void TimeseriesWriter::close() { out_.close(); }

namespace {
// A comparison.csv cell: the summary's value as nlohmann prints it, or an empty cell where the
// metric is absent (no reference policy) or null (nothing completed).
std::string cell(const json& summary, const MetricDef& d) {
  const json* v = find_metric(summary, d.key);
  return !v || v->is_null() ? "" : v->dump();
}

// A number of a summary for the printed table, or "—" where it is null (nothing completed).
std::string table_cell(const json& v, const TableColumn& t) {
  if (v.is_null()) return "—";
  std::string text;
  if (v.is_number_integer() && t.format == "{}" && t.scale == 1)
    text = v.is_number_unsigned() ? fmt::format("{}", v.get<uint64_t>()) : fmt::format("{}", v.get<int64_t>());
  else
    text = fmt::format(fmt::runtime(t.format), t.scale * v.get<double>());
  return text + t.suffix;
}
}  // namespace

void write_comparison(const std::string& path, const std::vector<std::pair<PolicySpec, json>>& rows) {
  std::vector<const MetricDef*> columns;
  for (const MetricDef& d : metric_registry())
    if (!d.column.empty()) columns.push_back(&d);
  std::string s = "policy,policy_type";
  for (const MetricDef* d : columns) append_csv_field(s, d->column);
  s += "\n";
  for (const auto& [p, j] : rows) {
    s += csv_field(p.label);
    append_csv_field(s, p.type);
    for (const MetricDef* d : columns) append_csv_field(s, cell(j, *d));
    s += "\n";
  }
  write_file_atomic(path, s);
}

std::string comparison_table(const std::vector<std::pair<PolicySpec, json>>& rows) {
  // A column whose metric the first row lacks (vs_reference without a reference) is left out.
  std::vector<const MetricDef*> columns;
  for (const MetricDef& d : metric_registry())
    if (!d.table.header.empty() && (rows.empty() ? metric_scope(d.key) != MetricScope::Reference
                                                 : find_metric(rows.front().second, d.key) != nullptr))
      columns.push_back(&d);
  std::string s = fmt::format("{:<16}", "policy");
  for (const MetricDef* d : columns) s += fmt::format(" {:>{}}", d->table.header, d->table.width);
  s += "\n";
  for (const auto& [p, j] : rows) {
    s += fmt::format("{:<16}", p.label);
    for (const MetricDef* d : columns) {
      const json* v = find_metric(j, d->key);
      s += fmt::format(" {:>{}}", v ? table_cell(*v, d->table) : "—", d->table.width);
    }
    s += "\n";
  }
  // The verdict: what the columns, mostly idle power, do not show at a glance (verdict.hpp).
  if (rows.size() >= 2) {
    std::vector<VerdictPoint> points;
    for (const auto& [p, j] : rows) points.push_back(verdict_point(p.label, j));
    s += verdict_line(make_verdict(points));
  }
  return s;
}

json yaml_to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json j = json::object();
      for (auto it = n.begin(); it != n.end(); ++it) j[it->first.as<std::string>()] = yaml_to_json(it->second);
      return j;
    }
    case YAML::NodeType::Sequence: {
      json j = json::array();
      for (const auto& x : n) j.push_back(yaml_to_json(x));
      return j;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      double v;
      if (parse_double(s, v)) return v;
      if (s == "true") return true;
      if (s == "false") return false;
      return s;
    }
    default: return nullptr;
  }
}

void write_run_json(const std::string& path, const Experiment& e, const std::vector<std::string>& inputs,
                    const std::string& simgrid_version, const std::vector<std::string>& warnings) {
  json j;
  j["carbonedge_version"] = CARBONEDGE_VERSION;
  j["simgrid_version"] = simgrid_version;
  j["experiment"] = e.file;
  j["name"] = e.name;
  j["seed"] = e.seed;
  j["data_root"] = e.data_root;
  j["start_utc"] = format_utc(e.carbon.start_epoch);
  j["config"] = yaml_to_json(e.resolved);
  json files = json::array();
  for (const auto& f : inputs) files.push_back({{"path", f}, {"sha256", sha256_file(f)}});
  if (!warnings.empty()) j["warnings"] = warnings;  // e.g. a carbon-trace gap (stderr said it too)
  j["inputs"] = files;
  write_file_atomic(path, j.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

}  // namespace ce
