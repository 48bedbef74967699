#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <iostream>
#include <new>

namespace ce {

namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

std::string count_text(uint64_t n) {
  if (n < 10000) return std::to_string(n);
  if (n < 10000000) return fmt::format("{:.1f}k", static_cast<double>(n) / 1e3);
  return fmt::format("{:.1f}M", static_cast<double>(n) / 1e6);
}

std::string span_text(double s) {
  if (!(s >= 0) || s > 1e9) return "?";
  const long t = std::lround(s);
  if (t < 60) return fmt::format("{}s", t);
  if (t < 3600) return fmt::format("{}m{:02}s", t / 60, t % 60);
  if (t < 86400 * 3) return fmt::format("{}h{:02}m", t / 3600, t / 60 % 60);
  return fmt::format("{}d{:02}h", t / 86400, t / 3600 % 24);
}

int terminal_width() {
  winsize w{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col >= 20) return w.ws_col;
  return 80;
}

// One write(2) per line: a child's warning may be written to the same terminal at any moment.
void put(const std::string& s) {
  std::cerr << s;
  std::cerr.flush();
}

}  // namespace

ProgressBoard::Mode ProgressBoard::mode_for(bool quiet) {
  if (quiet) return Mode::Off;
  return isatty(STDERR_FILENO) ? Mode::Line : Mode::Plain;
}

ProgressBoard::ProgressBoard(std::vector<std::string> labels, double duration_s, Mode mode)
    : labels_(std::move(labels)), duration_s_(duration_s), mode_(mode), every_s_(10), first_s_(1) {
  if (const char* e = std::getenv("CARBONEDGE_PROGRESS_EVERY")) {
    char* end = nullptr;
    const double v = std::strtod(e, &end);
    if (end != e && v > 0 && v < 1e6) every_s_ = first_s_ = v;
  }
  begin_ = last_ = Clock::now();
  if (mode_ == Mode::Off || labels_.empty()) return;
  bytes_ = sizeof(ProgressSlot) * labels_.size();
  void* m = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {  // no display rather than no run
    mode_ = Mode::Off;
    return;
  }
  slots_ = static_cast<ProgressSlot*>(m);
  for (size_t i = 0; i < labels_.size(); ++i) new (&slots_[i]) ProgressSlot();
}

ProgressBoard::~ProgressBoard() {
  if (slots_) munmap(slots_, bytes_);
}

std::function<void(const SimInput::Progress&)> ProgressBoard::start(size_t i) {
  if (!slots_) return {};
  ProgressSlot* s = &slots_[i];
  s->start_ns.store(now_ns(), std::memory_order_relaxed);
  s->state.store(1, std::memory_order_release);
  return [s](const SimInput::Progress& p) {
    s->t.store(p.t, std::memory_order_relaxed);
    s->arrived.store(p.arrived, std::memory_order_relaxed);
    s->finished.store(p.finished, std::memory_order_relaxed);
  };
}

std::string ProgressBoard::describe(size_t i, double now_s, bool compact) const {
  const ProgressSlot& s = slots_[i];
  const double t = s.t.load(std::memory_order_relaxed);
  const uint64_t arrived = s.arrived.load(std::memory_order_relaxed);
  const uint64_t finished = s.finished.load(std::memory_order_relaxed);
  const double wall = std::max(1e-3, now_s - static_cast<double>(s.start_ns.load(std::memory_order_relaxed)) * 1e-9);
  const double frac = duration_s_ > 0 ? std::min(1.0, t / duration_s_) : 0;
  const double rate = static_cast<double>(arrived) / wall;
  // Simulated time advances about evenly with wall time for a steady workload; after the arrival
  // window only queued work drains, which has no duration to measure against.
  const std::string eta = t >= duration_s_ ? "draining" : t > 0 ? "ETA " + span_text(wall * (duration_s_ - t) / t) : "ETA ?";
  if (compact)
    return fmt::format("{} {:.0f}% {}/{} req {}/s {}", labels_[i], 100 * frac, count_text(arrived),
                       count_text(finished), count_text(static_cast<uint64_t>(rate)), eta);
  return fmt::format("progress: {}: {:.0f}% ({} of {} simulated), {} arrived, {} finished, {:.0f} req/s, {}", labels_[i],
                     100 * frac, span_text(t), span_text(duration_s_), arrived, finished, rate, eta);
}

void ProgressBoard::tick() {
  if (!slots_) return;
  const auto now = Clock::now();
  const double since_begin = std::chrono::duration<double>(now - begin_).count();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  const double now_s = static_cast<double>(now_ns()) * 1e-9;
  if (mode_ == Mode::Line) {
    if (since_begin < first_s_ || since_last < 0.25) return;  // a short run shows nothing; ≤ 4 redraws a second
    last_ = now;
    size_t ended = 0;
    std::string line;
    for (size_t i = 0; i < labels_.size(); ++i) {
      const int st = slots_[i].state.load(std::memory_order_acquire);
      ended += st == 2;
      if (st == 1) line += (line.empty() ? "" : " | ") + describe(i, now_s, true);
    }
    line = fmt::format("[{}/{} done] {}", ended, labels_.size(), line);
    const size_t width = static_cast<size_t>(terminal_width()) - 1;  // never wrap: \r returns one row only
    if (line.size() > width) line = line.substr(0, width - 3) + "...";
    put("\r\033[K" + line);
    drawn_ = true;
    return;
  }
  if (since_last < every_s_) return;
  last_ = now;
  std::string lines;
  for (size_t i = 0; i < labels_.size(); ++i)
    if (slots_[i].state.load(std::memory_order_acquire) == 1) lines += describe(i, now_s, false) + "\n";
  if (!lines.empty()) put(lines);
}

void ProgressBoard::ended(size_t i) {
  if (slots_) slots_[i].state.store(2, std::memory_order_release);
}

void ProgressBoard::clear() {
  if (!drawn_) return;
  put("\r\033[K");
  drawn_ = false;
}

}  // namespace ce
