// The batch scheduler's rules on their own (pure logic, no simulation; docs/inputs.md "Batching",
// Triton's dynamic batcher, ../shared/reference/accelerators-llm.md §4 and §9.5): the largest
// preferred size that the queue allows leaves at once; a lone request leaves when max_queue_delay has
// passed; an arrival completing max_batch releases the batch at once; `instances` batches of one model
// run at once; the device's slots bound every model together; FIFO across models.
#include <catch2/catch.hpp>

#include "sim/batch_scheduler.hpp"

using namespace ce;

namespace {

BatchingSpec spec(uint32_t max_batch, std::vector<uint32_t> preferred, double delay, uint32_t instances) {
  BatchingSpec b;
  b.max_batch = max_batch;
  b.preferred = std::move(preferred);
  b.max_queue_delay_s = delay;
  b.instances = instances;
  return b;
}

int model_a = 0, model_b = 0;  // their addresses tell the models apart
const BatchScheduler::Key kA{&model_a, 1, 10}, kB{&model_b, 1, 10};

}  // namespace

TEST_CASE("batch scheduler: six waiting with preferred [4, 8] send 4, then what is left after the delay",
          "[unit][batching]") {
  BatchScheduler s(spec(16, {4, 8}, 0.010, 1), UINT32_MAX);
  for (uint32_t i = 0; i < 6; ++i) s.push(i, kA, 16, 0.0);
  std::vector<uint32_t> out;
  uint32_t q = 0;
  REQUIRE(s.pop(0.0, out, q));
  CHECK(out == std::vector<uint32_t>{0, 1, 2, 3});
  // The instance is busy: nothing more, whatever the time.
  CHECK_FALSE(s.pop(1.0, out, q));
  s.finished(q);
  // Two left: no preferred size fits, so they wait for the delay counted from their arrival (0).
  CHECK(s.next_due() == Approx(0.010));
  CHECK_FALSE(s.pop(0.005, out, q));
  REQUIRE(s.pop(0.010, out, q));
  CHECK(out == std::vector<uint32_t>{4, 5});
  CHECK(s.size() == 0);
}

TEST_CASE("batch scheduler: a lone request leaves at the delay, an arrival completing max_batch at once",
          "[unit][batching]") {
  BatchScheduler s(spec(3, {}, 0.002, 1), UINT32_MAX);
  std::vector<uint32_t> out;
  uint32_t q = 0;
  s.push(7, kA, 3, 1.0);
  CHECK_FALSE(s.pop(1.0, out, q));
  CHECK(s.next_due() == Approx(1.002));
  s.push(8, kA, 3, 1.0005);
  CHECK_FALSE(s.pop(1.0005, out, q));
  s.push(9, kA, 3, 1.001);  // the third completes max_batch: released before the delay
  REQUIRE(s.pop(1.001, out, q));
  CHECK(out == std::vector<uint32_t>{7, 8, 9});
  // The table's largest batch (cap) binds below max_batch too.
  BatchScheduler t(spec(8, {}, 0.0, 1), UINT32_MAX);
  for (uint32_t i = 0; i < 5; ++i) t.push(i, kA, 2, 0.0);
  REQUIRE(t.pop(0.0, out, q));
  CHECK(out.size() == 2);
}

TEST_CASE("batch scheduler: instances per model, device slots in all, FIFO across models", "[unit][batching]") {
  std::vector<uint32_t> out;
  uint32_t q = 0;
  // Two instances of A: two batches of A in flight, a third waits.
  BatchScheduler s(spec(1, {}, 0.0, 2), UINT32_MAX);
  for (uint32_t i = 0; i < 3; ++i) s.push(i, kA, 1, 0.0);
  CHECK(s.pop(0.0, out, q));
  CHECK(s.pop(0.0, out, q));
  CHECK_FALSE(s.pop(0.0, out, q));
  CHECK(s.running() == 2);
  // An exclusive device (one slot): B waits for A's batch although B has its own instance.
  BatchScheduler x(spec(4, {}, 0.0, 1), 1);
  x.push(10, kB, 4, 0.0);
  x.push(11, kA, 4, 0.1);
  x.push(12, kB, 4, 0.2);
  REQUIRE(x.pop(0.2, out, q));
  CHECK(out == std::vector<uint32_t>{10, 12});  // B's head is the oldest: B goes first, with all of B
  CHECK_FALSE(x.pop(0.2, out, q));
  x.finished(q);
  REQUIRE(x.pop(0.3, out, q));
  CHECK(out == std::vector<uint32_t>{11});
}
