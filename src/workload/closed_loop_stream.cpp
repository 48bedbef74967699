#include "workload/closed_loop_stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "workload/source_builder.hpp"

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


// type: closed_loop (keys: start, clients, think_time, think_distribution, requests_per_client).
std::unique_ptr<ArrivalStream> build_closed_loop(SourceBuilder& b, const YamlSection& s) {
  ClosedLoopParams p;
  p.clients = static_cast<uint32_t>(s.integer_in("clients", 1, 10000000));
  if (!s.has("think_time")) s.fail("think_time", "missing (required): e.g. 1s");
  p.think_s = b.duration_or(s, "think_time", 0);
  const std::string dist = s.str_or("think_distribution", "exponential");
  if (dist == "exponential") p.dist = ThinkDist::Exponential;
  else if (dist == "constant") p.dist = ThinkDist::Constant;
  else s.fail("think_distribution", fmt::format("'{}' is not exponential or constant", dist));
  const long cap = s.integer_in("requests_per_client", 1, std::numeric_limits<long>::max(), 0);
  p.requests_per_client = static_cast<uint64_t>(cap);
  // Each client sends at most one request per think time (fewer while its requests are served).
  if (p.think_s > 0) {
    const double start = b.duration_or(s, "start", 0);
    const double span = std::max(0.0, std::min(b.until(s), b.ctx().duration_s) - start);
    double n = p.clients * std::floor(span / p.think_s + 1);
    if (cap > 0) n = std::min(n, static_cast<double>(p.clients) * static_cast<double>(cap));
    if (span > 0 && std::isfinite(n)) b.expect_count(s, "clients", n);
  }
  p.client_base = b.claim_clients(p.clients);
  return std::make_unique<ClosedLoopStream>(p, b.duration_or(s, "start", 0), b.until(s), b.arrival_seed());
}

}  // namespace ce
