#pragma once
// The `batch` local scheduler (docs/inputs.md "Batching"): Triton's dynamic batcher for one host.
// Stages of one model (and rows) wait in that model's queue; a batch leaves a queue when an instance
// of the model is free and one of these holds, checked in this order:
//   - max_batch stages wait (capped by the model's largest table batch on an accelerator): all of them;
//   - a preferred size can be formed: the largest such;
//   - the oldest has waited max_queue_delay (0: at once): everything that waits.
// Across models the queue with the oldest ready head goes first (FIFO). Capacity: at most
// `instances` batches of one model, and at most `device_slots` batches in all (1 on an exclusive
// accelerator, the cores of a flop-rated host, unbounded on a processor-sharing GPU). Pure logic:
// sim/ asks it what to start and when a held batch falls due.
#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "config/platform_spec.hpp"

namespace ce {

class BatchScheduler {
 public:
  BatchScheduler(const BatchingSpec& spec, uint32_t device_slots);

  // What stages batch together: one model's same rows.
  struct Key {
    const void* model;
    uint32_t first, last;
    bool operator==(const Key& o) const { return model == o.model && first == o.first && last == o.last; }
  };
  // `cap`: the largest batch of this key (max_batch, or less where the model's table ends).
  void push(uint32_t slot, Key key, uint32_t cap, double now);
  // The next batch to start at `now` into `out` (cleared first) and its queue; false if none may.
  bool pop(double now, std::vector<uint32_t>& out, uint32_t& queue);
  void finished(uint32_t queue);  // a batch popped from `queue` ended (its instance is free)
  // Earliest time a held partial batch falls due (+inf: none is held).
  double next_due() const;
  size_t size() const { return waiting_; }
  uint32_t running() const { return running_; }

 private:
  struct Entry {
    uint32_t slot;
    uint64_t seq;
    double t;
  };
  struct Queue {
    Key key;
    uint32_t cap = 1;
    uint32_t running = 0;
    std::deque<Entry> waiting;
  };
  // The size of the batch `q` may send now (0: none yet).
  uint32_t ready_size(const Queue& q, double now) const;

  BatchingSpec spec_;
  uint32_t device_slots_;
  std::vector<Queue> queues_;
  uint64_t seq_ = 0;
  size_t waiting_ = 0;
  uint32_t running_ = 0;
};

}  // namespace ce
