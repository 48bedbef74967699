#include "sim/batch_scheduler.hpp"

#include <algorithm>

namespace ce {

BatchScheduler::BatchScheduler(const BatchingSpec& spec, uint32_t device_slots)
    : spec_(spec), device_slots_(device_slots) {}

void BatchScheduler::push(uint32_t slot, Key key, uint32_t cap, double now) {
  Queue* q = nullptr;
  for (Queue& x : queues_)
    if (x.key == key) q = &x;
  if (q == nullptr) {
    queues_.push_back({key, std::max<uint32_t>(1, cap), 0, {}});
    q = &queues_.back();
  }
  q->waiting.push_back({slot, seq_++, now});
  ++waiting_;
}

uint32_t BatchScheduler::ready_size(const Queue& q, double now) const {
  const auto n = static_cast<uint32_t>(std::min<size_t>(q.waiting.size(), q.cap));
  if (n == 0 || q.running >= spec_.instances) return 0;
  if (n == q.cap) return n;
  for (auto it = spec_.preferred.rbegin(); it != spec_.preferred.rend(); ++it)
    if (*it <= n) return *it;
  // The same expression as next_due(), so a timer set for it finds the batch due.
  return now >= q.waiting.front().t + spec_.max_queue_delay_s ? n : 0;
}

bool BatchScheduler::pop(double now, std::vector<uint32_t>& out, uint32_t& queue) {
  out.clear();
  if (running_ >= device_slots_ || waiting_ == 0) return false;
  int best = -1;
  uint32_t size = 0;
  for (size_t i = 0; i < queues_.size(); ++i) {
    const Queue& q = queues_[i];
    if (q.waiting.empty() || (best >= 0 && q.waiting.front().seq > queues_[best].waiting.front().seq)) continue;
    if (const uint32_t n = ready_size(q, now)) best = static_cast<int>(i), size = n;
  }
  if (best < 0) return false;
  Queue& q = queues_[static_cast<size_t>(best)];
  for (uint32_t k = 0; k < size; ++k) {
    out.push_back(q.waiting.front().slot);
    q.waiting.pop_front();
  }
  waiting_ -= size;
  ++q.running;
  ++running_;
  queue = static_cast<uint32_t>(best);
  return true;
}

void BatchScheduler::finished(uint32_t queue) {
  --queues_[queue].running;
  --running_;
}

double BatchScheduler::next_due() const {
  double due = std::numeric_limits<double>::infinity();
  for (const Queue& q : queues_)
    if (!q.waiting.empty()) due = std::min(due, q.waiting.front().t + spec_.max_queue_delay_s);
  return due;
}

}  // namespace ce
