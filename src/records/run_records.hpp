#pragma once
// The records a run produces, in a place neither sim/ nor accounting/ owns: sim/ emits events
// (records/sim_events.hpp), accounting/ turns them into these, output/ writes them.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "records/energy_sample.hpp"

namespace ce {

enum class RequestStatus : uint8_t { Completed, Rejected, Failed };

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
  RequestStatus status = RequestStatus::Completed;
  // A language model's request: its tokens and its first and last tokens' times (< 0: none came).
  bool llm = false;
  uint32_t prompt_tokens = 0, output_tokens = 0;
  double first_token_s = -1, last_token_s = -1;
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

// One power consumer (host or link): who it is and how much work it did. Its energy samples are
// not kept: sim/ hands each host sample to its observers (SimObserver::host_sample) as it is
// taken, and accounting/ folds them into running totals and timeseries rows.
struct ConsumerSeries {
  std::string name;
  std::string zone;
  bool is_link = false;
  uint64_t tasks = 0;  // stages executed (hosts) or transfers carried (links)
};

// What sim/ itself hands over at the end of a run (accounting/ adds the rest).
struct SimResult {
  double end_s = 0;
  std::vector<ConsumerSeries> hosts;  // platform order; links are accounted by accounting/
  uint64_t arrived = 0;
  uint64_t replica_loads = 0;         // model loads that finished (`replicas:`)
  uint64_t unsupported_placements = 0;  // requests rejected: placed on an accelerator without their model
  std::vector<double> decision_ns;    // wall-clock per decision (sampled)
  std::vector<std::string> warnings;  // what the user should know about the run (one line each)
};

using RequestSink = std::function<void(const RequestRecord&)>;
using StageSink = std::function<void(const StageRecord&)>;

}  // namespace ce
