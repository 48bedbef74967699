#include "sweep/sweep_results.hpp"

#include <fmt/format.h>

#include <set>

namespace ce {

using nlohmann::json;

namespace {

void flatten_into(const json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten_into(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) flatten_into(j[i], prefix + "." + std::to_string(i), out);
  } else if (j.is_number()) {
    out[prefix] = j.dump();
  }
}

}  // namespace

std::map<std::string, std::string> flatten_numeric(const json& j) {
  std::map<std::string, std::string> out;
  flatten_into(j, "", out);
  return out;
}

std::vector<SweepResultRow> point_rows(const SweepPoint& point, const std::vector<json>& summaries) {
  std::vector<SweepResultRow> rows;
  for (const auto& s : summaries) {
    SweepResultRow r;
    r.point = point.index;
    for (const auto& kv : point.values) r.swept_values.push_back(kv.second);
    r.seed = point.seed;
    r.policy = s.at("policy").get<std::string>();
    r.policy_type = s.at("policy_type").get<std::string>();
    r.metrics = flatten_numeric(s);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string results_csv(const std::vector<std::string>& keys, const std::vector<SweepResultRow>& rows) {
  // The metric columns follow summary.json (written from the metric registry), not a list of
  // their own: the union of every row's numeric leaves, sorted by path.
  std::set<std::string> metric_names;
  for (const auto& r : rows)
    for (const auto& kv : r.metrics) metric_names.insert(kv.first);
  std::vector<std::string> header = {"point"};
  header.insert(header.end(), keys.begin(), keys.end());
  header.insert(header.end(), {"seed", "policy", "policy_type"});
  header.insert(header.end(), metric_names.begin(), metric_names.end());
  std::string s = csv_row(header);
  for (const auto& r : rows) {
    std::vector<std::string> fields = {std::to_string(r.point)};
    fields.insert(fields.end(), r.swept_values.begin(), r.swept_values.end());
    fields.insert(fields.end(), {std::to_string(r.seed), r.policy, r.policy_type});
    for (const auto& m : metric_names) {
      auto it = r.metrics.find(m);
      fields.push_back(it != r.metrics.end() ? it->second : "");
    }
    s += csv_row(fields);
  }
  return s;
}

json sweep_record(const std::string& experiment, const std::string& experiment_sha256,
                  const std::vector<std::string>& base_overrides, const std::vector<std::string>& keys,
                  const std::vector<SweepPoint>& points) {
  json pts = json::array();
  for (const auto& p : points) {
    json values = json::object();
    for (const auto& [k, v] : p.values) values[k] = v;
    pts.push_back({{"index", p.index}, {"seed", p.seed}, {"values", values}});
  }
  return {{"experiment", experiment},
          {"experiment_sha256", experiment_sha256},
          {"overrides", base_overrides},
          {"swept_keys", keys},
          {"points", pts}};
}

std::string sweep_record_mismatch(const json& existing, const json& wanted) {
  // The experiment's path may be spelled differently (another working directory); its content may not.
  if (existing.value("experiment_sha256", "") != wanted.at("experiment_sha256"))
    return fmt::format("the experiment file changed since this sweep started (sha256 {} then, {} now)",
                       existing.value("experiment_sha256", "?").substr(0, 12),
                       wanted.at("experiment_sha256").get<std::string>().substr(0, 12));
  if (existing.value("overrides", json::array()) != wanted.at("overrides"))
    return fmt::format("it was started with --set {} and is now given {}",
                       existing.value("overrides", json::array()).dump(), wanted.at("overrides").dump());
  if (existing.value("swept_keys", json::array()) != wanted.at("swept_keys") ||
      existing.value("points", json::array()) != wanted.at("points"))
    return "its points differ (another seed or sweep section)";
  return "";
}

}  // namespace ce
