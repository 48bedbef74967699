#pragma once
// The requests of the batch jobs of one `batch_job` source (docs/inputs-workload.md): `jobs` jobs
// at at_s, at_s + every_s, ..., each as ⌈items / chunk⌉ requests at its arrival time (Request::job
// = first_id + occurrence, Request::work = the inferences the request stands for: chunk, the last
// request of a job what is left). Lazy: O(1) memory however many jobs and requests.
#include <cstdint>
#include <vector>

#include "workload/arrival_stream.hpp"

namespace ce {

// Limits of one workload's batch jobs (their table is held in memory for the whole run).
constexpr uint32_t kMaxBatchJobs = 1000000;       // jobs over all batch_job sources
constexpr uint32_t kMaxBatchWorkers = 100000;     // max_workers of one job
constexpr double kMaxBatchSpeedupEntries = 1e8;   // Σ over jobs of max_workers + 1 (speed-up tables)

// Speed-up with k = 0..max_workers workers (speedup[0] = 0).
std::vector<double> linear_speedup(uint32_t max_workers);
std::vector<double> amdahl_speedup(uint32_t max_workers, double parallel_fraction);

class BatchJobStream : public ArrivalStream {
 public:
  // every_s is ignored when jobs <= 1.
  BatchJobStream(uint32_t first_id, double at_s, double every_s, uint64_t jobs, double items, uint32_t chunk);

  // Arrival of occurrence j (0-based) of a job first arriving at at_s and repeating every every_s:
  // the one formula the stream and the jobs table share.
  static double job_time(double at_s, double every_s, uint64_t j) { return at_s + static_cast<double>(j) * every_s; }

  double peek_time() override { return job_ < jobs_ ? job_time(at_, every_, job_) : kNever; }
  Request pop() override;
  bool finished() const override { return job_ >= jobs_; }

 private:
  uint32_t first_id_;
  double at_, every_;
  uint64_t jobs_;
  double items_;
  uint32_t chunk_;
  uint64_t requests_;  // per job
  uint64_t job_ = 0;   // the job being emitted (0-based)
  uint64_t part_ = 0;  // its next request (0-based)
  uint64_t next_id_ = 0;
};

}  // namespace ce
