#include "cli/simulate_policy.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>

#include "accounting/run_accountant.hpp"
#include "accounting/run_metrics.hpp"
#include "output/request_writer.hpp"
#include "output/results_writer.hpp"
#include "output/stage_writer.hpp"
#include "sim/simulation.hpp"

namespace ce {
namespace {

// 1204 → "1,204": the counts of a CDN run are in the millions.
std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Users no site reaches are a fact about the platform, not the policy's doing: said once, apart from
// the SLO violations they are also counted in.
std::string unreachable_warning(const RunMetrics& m) {
  const uint64_t users = m.slo_unreachable_users, requests = m.slo_unreachable_requests;
  return fmt::format("{} user location{} ({} request{}) had no candidate host within their SLO "
                     "(slo_unreachable_users in summary.json)",
                     grouped(users), users == 1 ? "" : "s", grouped(requests), requests == 1 ? "" : "s");
}

}  // namespace

int simulate_policy(Prepared& p, size_t index, const std::string& dir, ProgressBoard* board) {
  const PolicySpec& spec = p.exp.policies[index];
  const OutputOptions& o = p.exp.output;
  std::filesystem::create_directories(dir);
  auto arrivals = p.make_arrivals();
  std::vector<std::string> host_names;
  for (const auto& h : p.exp.platform.hosts) host_names.push_back(h.name);
  // The row files go straight to their final names: `dir` is inside the run's staging directory
  // (OUT.partial-<pid>), so nothing is renamed or rewritten per file.
  std::unique_ptr<RequestWriter> requests;
  std::unique_ptr<StageWriter> stages;
  std::unique_ptr<TimeseriesWriter> timeseries;
  if (o.requests_csv) requests = std::make_unique<RequestWriter>(dir + "/requests.csv", host_names, o.gzip, o.requests_every);
  if (o.stages_csv) stages = std::make_unique<StageWriter>(dir + "/stages.csv", o.gzip, o.requests_every);
  if (o.timeseries_csv)
    timeseries = std::make_unique<TimeseriesWriter>(dir + "/timeseries.csv", p.exp.platform,
                                                    p.exp.carbon.start_epoch, o.gzip);
  SimInput in;
  in.experiment = &p.exp;
  in.models = p.models.get();
  in.replicas = p.exp.replicas.tracked ? &p.replicas : nullptr;
  in.carbon = &p.carbon;
  in.forecast = p.forecast.get();
  in.policy = p.policies[index].get();
  in.arrivals = arrivals.get();
  in.requested_models = &p.requested_models;
  RequestSink on_request;
  StageSink on_stage;
  if (requests) on_request = [&](const RequestRecord& r) { requests->write(r); };
  if (stages) on_stage = [&](const StageRecord& r) { stages->write(r); };
  // timeseries.csv rows go out as each interval is final (time-major), not from kept samples.
  IntervalSink on_interval;
  if (timeseries) on_interval = [&](uint32_t c, const IntervalCarbon& iv) { timeseries->write(c, iv); };
  RunAccountant accountant(p.exp.platform, p.carbon, p.requested_models, on_request, on_stage, on_interval);
  std::vector<double> requested_top1;  // what each requested name asks for: its largest variant's
  for (const auto& name : p.requested_models) requested_top1.push_back(p.models->variants(name).back()->top1);
  accountant.set_reference_top1(requested_top1);
  accountant.set_record_every(o.requests_every);
  in.observers.push_back(&accountant);
  // One insertion, so one write(2): the parent may be drawing a progress line on the same terminal.
  const std::string reset = board ? board->line_reset() : "";
  in.on_warning = [&](const std::string& w) {
    std::cerr << reset + "warning: " + spec.label + ": " + w + "\n" << std::flush;
  };
  if (!spec.events.empty()) in.extra_events = &spec.events;
  if (board) in.on_progress = board->start(index);
  SimResult result = simulate(in);
  accountant.finish(result.end_s);
  if (requests) requests->close();
  if (stages) stages->close();
  if (timeseries) timeseries->close();
  // The summary comes from the accountant's tallies and running totals, never from the files.
  RunMetrics m = compute_metrics(result, accountant, p.carbon, p.exp.platform);
  set_oracle_bound(m, p.oracle_batch_carbon_g);
  if (m.slo_unreachable_requests > 0) in.on_warning(unreachable_warning(m));  // stderr only, not summary warnings
  write_summary(dir, m, spec);
  return 0;
}

}  // namespace ce
