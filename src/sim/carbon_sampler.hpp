#pragma once
// Samples every host's and link's cumulative energy (and idle baseline) at each change point of
// its zone's intensity, so the carbon integral is exact (accounting/carbon_integral.hpp). Also
// keeps the intensities in the policies' view current and reports each zone's change. Driven by
// the controller's timer chain.
#include <functional>
#include <string>
#include <vector>

#include "carbon/carbon_catalog.hpp"
#include "policy/cluster_view.hpp"
#include "sim/energy_book.hpp"
#include "sim/run_result.hpp"

namespace ce {

class CarbonSampler {
 public:
  CarbonSampler(const ZoneTimelines& carbon, const EnergyBook& book, RunResult& out, ClusterView& view);

  double next_time() const;  // the next change point of any zone (kNever when none is left)
  // Takes every sample due at or before `now`; calls on_change(zone) once per zone that changed.
  void take(double now, const std::function<void(const std::string&)>& on_change = {});

 private:
  struct Zone {
    std::string name;
    const Timeline* timeline;
    std::vector<size_t> consumers;  // indices into out_.consumers
    std::vector<double> change_points;
    size_t next;  // first change point not yet sampled
  };
  const EnergyBook& book_;
  RunResult& out_;
  ClusterView& view_;
  std::vector<Zone> zones_;
};

}  // namespace ce
