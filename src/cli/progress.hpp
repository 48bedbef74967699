#pragma once
// `carbonedge run`'s progress display on stderr: where each policy's simulation is (simulated time
// of the duration, requests arrived and finished, rate, ETA).
//
// Why shared memory: each policy runs in a forked child (process_pool.hpp), and the simulation
// reports its position every SimInput::kProgressEvery requests. A slot per policy in an anonymous
// MAP_SHARED mapping made before the fork lets the child publish with three relaxed atomic stores
// — no system call, nothing that can block or fill up — and the parent read all slots whenever
// the pool wakes (PoolOptions::on_tick). Progress never goes into an output file.
//
// On a terminal: one combined line, redrawn in place (\r) at most 4 times a second, cut to the
// terminal's width, e.g. "[1/3 done] round-robin 64% 111.1k/111.0k req 22.8k/s ETA 3s | c 5% ..."
// (requests arrived/finished, arrivals per wall second), cleared before anything else is printed
// (a child's warning clears it first; the next tick redraws it). Not a terminal: a plain line per
// running policy every 10 s of wall time, so runs under 10 s print nothing. CARBONEDGE_PROGRESS_EVERY=s replaces both the 10 s and the line's 1 s wait before its
// first draw (tests/e2e/test_run_experience.cpp). Quiet: nothing.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/simulation.hpp"

namespace ce {

struct ProgressSlot {
  std::atomic<int64_t> start_ns{0};  // steady clock (CLOCK_MONOTONIC: the same in every process)
  std::atomic<double> t{0};          // simulated seconds
  std::atomic<uint64_t> arrived{0}, finished{0};
  std::atomic<int> state{0};  // 0 waiting, 1 running (set by the child), 2 ended (set by the parent)
};

class ProgressBoard {
 public:
  enum class Mode { Off, Line, Plain };
  static Mode mode_for(bool quiet);  // Off when quiet, Line when stderr is a terminal, else Plain

  ProgressBoard(std::vector<std::string> labels, double duration_s, Mode mode);
  ~ProgressBoard();
  ProgressBoard(const ProgressBoard&) = delete;
  ProgressBoard& operator=(const ProgressBoard&) = delete;

  // In the child of policy i: marks it running and returns the simulation's hook (empty when Off).
  std::function<void(const SimInput::Progress&)> start(size_t i);
  // What a child prints before a warning line: clears the live line so the warning stands alone.
  const char* line_reset() const { return mode_ == Mode::Line ? "\r\033[K" : ""; }

  void tick();           // parent: redraws or prints when due
  void ended(size_t i);  // parent: policy i's child was reaped
  void clear();          // parent: erases the live line before other output

 private:
  std::string describe(size_t i, double now_s, bool compact) const;

  std::vector<std::string> labels_;
  double duration_s_;
  Mode mode_;
  double every_s_;  // Plain: seconds between reports
  double first_s_;  // Line: seconds before the first draw
  ProgressSlot* slots_ = nullptr;
  size_t bytes_ = 0;
  std::chrono::steady_clock::time_point begin_, last_;
  bool drawn_ = false;  // Line: something is on the terminal line
};

}  // namespace ce
