#include "cli/prepared.hpp"

#include <algorithm>
#include <fnmatch.h>
#include <fmt/format.h>
#include <iostream>
#include <set>

#include "core/error.hpp"
#include "policy/oracle_bound.hpp"
#include "workload/workload_factory.hpp"

namespace ce {

std::unique_ptr<ArrivalStream> Prepared::make_arrivals() {
  WorkloadContext ctx;
  ctx.experiment_file = exp.file;
  ctx.seed = exp.seed;
  ctx.duration_s = exp.carbon.duration_s;
  ctx.data_root = exp.data_root;
  ctx.resolve_model = [this](const std::string& name, const std::string& key) -> uint32_t {
    auto it = std::find(requested_models.begin(), requested_models.end(), name);
    if (it != requested_models.end()) return static_cast<uint32_t>(it - requested_models.begin());
    if (models->variants(name).empty())
      fail_at_key(exp.file, key, fmt::format("unknown model or family '{}' (see workloads/models/README.md "
                                             "or declare it under models:)", name));
    requested_models.push_back(name);
    return static_cast<uint32_t>(requested_models.size() - 1);
  };
  ctx.resolve_host = [this](const std::string& name, const std::string& key) -> uint32_t {
    int h = exp.platform.host_index(name);
    if (h < 0) fail_at_key(exp.file, key, fmt::format("unknown host '{}' (not in {})", name, exp.platform.file));
    auto at = std::lower_bound(sources.begin(), sources.end(), static_cast<uint32_t>(h));
    if (at == sources.end() || *at != static_cast<uint32_t>(h)) sources.insert(at, static_cast<uint32_t>(h));
    return static_cast<uint32_t>(h);
  };
  ctx.host_index = [this](const std::string& name, const std::string& key) -> uint32_t {
    const int h = exp.platform.host_index(name);
    if (h < 0) fail_at_key(exp.file, key, fmt::format("unknown host '{}' (not in {})", name, exp.platform.file));
    return static_cast<uint32_t>(h);
  };
  ctx.hosts_matching = [this](const std::string& pattern) {
    std::vector<std::string> out;
    for (const auto& h : exp.platform.hosts)
      if (fnmatch(pattern.c_str(), h.name.c_str(), 0) == 0) out.push_back(h.name);
    return out;
  };
  std::vector<std::string> files;
  jobs.clear();  // called once per policy run: the same table each time
  auto s = make_workload(exp.workload, ctx, &files, &jobs);
  for (auto& f : files)
    if (std::find(input_files.begin(), input_files.end(), f) == input_files.end()) input_files.push_back(f);
  return s;
}

std::unique_ptr<Prepared> prepare(const std::string& experiment, const LoadOptions& opt) {
  auto p = std::make_unique<Prepared>();
  p->exp = load_experiment(experiment, opt);
  p->input_files = p->exp.input_files;
  p->models = std::make_unique<ModelCatalog>(p->exp.models, p->exp.families);
  for (const auto& f : p->exp.families)
    for (const auto& member : f.members)
      if (!p->models->find(member))
        fail_at_key(p->exp.file, f.key, fmt::format("unknown model '{}' (see workloads/models/README.md)", member));
  p->replicas = resolve_replicas(p->exp, *p->models);
  p->carbon = load_zone_timelines(p->exp, platform_zones(p->exp.platform));
  for (auto& f : p->carbon.files) p->input_files.push_back(f);
  p->input_files.push_back(p->exp.carbon.manifest);
  // carbon.forecast (docs/inputs.md "Forecasts"), parsed and built once: a bad section or forecast
  // file is reported here, before any output exists. Until CarbonSpec keeps the raw section, the
  // default (perfect); then: parse_forecast(p->exp.carbon.forecast, p->exp.file).
  const ForecastSpec forecast_spec = parse_forecast(p->exp.carbon.forecast, p->exp.file);
  p->forecast = make_forecaster(forecast_spec, p->carbon, p->exp.seed, p->exp.carbon.start_epoch, p->exp.data_root);
  for (const auto& f : p->forecast->files()) p->input_files.push_back(f);
  // Validates the workload section and names every requested model.
  p->max_deadline_s = p->make_arrivals()->max_deadline_s();
  const std::string gap = p->forecast->uncovered(0, p->exp.carbon.duration_s + p->max_deadline_s);
  if (!gap.empty()) fail_in_file(p->forecast->files().front(), gap);
  if (!p->jobs.empty())
    p->oracle_batch_carbon_g = oracle_batch_bound(p->jobs, p->exp.platform, *p->models, p->requested_models,
                                                  *p->forecast, 3600);
  PolicyContext ctx{&p->exp.platform, p->models.get(), &p->exp, p->sources, &p->jobs};
  for (const auto& spec : p->exp.policies) p->policies.push_back(make_policy(spec, ctx));
  // Warnings go to stderr once everything is known to be valid (bad input prints its one error line
  // only), once per process (a sweep prepares every point; forked children inherit what was
  // printed); they stay in p->carbon.warnings for run.json.
  static std::set<std::string> printed;
  for (const auto& w : p->carbon.warnings)
    if (printed.insert(w).second) std::cerr << "warning: " << w << "\n";
  return p;
}

}  // namespace ce
