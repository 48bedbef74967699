#pragma once
// Samples every host's and link's cumulative energy (and idle baseline) at each change point of
// its zone's intensity, so the carbon integral is exact (accounting/carbon_integral.hpp). Also
// keeps the intensities in the policies' view current and reports each zone's change. Driven by
// the controller's timer chain. Keeps no samples: each host sample goes to `on_sample` as it is
// taken (the observers fold it into totals and timeseries rows), so memory does not grow with
// the run's length.
#include <functional>
#include <string>
#include <vector>

#include "carbon/carbon_catalog.hpp"
#include "policy/cluster_view.hpp"
#include "sim/energy_book.hpp"
#include "records/run_records.hpp"

namespace ce {

class CarbonSampler {
 public:
  using SampleFn = std::function<void(uint32_t host, const EnergySample&)>;
  // `zones`: every zone of the platform (hosts' and links'); `hosts` gives each host's zone.
  CarbonSampler(const ZoneTimelines& carbon, const std::vector<std::string>& zones, const EnergyBook& book,
                const std::vector<ConsumerSeries>& hosts, ClusterView& view);

  double next_time() const { return next_; }  // the next change point of any zone (kNever: none left)
  // Takes every sample due at or before `now`: on_sample(host, sample) for each host of the zone,
  // then on_point(zone, t) at each change point (for the consumers sampled elsewhere), and
  // on_change(zone) once per zone whose intensity changed.
  void take(double now, const SampleFn& on_sample, const std::function<void(const std::string&, double)>& on_point,
            const std::function<void(const std::string&)>& on_change = {});
  // The end of the run: a last sample at end_s of every host not sampled there yet.
  void finish(double end_s, const SampleFn& on_sample);

 private:
  struct Zone {
    std::string name;
    const Timeline* timeline;
    std::vector<size_t> consumers;  // host indices
    std::vector<double> change_points;
    size_t next;  // first change point not yet sampled
  };
  const EnergyBook& book_;
  ClusterView& view_;
  std::vector<Zone> zones_;
  std::vector<double> last_t_;  // per host: time of its last sample (0: the implicit one at the start)
  double next_ = 0;  // min over zones of the next change point, kept by take()
  void update_next();
};

}  // namespace ce
