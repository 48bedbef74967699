#pragma once
// Closed-loop clients: each of N clients has at most one request in flight. A client issues its
// first request after one think time from start_s (an exponential draw, or a uniform phase in
// [0, think) for constant think times so the clients do not fire in lock-step), and its next
// request one think time after the previous one completes (on_completion). The simulator must
// call on_completion for every request of this stream that leaves the system (served or
// dropped), or its client waits forever. Requests carry client = client_base + 1 .. client_base + N
// (0 is reserved for open-loop sources). O(N) memory.
#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

#include "core/rng.hpp"
#include "workload/arrival_stream.hpp"

namespace ce {

enum class ThinkDist { Exponential, Constant };

struct ClosedLoopParams {
  uint32_t clients = 1;
  double think_s = 1;                      // mean (exponential) or exact (constant) think time, >= 0
  ThinkDist dist = ThinkDist::Exponential;
  uint64_t requests_per_client = 0;        // 0 = no cap
  uint32_t client_base = 0;                // client ids start at client_base + 1
};

class ClosedLoopStream : public ArrivalStream {
 public:
  ClosedLoopStream(const ClosedLoopParams& p, double start_s, double until_s, uint64_t seed);

  double peek_time() override { return pending_.empty() ? kNever : pending_.top().first; }
  Request pop() override;
  bool finished() const override { return pending_.empty() && in_flight_ == 0; }
  void on_completion(const Request& req, double now_s) override;

  uint32_t in_flight() const { return in_flight_; }

 private:
  double think();
  void schedule(uint32_t c, double at);

  ClosedLoopParams p_;
  double until_;
  Rng rng_;
  using Entry = std::pair<double, uint32_t>;  // (issue time, client index); ties by client
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> pending_;
  std::vector<uint64_t> issued_;
  std::vector<char> busy_;
  uint32_t in_flight_ = 0;
  uint64_t next_id_ = 0;
};

}  // namespace ce
