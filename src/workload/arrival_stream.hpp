#pragma once
// The workload stage hands the simulator a lazy stream of requests: memory stays O(in flight),
// whatever the number of requests. Closed-loop sources also hear about completions.
#include <limits>

#include "workload/request.hpp"

namespace ce {

class ArrivalStream {
 public:
  virtual ~ArrivalStream() = default;
  // Arrival time of the next request, or +infinity when none is scheduled right now (a closed-loop
  // source whose clients all wait for replies, or an exhausted source).
  virtual double peek_time() = 0;
  // Removes and returns the next request. Precondition: peek_time() is finite.
  virtual Request pop() = 0;
  // True when no request will ever arrive again, whatever completes.
  virtual bool finished() const = 0;
  // Closed-loop feedback: the request finished at now_s. Called only for requests with a client
  // (Request::client != 0), so only a closed-loop source's peek_time may change through it.
  virtual void on_completion(const Request& /*req*/, double /*now_s*/) {}
  // The longest finite Request::deadline_s it may give (0: none has a deadline). The run then
  // accounts every policy up to the arrival window's end plus this, so a policy that defers work
  // is compared with one that does not over the same span.
  virtual double max_deadline_s() const { return 0; }
};

constexpr double kNever = std::numeric_limits<double>::infinity();

}  // namespace ce
