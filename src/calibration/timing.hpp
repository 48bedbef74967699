#pragma once
// Repeated timing of a kernel (warm-up, repetitions, order statistics) and the RAPL package
// energy counter, read where the machine exposes it.
#include <functional>
#include <string>
#include <vector>

namespace ce::calib {

struct RepeatPolicy {
  int warmup = 1;         // untimed runs first (caches, page faults, lazy allocation)
  int min_reps = 5;       // timed runs: at least this many ...
  int max_reps = 50;      // ... at most this many ...
  double budget_s = 0.05; // ... and as many as fit in this time budget
};

struct TimingStats {
  double median = 0, min = 0, max = 0, p25 = 0, p75 = 0;  // seconds
  int reps = 0;
  double spread() const { return median > 0 ? (p75 - p25) / median : 0; }  // relative IQR
};

// Which clock times a run. ThreadCpu (CLOCK_THREAD_CPUTIME_ID) excludes time the thread spent
// preempted, so single-threaded kernels time the same on a loaded machine as on an idle one;
// Wall is for multi-threaded runs (CPU time would add up the threads).
enum class Clock { Wall, ThreadCpu };

// Runs `prepare` (untimed) before every run, then times `fn`.
TimingStats time_repeated(const std::function<void()>& fn, const RepeatPolicy& policy, Clock clock,
                          const std::function<void()>& prepare = nullptr);

// Evicts the caches by reading a buffer larger than the last-level cache, so a timed op finds
// its weights in DRAM, as in a forward pass where every layer's weights were last touched one
// inference ago.
class CacheFlusher {
 public:
  explicit CacheFlusher(size_t bytes = size_t{64} << 20);
  void flush();
  static void touch(const std::vector<float>& v);  // bring a tensor back into cache (read it)

 private:
  std::vector<float> buf_;
};

// Package-0 energy from /sys/class/powercap/intel-rapl*; `available` is false (and `status` says
// why) when the counter is absent or unreadable, as on shared or virtual machines.
class RaplCounter {
 public:
  RaplCounter();
  bool available() const { return available_; }
  const std::string& status() const { return status_; }
  double joules() const;  // monotonic reading (wrap-around handled by delta_j)
  double delta_j(double before, double after) const;

 private:
  bool available_ = false;
  std::string status_, energy_path_;
  double range_j_ = 0;
};

// Flush-to-zero / denormals-are-zero for this thread, as inference runtimes do, so random
// weights that decay through a chain never hit the slow denormal path.
void set_flush_denormals();

}  // namespace ce::calib
