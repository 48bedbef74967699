#pragma once
// `failures:` (docs/inputs.md "Failures"): seeded failure processes per host or per site. Each
// process alternates up and down times drawn from its time-to-failure and time-to-repair
// distributions from the start of the run; a site's process takes all its hosts down together,
// and its links (uplink, hosts' arms: LinkFail/LinkRepair events, their power off meanwhile).
// Expanded at load time into Fail/Repair platform events, so a run with the same seed replays the
// same outages and policies see them as HostChange events.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "config/yaml_section.hpp"

namespace ce {

struct LifetimeDist {
  enum Kind { Exponential, Weibull, Lognormal, Fixed } kind = Exponential;
  double mean_s = 0;   // exponential: the mean; fixed: the value; lognormal: the median
  double shape = 1;    // weibull k; lognormal σ (of the log)
  double scale_s = 0;  // weibull λ
};

struct Outage {
  double down_s = 0, up_s = 0;  // [down, up), clipped to the run
};

// The outages of one process over [0, duration_s): up ~ ttf, then down ~ ttr, repeated; at most
// `max_outages` (the draws stop there). The seed is the process's own.
std::vector<Outage> draw_outages(const LifetimeDist& ttf, const LifetimeDist& ttr, double duration_s, uint64_t seed,
                                 size_t max_outages = SIZE_MAX);

// At most this many Fail and Repair events in all: a time to failure of a millisecond over a year
// would otherwise fill the memory before the run starts.
constexpr size_t kMaxFailureEvents = 10'000'000;

// A recorded outage list (`trace:` FILE): a CSV with columns `down` and `up`, UTC date-times,
// sorted and not overlapping; FILE:LINE errors. The outages over [start_epoch, +duration_s),
// clipped to it, in run time.
std::vector<Outage> read_outage_trace(const std::string& path, double start_epoch, double duration_s);

// The hosts an entry names by `host: NAME` or `site: NAME` (exactly one of them; every host of the
// site), with one-line errors naming the key; `site` gets the site's index (−1 for a host entry).
std::vector<uint32_t> entry_hosts(const YamlSection& e, const PlatformSpec& plat, int32_t* site = nullptr);

// Parses `failures:` of `exp` (absent: none) into its Fail/Repair events, sorted by time, with
// the experiment's platform, carbon window and seed; trace files join exp.input_files.
std::vector<PlatformEvent> parse_failures(const YamlSection& root, Experiment& exp);

}  // namespace ce
