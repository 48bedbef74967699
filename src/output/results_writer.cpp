#include "output/results_writer.hpp"

#include <fmt/format.h>


#include "core/csv.hpp"
#include "core/files.hpp"
#include "core/time_utc.hpp"

namespace ce {

using nlohmann::json;

json summary_json(const RunMetrics& m, const PolicySpec& policy) {
  json j;
  j["policy"] = policy.label;
  j["policy_type"] = policy.type;
  j["span_s"] = m.span_s;
  j["requests_arrived"] = m.arrived;
  j["requests_completed"] = m.completed;
  j["requests_rejected"] = m.rejected;
  j["requests_failed"] = m.failed;
  j["energy_j"] = m.energy_j;
  j["carbon_g"] = m.carbon_g;
  j["idle_energy_j"] = m.idle_energy_j;
  j["idle_carbon_g"] = m.idle_carbon_g;
  j["dynamic_energy_j"] = m.dynamic_energy_j;
  j["dynamic_carbon_g"] = m.dynamic_carbon_g;
  j["dynamic_gco2_per_inference"] = m.dynamic_gco2_per_inference;
  j["idle_share_per_request_j"] = m.idle_share_j;
  j["idle_share_per_request_g"] = m.idle_share_g;
  j["embodied_carbon_g"] = m.embodied_g;
  j["gco2_per_inference"] = m.gco2_per_inference;
  j["inferences_per_gco2"] = m.inferences_per_gco2;
  j["slo_violation_rate"] = m.slo_violation_rate;
  j["mean_top1"] = m.mean_top1;
  j["mean_top5"] = m.mean_top5;
  j["latency_ms"] = {{"mean", m.latency_mean_ms},
                     {"p50", m.latency_p50_ms},
                     {"p95", m.latency_p95_ms},
                     {"p99", m.latency_p99_ms},
                     {"max", m.latency_max_ms}};
  json hosts = json::object(), links = json::object();
  uint64_t total_tasks = 0;
  for (const auto& c : m.consumers)
    if (!c.is_link) total_tasks += c.tasks;
  for (const auto& c : m.consumers) {
    json x = {{"zone", c.zone},
              {"energy_j", c.energy_j},
              {"carbon_g", c.carbon_g},
              {"idle_energy_j", c.idle_energy_j},
              {"dynamic_energy_j", c.energy_j - c.idle_energy_j},
              {"dynamic_carbon_g", c.carbon_g - c.idle_carbon_g},
              {"tasks", c.tasks}};
    if (c.is_link) {
      links[c.name] = x;
    } else {
      x["task_share"] = total_tasks ? static_cast<double>(c.tasks) / static_cast<double>(total_tasks) : 0.0;
      x["embodied_carbon_g"] = c.embodied_g;
      hosts[c.name] = x;
    }
  }
  j["per_host"] = hosts;
  json models = json::object();
  for (const auto& [name, count] : m.served_per_model)
    models[name] = {{"requests", count},
                    {"share", m.completed ? static_cast<double>(count) / static_cast<double>(m.completed) : 0.0}};
  j["per_model"] = models;
  j["per_link"] = links;
  return j;
}

void write_summary(const std::string& dir, const RunMetrics& m, const PolicySpec& policy) {
  write_file_atomic(dir + "/summary.json", summary_json(m, policy).dump(2) + "\n");
  // Wall-clock measurements differ between runs; they live apart from the deterministic outputs.
  json t = {{"decision_mean_us", m.decision_mean_us}, {"decision_p99_us", m.decision_p99_us}};
  write_file_atomic(dir + "/timing.json", t.dump(2) + "\n");
}

void write_timeseries(const std::string& path, const RunMetrics& m, double start_epoch) {
  std::string s = "consumer,kind,zone,t0_s,t1_s,t0_utc,intensity_g_per_kwh,energy_j,mean_power_w,carbon_g\n";
  for (const auto& c : m.consumers)
    for (const auto& iv : c.intervals)
      s += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", c.name, c.is_link ? "link" : "host", c.zone, iv.t0, iv.t1,
                       format_utc(start_epoch + iv.t0), iv.intensity, iv.energy_j, iv.energy_j / (iv.t1 - iv.t0), iv.carbon_g);
  write_file_atomic(path, s);
}

namespace {
const std::vector<std::pair<const char*, const char*>> kComparisonColumns = {
    {"requests_completed", "requests_completed"}, {"energy_j", "energy_j"},
    {"carbon_g", "carbon_g"},                     {"dynamic_energy_j", "dynamic_energy_j"},
    {"dynamic_carbon_g", "dynamic_carbon_g"},     {"gco2_per_inference", "gco2_per_inference"},
    {"dynamic_gco2_per_inference", "dynamic_gco2_per_inference"},
    {"inferences_per_gco2", "inferences_per_gco2"}, {"latency_mean_ms", "latency_ms.mean"},
    {"latency_p95_ms", "latency_ms.p95"},         {"latency_p99_ms", "latency_ms.p99"},
    {"slo_violation_rate", "slo_violation_rate"}, {"mean_top1", "mean_top1"},
    {"mean_top5", "mean_top5"},                   {"carbon_change_vs_ref", "vs_reference.carbon_change"},
    {"delta_top1_vs_ref_pp", "vs_reference.delta_top1_pp"}, {"cee_top1", "vs_reference.cee_top1"},
    {"cee_top5", "vs_reference.cee_top5"}};

// Columns of metrics that may be absent (no reference policy) or null print as empty cells.
std::string cell(const json& j, const std::string& dotted) {
  size_t d = dotted.find('.');
  const json* v = &j;
  if (d != std::string::npos) {
    if (!j.contains(dotted.substr(0, d))) return "";
    v = &j.at(dotted.substr(0, d));
  }
  const std::string leaf = d == std::string::npos ? dotted : dotted.substr(d + 1);
  if (!v->contains(leaf) || v->at(leaf).is_null()) return "";
  return v->at(leaf).dump();
}
}  // namespace

void write_comparison(const std::string& path, const std::vector<std::pair<PolicySpec, json>>& rows) {
  std::string s = "policy,policy_type";
  for (auto& [col, key] : kComparisonColumns) s += fmt::format(",{}", col);
  s += "\n";
  for (const auto& [p, j] : rows) {
    s += p.label + "," + p.type;
    for (auto& [col, key] : kComparisonColumns) s += "," + cell(j, key);
    s += "\n";
  }
  write_file_atomic(path, s);
}

// A number of a summary for the printed table, or "—" where it is null (nothing completed).
std::string num(const json& v, const char* spec, double scale = 1) {
  return v.is_null() ? "—" : fmt::format(fmt::runtime(spec), scale * v.get<double>());
}

std::string comparison_table(const std::vector<std::pair<PolicySpec, json>>& rows) {
  const bool ref = !rows.empty() && rows.front().second.contains("vs_reference");
  std::string s = fmt::format("{:<16} {:>9} {:>12} {:>11} {:>11} {:>13} {:>13} {:>11} {:>9} {:>7}", "policy",
                              "requests", "energy_J", "carbon_g", "dyn_carb_g", "gCO2/inf", "dyn_gCO2/inf",
                              "p95_ms", "SLO_viol", "top1%");
  if (ref) s += fmt::format(" {:>12}", "CEE_top1");
  s += "\n";
  for (const auto& [p, j] : rows) {
    const std::string viol = num(j.at("slo_violation_rate"), "{:.1f}", 100);
    s += fmt::format("{:<16} {:>9} {:>12.2f} {:>11.4f} {:>11.4f} {:>13} {:>13} {:>11.2f} {:>9} {:>7}", p.label,
                     j.at("requests_completed").get<uint64_t>(), j.at("energy_j").get<double>(),
                     j.at("carbon_g").get<double>(), j.at("dynamic_carbon_g").get<double>(),
                     num(j.at("gco2_per_inference"), "{:.6g}"), num(j.at("dynamic_gco2_per_inference"), "{:.6g}"),
                     j.at("latency_ms").at("p95").get<double>(), viol == "—" ? viol : viol + "%",
                     num(j.at("mean_top1"), "{:.2f}"));
    if (ref) {
      const json& c = j.at("vs_reference").at("cee_top1");
      s += c.is_null() ? fmt::format(" {:>12}", "—") : fmt::format(" {:>12.4g}", c.get<double>());
    }
    s += "\n";
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
                    const std::string& simgrid_version) {
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
  j["inputs"] = files;
  write_file_atomic(path, j.dump(2) + "\n");
}

}  // namespace ce
