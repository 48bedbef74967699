#pragma once
// What one simulated run hands to accounting/ and output/: SimGrid-free plain data.
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "accounting/carbon_integral.hpp"
#include "accounting/latency_stats.hpp"
#include "models/model_profile.hpp"

namespace ce {

struct RequestRecord {
  uint64_t id = 0;
  double arrival_s = 0, start_s = 0, finish_s = 0;
  std::string requested;   // model or family the request asked for
  std::string model;       // variant that served it
  std::string hosts;       // hosts of its stages, ';'-separated
  uint32_t source = 0;
  double slo_s = 0;
  double dynamic_energy_j = 0, dynamic_carbon_g = 0;
  double top1 = 0, top5 = 0;  // ImageNet accuracy (%) of the served variant
  enum Status { Completed, Rejected, Failed } status = Completed;
};

// One executed stage or one transfer of a request (stages.csv): enough to rebuild a split plan's
// energy by hand.
struct StageRecord {
  uint64_t request = 0;
  bool transfer = false;    // false: an execution on `where`; true: a transfer over `where`'s links
  std::string where;        // host name, or the route's link names ';'-separated
  double start_s = 0, end_s = 0;
  double amount = 0;        // flops (exec) or bytes (transfer)
  double energy_j = 0, carbon_g = 0;  // its dynamic energy / carbon
  bool completed = true;    // false: cut short by a host turned off
};

struct ConsumerSeries {
  std::string name;
  std::string zone;
  bool is_link = false;
  std::vector<EnergySample> samples;  // at 0, at each change point of its zone, and at the end
  uint64_t tasks = 0;                 // stages executed (hosts) or transfers carried (links)
};

struct RunResult {
  double end_s = 0;
  std::vector<ConsumerSeries> consumers;  // hosts first (platform order), then links
  uint64_t arrived = 0, completed = 0, rejected = 0, failed = 0, slo_violations = 0;
  LatencyStats latency;
  // Σ over every request that ran (completed or failed): equals Σ consumers (energy − idle).
  double dynamic_energy_j = 0, dynamic_carbon_g = 0;
  double completed_dynamic_energy_j = 0, completed_dynamic_carbon_g = 0;  // completed requests only
  double top1_sum = 0, top5_sum = 0;                  // Σ top-1 / top-5 accuracy of served variants
  std::unordered_map<const ModelProfile*, uint64_t> served_per_model;  // completed requests per variant
  std::vector<uint64_t> tasks_per_host;
  std::vector<double> decision_ns;                    // wall-clock per decision (sampled)
};

using RequestSink = std::function<void(const RequestRecord&)>;
using StageSink = std::function<void(const StageRecord&)>;

}  // namespace ce
