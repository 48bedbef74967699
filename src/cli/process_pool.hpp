#pragma once
// The one place carbonedge forks workers: `run` (one child per policy) and `sweep` (one child per
// point, which runs `run` and so forks its own policy children) both go through run_pool().
//
// Lifetime: every child dies with the process that forked it. Right after fork() it sets
// PR_SET_PDEATHSIG(SIGKILL) and then checks getppid() against the parent's pid recorded before the
// fork (the parent may have died between the two), so `kill -9` of a sweep takes its points with
// it, and each point takes its policy children: nothing keeps writing behind a restarted run.
//
// Stopping: StopSignals turns SIGINT/SIGTERM/SIGHUP into a flag. run_pool() waits in sigsuspend()
// with those signals and SIGCHLD blocked everywhere else, so a signal is never missed between a
// check and the wait; on one it sends PoolOptions::stop_signal to every child, reaps them all and
// returns with `stopped_by` set. The caller cleans up and calls StopSignals::exit_by().
//
// Errors: an exception escaping a child's body becomes one line sent to the parent through a pipe
// (InputError: exit code 2; anything else: 1) instead of being printed by the child, so `run -j 8`
// with the same bad input in every policy prints one line (the parent's), not eight.
#include <sys/types.h>

#include <csignal>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace ce {

// SIGINT, SIGTERM and SIGHUP set a flag while an instance lives (a signal the process ignores
// stays ignored, e.g. SIGINT of a `cmd &` in a script). No SA_RESTART: a blocking call returns EINTR.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  static int caught();  // the last stop signal received, 0 if none
  // Restores the dispositions carbonedge found and ends the process by `sig`, so whoever started
  // it sees how it ended.
  [[noreturn]] static void exit_by(int sig);
  // In a freshly forked child: the dispositions carbonedge found, flag cleared, no instance active.
  static void reset_in_child();

 private:
  bool owner_ = false;
};

struct PoolOptions {
  size_t jobs = 0;                // children at once; 0 = number of cores
  bool stop_on_failure = false;   // after the first failed child: start no more, SIGKILL the others
  int stop_signal = SIGKILL;      // sent to the children when a stop signal arrives
  // Called in the parent on every wake-up and at least every tick_s seconds while children run
  // (a progress display polls their state here); empty: the pool sleeps until a child ends.
  std::function<void()> on_tick;
  double tick_s = 0.25;
};

struct ChildExit {
  size_t task = 0;
  pid_t pid = 0;
  int status = 0;       // as returned by waitpid()
  std::string message;  // the one-line error the child reported, "" if none

  bool ok() const;
  int exit_code() const;     // the child's exit code, or 1 when a signal ended it
  std::string how() const;   // "exit code 3" / "killed by signal 9 (Killed)"
};

struct PoolResult {
  int stopped_by = 0;               // the stop signal that ended the pool early, 0 if none
  std::vector<ChildExit> failures;  // in the order they were reaped (stopped children excluded)
};

// Runs body(0) … body(n-1), each in its own child, at most `jobs` at a time, in index order.
// body's return value is the child's exit code; on_exit (optional) runs in the parent as each
// child is reaped. Returns when every started child has been reaped. If the parent itself throws
// (fork failed, on_exit threw), the children are killed and reaped before the exception leaves.
PoolResult run_pool(size_t n, const PoolOptions& opt, const std::function<int(size_t)>& body,
                    const std::function<void(const ChildExit&)>& on_exit = {});

}  // namespace ce
