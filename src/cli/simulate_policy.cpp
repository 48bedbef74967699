#include "cli/simulate_policy.hpp"

#include <filesystem>
#include <memory>

#include "accounting/run_accountant.hpp"
#include "accounting/run_metrics.hpp"
#include "output/request_writer.hpp"
#include "output/results_writer.hpp"
#include "output/stage_writer.hpp"
#include "sim/simulation.hpp"

namespace ce {

int simulate_policy(Prepared& p, size_t index, const std::string& dir) {
  const PolicySpec& spec = p.exp.policies[index];
  std::filesystem::create_directories(dir);
  auto arrivals = p.make_arrivals();
  std::vector<std::string> host_names;
  for (const auto& h : p.exp.platform.hosts) host_names.push_back(h.name);
  std::unique_ptr<RequestWriter> requests;
  std::unique_ptr<StageWriter> stages;
  if (p.exp.output.requests_csv) requests = std::make_unique<RequestWriter>(dir + "/requests.csv", host_names);
  if (p.exp.output.stages_csv) stages = std::make_unique<StageWriter>(dir + "/stages.csv");
  SimInput in;
  in.experiment = &p.exp;
  in.models = p.models.get();
  in.carbon = &p.carbon;
  in.forecast = p.forecast.get();
  in.policy = p.policies[index].get();
  in.arrivals = arrivals.get();
  in.requested_models = &p.requested_models;
  RequestSink on_request;
  StageSink on_stage;
  if (requests) on_request = [&](const RequestRecord& r) { requests->write(r); };
  if (stages) on_stage = [&](const StageRecord& r) { stages->write(r); };
  RunAccountant accountant(p.exp.platform, p.carbon, p.requested_models, on_request, on_stage);
  in.observers.push_back(&accountant);
  SimResult result = simulate(in);
  accountant.finish(result.end_s);
  RunMetrics m = compute_metrics(result, accountant, p.carbon, p.exp.platform);
  if (requests) requests->finalize(m.idle_share_j, m.idle_share_g);
  if (stages) stages->close();
  if (p.exp.output.timeseries_csv) write_timeseries(dir + "/timeseries.csv", m, p.exp.carbon.start_epoch);
  write_summary(dir, m, spec);
  return 0;
}

}  // namespace ce
