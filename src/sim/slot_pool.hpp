#pragma once
// Reusable slots for what the simulation keeps while it is alive (requests in flight, deferred
// requests): take() gives the most recently released slot first, reset to T{}, so slot numbers —
// and with them the order of everything keyed by them — depend only on the run. Storage is a
// deque: a reference to a slot stays valid while later slots are taken.
#include <cstdint>
#include <deque>
#include <vector>

namespace ce {

template <class T>
class SlotPool {
 public:
  uint32_t take() {
    uint32_t s;
    if (!free_.empty()) {
      s = free_.back();
      free_.pop_back();
      items_[s] = T{};
      used_[s] = true;
    } else {
      s = static_cast<uint32_t>(items_.size());
      items_.emplace_back();
      used_.push_back(true);
    }
    ++live_;
    return s;
  }
  void release(uint32_t s) {
    used_[s] = false;
    free_.push_back(s);
    --live_;
  }
  T& operator[](uint32_t s) { return items_[s]; }
  const T& operator[](uint32_t s) const { return items_[s]; }
  bool used(uint32_t s) const { return used_[s]; }
  uint32_t size() const { return static_cast<uint32_t>(items_.size()); }  // slots ever taken
  uint64_t live() const { return live_; }                                 // taken, not released

 private:
  std::deque<T> items_;
  std::vector<bool> used_;
  std::vector<uint32_t> free_;
  uint64_t live_ = 0;
};

}  // namespace ce
