#include "workload/closed_loop_stream.hpp"

#include <stdexcept>

namespace ce {

ClosedLoopStream::ClosedLoopStream(const ClosedLoopParams& p, double start_s, double until_s, uint64_t seed)
    : p_(p), until_(until_s), rng_(seed), issued_(p.clients, 0), busy_(p.clients, 0) {
  if (p.clients == 0 || !(p.think_s >= 0)) throw std::invalid_argument("closed loop: clients >= 1, think >= 0");
  for (uint32_t c = 0; c < p.clients; ++c) {
    double first = p.dist == ThinkDist::Constant ? rng_.uniform() * p.think_s : think();
    schedule(c, start_s + first);
  }
}

double ClosedLoopStream::think() {
  if (p_.dist == ThinkDist::Constant || p_.think_s == 0) return p_.think_s;
  return rng_.exponential(1.0 / p_.think_s);
}

void ClosedLoopStream::schedule(uint32_t c, double at) {
  if (p_.requests_per_client != 0 && issued_[c] >= p_.requests_per_client) return;
  if (at < until_) pending_.emplace(at, c);
}

Request ClosedLoopStream::pop() {
  auto [t, c] = pending_.top();
  pending_.pop();
  ++issued_[c];
  busy_[c] = 1;
  ++in_flight_;
  Request r;
  r.id = next_id_++;
  r.arrival_s = t;
  r.client = p_.client_base + c + 1;
  return r;
}

void ClosedLoopStream::on_completion(const Request& req, double now_s) {
  if (req.client <= p_.client_base || req.client > p_.client_base + p_.clients) return;  // not ours
  uint32_t c = req.client - p_.client_base - 1;
  if (!busy_[c]) return;  // duplicate notification
  busy_[c] = 0;
  --in_flight_;
  schedule(c, now_s + think());
}

}  // namespace ce
