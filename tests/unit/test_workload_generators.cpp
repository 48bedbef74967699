// Synthetic arrival generators: rates within statistical tolerance, burstiness, daily shape,
// closed-loop feedback, determinism and O(1) memory.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <queue>
#include <string>
#include <vector>

#include "workload/closed_loop_stream.hpp"
#include "workload/diurnal_stream.hpp"
#include "workload/mmpp_stream.hpp"
#include "workload/poisson_stream.hpp"
#include "workload/workload_factory.hpp"

using namespace ce;

namespace {

std::vector<double> drain(ArrivalStream& s, size_t limit = 100000000) {
  std::vector<double> t;
  while (std::isfinite(s.peek_time()) && t.size() < limit) t.push_back(s.pop().arrival_s);
  return t;
}

// Peak resident set size of this process in kB (VmHWM), or -1 when /proc is unavailable.
long vm_hwm_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

TEST_CASE("Poisson: count over ~1e5 arrivals within 4 sigma, exponential gaps", "[workload]") {
  const double rate = 5, until = 20000;  // expect 1e5 arrivals
  PoissonStream s(rate, 0, until, 42);
  auto t = drain(s);
  const double expected = rate * until, sigma = std::sqrt(expected);
  INFO("arrivals " << t.size() << " expected " << expected);
  CHECK(std::fabs(static_cast<double>(t.size()) - expected) < 4 * sigma);
  CHECK(s.finished());
  REQUIRE(std::is_sorted(t.begin(), t.end()));
  CHECK(t.front() > 0);
  CHECK(t.back() < until);
  // Coefficient of variation of the gaps is 1 for an exponential distribution.
  double sum = 0, sum2 = 0;
  for (size_t i = 1; i < t.size(); ++i) {
    double g = t[i] - t[i - 1];
    sum += g;
    sum2 += g * g;
  }
  const double n = static_cast<double>(t.size() - 1), mean = sum / n, cv = std::sqrt(sum2 / n - mean * mean) / mean;
  CHECK(mean == Approx(1 / rate).epsilon(0.02));
  CHECK(cv == Approx(1.0).epsilon(0.02));
}

TEST_CASE("Poisson: start, until and zero rate", "[workload]") {
  PoissonStream s(100, 50, 60, 1);
  auto t = drain(s);
  REQUIRE(!t.empty());
  CHECK(t.front() > 50);
  CHECK(t.back() < 60);
  PoissonStream z(0, 0, 100, 1);
  CHECK(z.finished());
  CHECK(z.peek_time() == kNever);
}

TEST_CASE("MMPP: long-run mean rate and burstiness", "[workload]") {
  // ON/OFF-like: 20 req/s for ~10 s, then 2 req/s for ~30 s. Mean = (20*10 + 2*30) / 40 = 6.5.
  std::vector<MmppState> st = {{20, 10}, {2, 30}};
  const double mean = MmppStream::mean_rate(st), T = 200000;
  REQUIRE(mean == Approx(6.5));
  MmppStream s(st, 0, T, 7);
  auto t = drain(s);
  // Asymptotic index of dispersion of a 2-state MMPP: 1 + 2ab(l1-l2)^2 / ((a+b)^3 * mean),
  // a, b = switching rates; use it for a 4-sigma bound on the count.
  const double a = 1 / 10.0, b = 1 / 30.0, idc = 1 + 2 * a * b * 18 * 18 / (std::pow(a + b, 3) * mean);
  const double expected = mean * T, sigma = std::sqrt(idc * expected);
  INFO("arrivals " << t.size() << " expected " << expected << " sigma " << sigma);
  CHECK(std::fabs(static_cast<double>(t.size()) - expected) < 4 * sigma);
  // Bursty: counts in 1 s windows are over-dispersed (Poisson would give variance/mean = 1).
  std::vector<double> w(static_cast<size_t>(T), 0);
  for (double x : t) w[static_cast<size_t>(x)] += 1;
  double m = 0, v = 0;
  for (double c : w) m += c;
  m /= static_cast<double>(w.size());
  for (double c : w) v += (c - m) * (c - m);
  v /= static_cast<double>(w.size());
  INFO("1 s window variance/mean " << v / m);
  CHECK(v / m > 5);
}

TEST_CASE("MMPP with an OFF state (rate 0) and three states", "[workload]") {
  std::vector<MmppState> st = {{50, 2}, {0, 8}, {5, 10}};
  const double mean = MmppStream::mean_rate(st), T = 100000;  // (100 + 0 + 50) / 20 = 7.5
  REQUIRE(mean == Approx(7.5));
  MmppStream s(st, 0, T, 3);
  auto t = drain(s);
  CHECK(static_cast<double>(t.size()) == Approx(mean * T).epsilon(0.05));
  CHECK(std::is_sorted(t.begin(), t.end()));
}

TEST_CASE("Diurnal: hourly counts follow the sinusoid", "[workload]") {
  DiurnalParams p;
  p.mean_rate = 10;
  p.amplitude = 0.8;
  p.peak_hour = 14;
  const int days = 2;
  DiurnalStream s(p, 0, days * 86400.0, 11);
  std::vector<double> hourly(24, 0);
  size_t n = 0;
  while (!s.finished()) {
    hourly[static_cast<size_t>(std::fmod(s.pop().arrival_s, 86400.0) / 3600)] += 1;
    ++n;
  }
  CHECK(static_cast<double>(n) == Approx(p.mean_rate * days * 86400).epsilon(0.01));
  const double pi = 3.14159265358979323846;
  double worst = 0;
  for (int h = 0; h < 24; ++h) {
    // Integral of mean * (1 + a cos(2 pi (t - 14 h) / 24 h)) over hour h, times the days.
    const double w = 2 * pi / 86400, t0 = h * 3600.0 - 14 * 3600.0, t1 = t0 + 3600;
    const double expected = days * p.mean_rate * (3600 + p.amplitude * (std::sin(w * t1) - std::sin(w * t0)) / w);
    const double z = (hourly[static_cast<size_t>(h)] - expected) / std::sqrt(expected);
    worst = std::max(worst, std::fabs(z));
    INFO("hour " << h << " count " << hourly[static_cast<size_t>(h)] << " expected " << expected);
    CHECK(std::fabs(z) < 4.5);
  }
  WARN("diurnal: " << n << " arrivals over " << days << " days, worst hourly |z| = " << worst);
  // Peak at 14:00 sits between the [13,14) and [14,15) bins; the trough at 02:00.
  auto peak = std::max_element(hourly.begin(), hourly.end()) - hourly.begin();
  auto trough = std::min_element(hourly.begin(), hourly.end()) - hourly.begin();
  CHECK((peak == 13 || peak == 14));
  CHECK((trough == 1 || trough == 2));
}

TEST_CASE("Diurnal: compressed period keeps the peak hour", "[workload]") {
  DiurnalParams p;
  p.mean_rate = 200;
  p.amplitude = 1;
  p.period_s = 240;  // one day in 4 minutes: 10 s per hour
  p.peak_hour = 6;
  p.start_hour = 0;
  DiurnalStream s(p, 0, 240 * 20, 5);
  std::vector<double> bins(24, 0);
  while (!s.finished()) bins[static_cast<size_t>(std::fmod(s.pop().arrival_s, 240.0) / 10)] += 1;
  auto peak = std::max_element(bins.begin(), bins.end()) - bins.begin();
  CHECK((peak == 5 || peak == 6));
  CHECK(s.rate_at(60) == Approx(400));  // 06:00
  CHECK(s.rate_at(180) == Approx(0).margin(1e-9));  // 18:00
}

namespace {
// Drives a closed-loop stream against an infinite-server station with a fixed service time.
struct LoopResult {
  size_t issued = 0;
  uint32_t max_in_flight = 0;
  double last_arrival = 0;
};
LoopResult run_loop(ArrivalStream& s, double service_s, double horizon) {
  using C = std::pair<double, Request>;
  auto cmp = [](const C& a, const C& b) { return a.first > b.first; };
  std::priority_queue<C, std::vector<C>, decltype(cmp)> done(cmp);
  LoopResult r;
  uint32_t in_flight = 0;
  for (;;) {
    double ta = s.peek_time(), tc = done.empty() ? kNever : done.top().first;
    if (std::min(ta, tc) >= horizon) break;
    if (tc <= ta) {
      auto [t, req] = done.top();
      done.pop();
      --in_flight;
      s.on_completion(req, t);
    } else {
      Request req = s.pop();
      REQUIRE(req.client != 0);
      r.last_arrival = req.arrival_s;
      ++r.issued;
      r.max_in_flight = std::max(r.max_in_flight, ++in_flight);
      done.emplace(req.arrival_s + service_s, req);
    }
  }
  return r;
}
}  // namespace

TEST_CASE("Closed loop: at most N in flight, throughput N / (think + service)", "[workload]") {
  ClosedLoopParams p;
  p.clients = 8;
  p.think_s = 0.5;
  ClosedLoopStream s(p, 0, 10000, 9);
  auto r = run_loop(s, 0.3, 10000);
  CHECK(r.max_in_flight <= 8);
  CHECK(r.max_in_flight == 8);
  const double throughput = static_cast<double>(r.issued) / 10000;
  WARN("closed loop: 8 clients, think 0.5 s (exp), service 0.3 s: " << throughput << " req/s (expected 10)");
  CHECK(throughput == Approx(8 / 0.8).epsilon(0.02));
}

TEST_CASE("Closed loop: stalls without completions, cap per client, client ids", "[workload]") {
  ClosedLoopParams p;
  p.clients = 3;
  p.think_s = 1;
  p.dist = ThinkDist::Constant;
  p.requests_per_client = 4;
  p.client_base = 10;
  ClosedLoopStream s(p, 5, 1e9, 2);
  std::vector<Request> first;
  while (std::isfinite(s.peek_time())) first.push_back(s.pop());
  REQUIRE(first.size() == 3);  // one per client, then nothing until completions come
  CHECK_FALSE(s.finished());
  CHECK(s.in_flight() == 3);
  std::vector<uint32_t> clients;
  for (auto& r : first) {
    clients.push_back(r.client);
    CHECK(r.arrival_s >= 5);
    CHECK(r.arrival_s < 6);  // constant think: uniform initial phase in [start, start + think)
  }
  std::sort(clients.begin(), clients.end());
  CHECK(clients == std::vector<uint32_t>{11, 12, 13});
  // Completion at t=100 of client 12: its next request comes exactly one think time later.
  s.on_completion(first[1], 100);
  REQUIRE(s.peek_time() == Approx(101));
  CHECK(s.pop().client == first[1].client);
  // A foreign client id and an open-loop request are ignored.
  Request foreign;
  foreign.client = 99;
  s.on_completion(foreign, 50);
  CHECK(!std::isfinite(s.peek_time()));
  // Run to the cap: 4 requests per client, then finished.
  ClosedLoopStream c(p, 0, 1e9, 2);
  auto r = run_loop(c, 0.25, 1e9);
  CHECK(r.issued == 12);
  CHECK(c.finished());
}

TEST_CASE("Determinism: same seed, same arrivals — other seed, other arrivals", "[workload]") {
  auto make = [](uint64_t seed) {
    WorkloadContext ctx;
    ctx.experiment_file = "exp.yaml";
    ctx.seed = seed;
    ctx.duration_s = 600;
    ctx.default_model = 0;
    ctx.default_source = 0;
    ctx.resolve_model = [](const std::string& n, const std::string&) { return n == "a" ? 0u : 1u; };
    ctx.resolve_host = [](const std::string& n, const std::string&) { return n == "h1" ? 0u : 1u; };
    YAML::Node n = YAML::Load(R"(
sources:
  - {type: poisson, rate: 3, models: {a: 1, b: 2}, sources: {h1: 1, h2: 1}}
  - {type: mmpp, states: [{rate: 10, mean_sojourn: 5s}, {rate: 1, mean_sojourn: 20s}]}
  - {type: diurnal, mean_rate: 2, amplitude: 0.5, period: 5min}
)");
    auto s = make_workload(n, ctx);
    std::vector<Request> out;
    while (!s->finished()) out.push_back(s->pop());
    return out;
  };
  auto a = make(123), b = make(123), c = make(124);
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 1000);
  bool same = true;
  for (size_t i = 0; i < a.size(); ++i)
    same = same && a[i].id == i && a[i].arrival_s == b[i].arrival_s && a[i].model == b[i].model &&
           a[i].source == b[i].source;
  CHECK(same);
  bool differs = a.size() != c.size();
  for (size_t i = 0; !differs && i < a.size(); ++i) differs = a[i].arrival_s != c[i].arrival_s;
  CHECK(differs);
}

TEST_CASE("Memory: 10 M Poisson arrivals in O(1) memory", "[workload]") {
  // Reset the peak RSS to the current RSS (Linux >= 4.0), so earlier tests do not count.
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  const long before = vm_hwm_kb();
  WorkloadContext ctx;
  ctx.experiment_file = "exp.yaml";
  ctx.seed = 1;
  ctx.duration_s = 1000;
  ctx.resolve_model = [](const std::string& n, const std::string&) { return n == "a" ? 0u : 1u; };
  ctx.resolve_host = [](const std::string&, const std::string&) { return 0u; };
  auto s = make_workload(YAML::Load("{type: poisson, rate: 10000, models: {a: 3, b: 1}, source: h}"), ctx);
  uint64_t n = 0, model_a = 0;
  double last = 0, checksum = 0;
  while (!s->finished()) {
    Request r = s->pop();
    ++n;
    model_a += r.model == 0;
    checksum += r.arrival_s - last;
    last = r.arrival_s;
  }
  const long hwm = vm_hwm_kb();
  WARN("10M Poisson: " << n << " arrivals, VmHWM " << before << " kB -> " << hwm << " kB");
  CHECK(std::fabs(static_cast<double>(n) - 1e7) < 4 * std::sqrt(1e7));
  CHECK(static_cast<double>(model_a) / static_cast<double>(n) == Approx(0.75).margin(0.001));
  CHECK(checksum == Approx(last));
  // O(1): the peak grows by far less than keeping the requests would take (10 M × 56 B = 560 MB).
  // The growth is measured, not the absolute peak: under ASan the process starts near 100 MB of
  // shadow memory and mapped code before the first arrival (the absolute bound failed there once the
  // test binary grew).
  if (hwm >= 0 && before >= 0) CHECK(hwm - before < 16 * 1024);
}
