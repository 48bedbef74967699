#pragma once
// How one host admits the stages sent to it (Vidur's split: the policy routes globally, the host
// schedules locally). A scheduler only orders and admits; sim/ starts what it admits.
//   fifo: one stage per core, the rest wait in arrival order (the default);
//   ps:   processor sharing, every stage starts at once and SimGrid shares the host's cores among
//         them (each at most one core's speed); power follows min(running, cores) busy cores.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace ce {

class LocalScheduler {
 public:
  virtual ~LocalScheduler() = default;
  virtual void push(uint32_t slot) = 0;
  // The next stage to start now with `running` stages on `cores` cores; false if none may.
  virtual bool pop(uint32_t running, uint32_t cores, uint32_t& slot) = 0;
  virtual size_t size() const = 0;
  // Whether a stage arriving at an empty queue would start at once (the common case, which sim/
  // takes without a push and a pop).
  virtual bool admits(uint32_t running, uint32_t cores) const = 0;
};

// "fifo" or "ps" (config/ has checked the name).
std::unique_ptr<LocalScheduler> make_local_scheduler(const std::string& kind);

}  // namespace ce
