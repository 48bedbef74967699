#pragma once
// Notices a host queue or a link that keeps growing: the sign of a run that will crawl (an
// overloaded link makes SimGrid share it among ever more transfers, O(N²) in run time) or of a
// policy sending more to a host than it can serve. Every `step` of simulated time it samples the
// entities whose backlog reached their threshold; when the last `window / step + 1` samples of one
// (covering `window`, the last simulated hour) rise strictly, it reports it once. Only entities
// over their threshold are kept, so a check costs O(backlogged entities), not O(hosts + links).
#include <cstdint>
#include <string>
#include <map>
#include <vector>

namespace ce {

class BacklogWatch {
 public:
  struct Growth {
    bool link = false;
    uint32_t index = 0;
    double from = 0, to = 0;  // backlog at the start and the end of the window
  };

  BacklogWatch(double step_s, double window_s) : step_(step_s), samples_(static_cast<size_t>(window_s / step_s) + 1) {}

  // A backlog reached `level` (>= threshold): watch it from now on.
  void watch(bool link, uint32_t index) { watched_.try_emplace(key(link, index)); }
  bool due(double now) const { return now >= next_; }
  // Samples every watched entity with level(link, index); appends the newly growing ones to `out`.
  template <class Level>
  void sample(double now, Level&& level, std::vector<Growth>& out);

 private:
  static uint64_t key(bool link, uint32_t index) { return (uint64_t{link} << 32) | index; }
  struct Trace {
    std::vector<double> levels;  // the last samples, oldest first
    bool reported = false;
  };
  double step_;
  size_t samples_;
  double next_ = 0;
  std::map<uint64_t, Trace> watched_;  // ordered: reports come in host, then link order
};

template <class Level>
void BacklogWatch::sample(double now, Level&& level, std::vector<Growth>& out) {
  next_ = now + step_;
  std::vector<uint64_t> gone;
  for (auto& [k, tr] : watched_) {
    const bool link = (k >> 32) != 0;
    const auto index = static_cast<uint32_t>(k);
    const double v = level(link, index);
    tr.levels.push_back(v);
    if (tr.levels.size() > samples_) tr.levels.erase(tr.levels.begin());
    bool rising = tr.levels.size() == samples_;
    for (size_t i = 1; rising && i < tr.levels.size(); ++i) rising = tr.levels[i] > tr.levels[i - 1];
    if (rising && !tr.reported) {
      tr.reported = true;
      out.push_back({link, index, tr.levels.front(), v});
    }
    if (v == 0 && !tr.reported) gone.push_back(k);  // drained: forget it until it fills up again
  }
  for (uint64_t k : gone) watched_.erase(k);
}

}  // namespace ce
