#pragma once
// Elastic batch-inference jobs (workload source `batch_job`, docs/inputs-workload.md): a job
// arrives at `at` with `items` inferences of one model and a completion `deadline`; it may run on
// up to `max_workers` workers at once, with a speed-up given by its scaling profile. The source
// emits the job as ⌈items / chunk⌉ requests at `at` (Request::job = the job's id, Request::work =
// the items it stands for); the time-shifting policies (docs/policies.md) decide when and on how
// many workers they run. The table of jobs is known before the run (make_workload's `jobs`), so a
// policy sees a job's parameters when its first request arrives — its length only when
// `length_known` (LACS's setting otherwise: it learns the length as the requests finish).
#include <cstdint>
#include <string>
#include <vector>

namespace ce {

struct BatchJob {
  uint32_t id = 0;            // 1, 2, ...: sources in order, each source's jobs in time (Request::job)
  std::string name;           // "<source name or batch_job[i]>#<occurrence>" for outputs and errors
  std::string where;          // the experiment key that defines it ("workload.sources[2]"), for errors
  double at_s = 0;            // arrival, simulated seconds
  double deadline_s = 0;      // completion deadline, relative to at_s
  double items = 0;           // inferences in all
  uint32_t chunk = 1;         // inferences per request (the last request may hold fewer)
  uint32_t requests = 0;      // ⌈items / chunk⌉
  uint32_t model = 0;         // Request::model of every request of the job
  uint32_t source = 0;        // Request::source (where its data lives and its results go)
  std::vector<uint32_t> hosts;  // the hosts its workers run on, one worker per core (key `hosts`; empty: the source)
  uint32_t min_workers = 1;   // a slot that runs the job runs at least this many workers
  uint32_t max_workers = 1;   // at most this many at once
  // Speed-up with k workers relative to one, k = 0..max_workers (speedup[0] = 0, speedup[1] = 1,
  // non-decreasing): linear (k), Amdahl (1 / ((1 − p) + p / k)) or a measured table.
  std::vector<double> speedup;
  std::string scaling = "linear";  // how speedup was given: "linear", "amdahl", "table"
  bool length_known = true;   // the policy may read `items` (false: it learns it as the job runs)
};

}  // namespace ce
