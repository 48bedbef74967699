#include "workload/merge_stream.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ce {

MergeStream::MergeStream(std::vector<std::unique_ptr<ArrivalStream>> streams) : streams_(std::move(streams)) {}

double MergeStream::peek_time() {
  double best = kNever;
  for (auto& s : streams_) best = std::min(best, s->peek_time());
  return best;
}

Request MergeStream::pop() {
  size_t pick = streams_.size();
  double best = kNever;
  for (size_t i = 0; i < streams_.size(); ++i) {
    double t = streams_[i]->peek_time();
    if (t < best) {
      best = t;
      pick = i;
    }
  }
  if (pick == streams_.size()) throw std::logic_error("MergeStream::pop with no request scheduled");
  Request r = streams_[pick]->pop();
  if (r.client != 0) {
    auto [it, inserted] = client_owner_.emplace(r.client, pick);
    if (!inserted && it->second != pick)
      throw std::logic_error("MergeStream: client id " + std::to_string(r.client) + " used by two streams");
  }
  r.id = next_id_++;
  return r;
}

double MergeStream::max_deadline_s() const {
  double d = 0;
  for (const auto& s : streams_) d = std::max(d, s->max_deadline_s());
  return d;
}

bool MergeStream::finished() const {
  for (const auto& s : streams_)
    if (!s->finished()) return false;
  return true;
}

void MergeStream::on_completion(const Request& req, double now_s) {
  if (req.client == 0) return;
  auto it = client_owner_.find(req.client);
  if (it != client_owner_.end()) streams_[it->second]->on_completion(req, now_s);
}

}  // namespace ce
