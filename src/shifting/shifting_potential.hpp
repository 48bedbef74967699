#pragma once
// The upper bound of temporal shifting (Sukprasert et al., EuroSys'24, "On the Limitations of
// Carbon-Aware Temporal and Spatial Workload Shifting"): a job of `length` hours arrives at every
// hour i of a span and may finish up to `slack` hours late, with perfect knowledge of the hourly
// intensities. Run-now costs Σ c[i, i + length); deferrable (one start, no interruption) the
// minimum contiguous sum in [i, i + slack + length); interruptible the sum of the `length`
// cleanest hours of that window. Savings are 1 − Σ shifted / Σ run-now over the arrivals.
#include <cstddef>
#include <vector>

namespace ce {

struct ShiftingPotential {
  size_t jobs = 0;
  double run_now = 0, deferrable = 0, interruptible = 0;  // Σ over jobs of g/kWh·h (unit power)
  double deferrable_saving() const { return run_now > 0 ? 1 - deferrable / run_now : 0; }
  double interruptible_saving() const { return run_now > 0 ? 1 - interruptible / run_now : 0; }
};

// hourly: the intensities, one per hour; jobs arrive at hours [first, last) whose window fits in
// `hourly` (later arrivals are skipped).
ShiftingPotential shifting_potential(const std::vector<double>& hourly, size_t first, size_t last, size_t length,
                                     size_t slack);

}  // namespace ce
