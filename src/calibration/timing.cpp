#include "calibration/timing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <time.h>
#include <vector>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace ce::calib {

namespace {
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(sorted.size() - 1, lo + 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
volatile float g_sink = 0;
bool read_number(const std::string& path, double& v) {
  std::ifstream in(path);
  return static_cast<bool>(in >> v);
}
}  // namespace

TimingStats time_repeated(const std::function<void()>& fn, const RepeatPolicy& policy, Clock clock,
                          const std::function<void()>& prepare) {
  auto tick = clock == Clock::ThreadCpu ? thread_cpu_s : now_s;
  for (int i = 0; i < policy.warmup; ++i) {
    if (prepare) prepare();
    fn();
  }
  std::vector<double> t;
  double spent = 0;  // timed seconds so far (the budget counts only the kernel's own time)
  while (static_cast<int>(t.size()) < policy.max_reps &&
         (static_cast<int>(t.size()) < policy.min_reps || spent < policy.budget_s)) {
    if (prepare) prepare();
    const double t0 = tick();
    fn();
    t.push_back(tick() - t0);
    spent += t.back();
  }
  std::sort(t.begin(), t.end());
  TimingStats s;
  s.reps = static_cast<int>(t.size());
  s.median = quantile(t, 0.5);
  s.p25 = quantile(t, 0.25);
  s.p75 = quantile(t, 0.75);
  s.min = t.front();
  s.max = t.back();
  return s;
}

CacheFlusher::CacheFlusher(size_t bytes) : buf_(bytes / sizeof(float), 1.f) {}

void CacheFlusher::flush() {
  float s = 0;
  for (size_t i = 0; i < buf_.size(); i += 16) s += buf_[i];  // one read per 64-byte line
  g_sink = g_sink + s;
}

void CacheFlusher::touch(const std::vector<float>& v) {
  float s = 0;
  for (size_t i = 0; i < v.size(); i += 16) s += v[i];
  g_sink = g_sink + s;
}

RaplCounter::RaplCounter() {
  namespace fs = std::filesystem;
  const fs::path root = "/sys/class/powercap";
  std::error_code ec;
  if (!fs::exists(root, ec)) {
    status_ = "unavailable: /sys/class/powercap does not exist on this machine (no RAPL interface exposed)";
    return;
  }
  for (const auto& e : fs::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("intel-rapl:", 0) != 0 || name.find(':', 11) != std::string::npos) continue;  // packages only
    const std::string energy = (e.path() / "energy_uj").string();
    double v = 0;
    if (!read_number(energy, v)) {
      status_ = "unavailable: " + energy + " exists but is not readable (needs root or a relaxed powercap mode)";
      continue;
    }
    double range = 0;
    read_number((e.path() / "max_energy_range_uj").string(), range);
    energy_path_ = energy;
    range_j_ = range * 1e-6;
    available_ = true;
    status_ = "available: " + energy;
    return;
  }
  if (status_.empty()) status_ = "unavailable: no /sys/class/powercap/intel-rapl:* package domain";
}

double RaplCounter::joules() const {
  double v = 0;
  if (!available_ || !read_number(energy_path_, v)) return 0;
  return v * 1e-6;
}

double RaplCounter::delta_j(double before, double after) const {
  return after >= before ? after - before : after + range_j_ - before;
}

void set_flush_denormals() {
#if defined(__SSE__)
  _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ | DAZ
#endif
}

}  // namespace ce::calib
