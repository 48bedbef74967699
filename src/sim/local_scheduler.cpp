#include "sim/local_scheduler.hpp"

#include <stdexcept>

namespace ce {

namespace {

class Fifo : public LocalScheduler {
 public:
  void push(uint32_t slot) override { queue_.push_back(slot); }
  bool pop(uint32_t running, uint32_t cores, uint32_t& slot) override {
    if (running >= cores || queue_.empty()) return false;
    slot = queue_.front();
    queue_.pop_front();
    return true;
  }
  size_t size() const override { return queue_.size(); }
  bool admits(uint32_t running, uint32_t cores) const override { return running < cores; }

 protected:
  std::deque<uint32_t> queue_;
};

class ProcessorSharing : public Fifo {
 public:
  bool pop(uint32_t, uint32_t, uint32_t& slot) override { return Fifo::pop(0, 1, slot); }
  bool admits(uint32_t, uint32_t) const override { return true; }
};

}  // namespace

std::unique_ptr<LocalScheduler> make_local_scheduler(const std::string& kind) {
  if (kind == "fifo") return std::make_unique<Fifo>();
  if (kind == "ps") return std::make_unique<ProcessorSharing>();
  throw std::logic_error("unknown local scheduler '" + kind + "'");
}

}  // namespace ce
