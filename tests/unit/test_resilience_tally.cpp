// The resilience tally by hand: which failures hit which service, the recovery times and their
// waits, the requests that arrived while a host was down and how they ended.
#include <catch2/catch.hpp>

#include <cmath>

#include "accounting/resilience_tally.hpp"

using namespace ce;

TEST_CASE("resilience tally: MTTR from a failure to the hit service's next completed request", "[accounting][resilience]") {
  ResilienceTally t({"a", "b"});
  t.set_reference_top1({70, 60});  // what a and b ask for
  const auto done = RequestStatus::Completed;
  t.request_ended(0, 1.0, done, 1.1, /*last_host*/ 7, 70, false);  // a last served on host 7
  t.request_ended(1, 1.0, done, 1.2, 8, 60, false);                // b on host 8
  t.host_fault({7, 10.0, true});                                   // hits a only
  t.request_ended(1, 10.5, done, 10.6, 8, 60, false);              // b: not hit, no sample
  t.request_ended(0, 9.9, RequestStatus::Failed, 10.0, 7, 0, false);  // a's request in flight, lost
  t.request_ended(0, 10.1, RequestStatus::Rejected, 10.1, UINT32_MAX, 0, false);  // a's first after: no host yet
  t.request_ended(0, 10.25, done, 10.75, 9, 65, true);                 // a recovers on host 9, late
  t.host_fault({7, 20.0, false});
  t.host_fault({9, 30.0, true});  // hits a again: never recovered
  t.request_ended(0, 30.5, RequestStatus::Rejected, 30.5, UINT32_MAX, 0, false);
  t.finish();
  const auto& a = t.services()[0];
  REQUIRE(a.mttr_s.size() == 1);
  CHECK(a.mttr_s[0] == Approx(0.75));
  CHECK(a.wait_s[0] == Approx(0.1));  // the gap to a's first request after the failure
  CHECK(a.unrestored == 1);
  CHECK(a.arrived == 5);
  CHECK(a.completed == 2);
  CHECK(a.failed == 1);
  CHECK(a.rejected == 2);
  CHECK(t.services()[1].mttr_s.empty());
  // Arrived while a host was down ([10, 20) and [30, ∞)): b's at 10.5, a's at 10.1 (lost), 10.25
  // (late) and 30.5 (lost).
  CHECK(t.during_arrived() == 4);
  CHECK(t.during_late() == 1);
  CHECK(t.during_lost() == 2);
  // Accuracy: a delivered 70 then 65 (its recovery: a smaller variant) against 70 each; b 60, 60.
  CHECK(t.top1_all() == Approx(70 + 65 + 60 + 60));
  CHECK(t.ref_all() == Approx(70 + 70 + 60 + 60));
  CHECK(t.top1_during() == Approx(65 + 60));  // arrived in [10, 20): a's at 10.25, b's at 10.5
  CHECK(t.ref_during() == Approx(70 + 60));
}

TEST_CASE("resilience tally: overlapping outages make one window", "[accounting][resilience]") {
  ResilienceTally t({"a"});
  t.host_fault({1, 5, true});
  t.host_fault({2, 6, true});
  t.host_fault({1, 7, false});
  t.request_ended(0, 7.5, RequestStatus::Completed, 7.6, 3, 0, false);  // host 2 still down
  t.host_fault({2, 8, false});
  t.request_ended(0, 8.5, RequestStatus::Completed, 8.6, 3, 0, false);  // none down
  t.request_ended(0, 4.0, RequestStatus::Completed, 8.7, 3, 0, false);  // arrived before
  CHECK(t.during_arrived() == 1);
}
