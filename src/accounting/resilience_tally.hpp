#pragma once
// What failures cost the service (docs/outputs.md "Resilience"): per service (a requested model
// name), its requests and how they ended, and its times to recovery; for the run, the requests that
// arrived while some host was down (failures:) and how many of them were lost or late.
//
// MTTR (mean time to recovery) as the service's clients see it: a failure of host h at t_f hits
// every service whose last completed request before t_f was served on h (its plan's last stage);
// its recovery is the service's next completed request, at t_r; the sample is t_r − t_f. It
// includes the wait for that next request (1 / the service's request rate on average), as a
// client probing the service would. A service still not recovered when the run ends is counted
// as unrestored, not as a sample. With each sample its wait: from the failure to the arrival of
// the service's first request after it, whatever became of that request (0 when none arrived
// before the recovering one, which had arrived before the failure) — the gap in the service's own
// requests, so MTTR − wait is independent of the request rate.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "records/run_records.hpp"
#include "records/sim_events.hpp"

namespace ce {

struct ServiceTally {
  std::string name;
  double ref_top1 = 0;           // top-1 (%) of what was requested (its largest variant); 0: none
  uint64_t arrived = 0, completed = 0, failed = 0, rejected = 0;
  double top1_sum = 0;           // Σ top-1 of the variants that served its completed requests
  std::vector<double> mttr_s;    // one per failure that hit it and that it recovered from
  std::vector<double> wait_s;    // per sample: first arrival after the failure − the failure (or 0)
  uint64_t unrestored = 0;       // failures that hit it with no completed request after them
  // While hit: since when (NaN: not hit); the host its last completed request was served on.
  double hit_since = std::numeric_limits<double>::quiet_NaN();
  double first_after = std::numeric_limits<double>::infinity();  // while hit: earliest arrival ≥ hit_since
  uint32_t last_host = UINT32_MAX;
};

class ResilienceTally {
 public:
  explicit ResilienceTally(const std::vector<std::string>& services);
  void host_fault(const HostFault& f);
  // `late`: completed after its SLO (requests without a deadline).
  void request_ended(uint32_t service, double arrival_s, RequestStatus status, double t, uint32_t last_host,
                     double top1, bool late);
  void finish();  // services still hit count as unrestored
  // Per service (workload order): the top-1 of the variant it asks for, against which the accuracy
  // delivered is measured (accuracy_loss); services without one (0) are left out of it.
  void set_reference_top1(const std::vector<double>& top1);

  const std::vector<ServiceTally>& services() const { return services_; }
  uint64_t during_arrived() const { return during_arrived_; }
  uint64_t during_lost() const { return during_lost_; }
  uint64_t during_late() const { return during_late_; }
  bool saw_failures() const { return !windows_.empty(); }
  // Σ top-1 delivered and Σ top-1 requested over completed requests of services with a reference:
  // all of them, and those that arrived while a host was down.
  double top1_all() const { return top1_all_; }
  double ref_all() const { return ref_all_; }
  double top1_during() const { return top1_during_; }
  double ref_during() const { return ref_during_; }

 private:
  bool during_failure(double t) const;
  std::vector<ServiceTally> services_;
  uint32_t hosts_down_ = 0;
  // [start, end) while at least one host was down, in time order; the last may still be open (inf).
  std::vector<std::pair<double, double>> windows_;
  uint64_t during_arrived_ = 0, during_lost_ = 0, during_late_ = 0;
  double top1_all_ = 0, ref_all_ = 0, top1_during_ = 0, ref_during_ = 0;
};

}  // namespace ce
