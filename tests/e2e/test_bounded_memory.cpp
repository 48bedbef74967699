// Memory does not grow with run length × consumers: energy samples are folded into running totals
// and timeseries rows as they become final (docs/outputs.md "timeseries.csv"). Before, every
// host's and link's sample at every intensity change point was kept until the end of the run
// (24 bytes per consumer per interval): the long run below then needed ~140 MB more than the short
// one.
#include <catch2/catch.hpp>
#include <sys/resource.h>

#include <fstream>
#include <map>
#include <sstream>
#include <vector>
#include <string>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// 1,000 devices, each on its own link, and a server: 2,002 consumers in zone Z.
std::string many_hosts_platform() {
  return "name: many\ndefault_region: Z\nhosts:\n"
         "  - {name: \"d-{i}\", count: 1000, cores: 1, speed: 1Gf, power: \"3:6\",\n"
         "     attach: {bandwidth: 1Gbps, latency: 1ms, power: \"0.5:1.5\"}}\n"
         "  - {name: srv, cores: 4, speed: 100Gf, power: \"50:100\", attach: {bandwidth: 1Gbps, latency: 1ms}}\n";
}

std::string experiment(const std::string& duration, bool timeseries) {
  return "name: many\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: " + duration + "\n  traces: {Z: {file: z.csv}}\n"
         "workload: {type: poisson, rate: 0.01, model: resnet18, sources: {d-1: 1, d-2: 1}}\n"
         "policies:\n  p: {type: monolithic, host: srv}\n"
         "output: {requests: false, timeseries: " + std::string(timeseries ? "true" : "false") + "}\n";
}

// An intensity that changes every hour for 130 days.
std::string hourly_trace() {
  std::string s = "timestamp,value\n";
  for (int h = 0; h <= 130 * 24; ++h) s += std::to_string(h * 3600) + "," + std::to_string(100 + h % 7) + "\n";
  return s;
}

// Peak RSS (MB) of the largest child process waited for so far (carbonedge's policy children
// included: each process waits for its own).
double children_peak_mb() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// AddressSanitizer keeps freed memory in quarantine (256 MB by default) and pads every block: peak
// RSS says nothing about the program's own memory there, so the RSS bounds are checked only in
// builds without it (the row-order checks run everywhere).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssMeaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kRssMeaningful = false;
#else
constexpr bool kRssMeaningful = true;
#endif
#else
constexpr bool kRssMeaningful = true;
#endif

}  // namespace

TEST_CASE("peak memory does not grow with run length x consumers, time series off or on", "[e2e][scale]") {
  TempDir tmp;
  tmp.file("platform.yaml", many_hosts_platform());
  tmp.file("z.csv", hourly_trace());
  // RUSAGE_CHILDREN keeps the maximum over every child so far: the short run goes first and the
  // runs grow, so each reading is that run's peak (or an earlier, smaller one's).
  auto run = [&](const std::string& name, const std::string& duration, bool ts) {
    auto exp = tmp.file(name + ".yaml", experiment(duration, ts));
    auto r = run_cli("run " + exp + " --out " + (tmp / name) + " --quiet", tmp);
    INFO(r.err);
    REQUIRE(r.rc == 0);
    return children_peak_mb();
  };
  const double short_mb = run("short", "1d", false);
  // With the time series on (30 days: 1,441,440 rows, ~100 MB on disk), the rows go to the file as
  // they are final; the kept samples were ~50 MB (vector capacity included), +20 MB of peak RSS.
  const double ts_mb = run("ts", "30d", true);
  INFO("peak RSS 30 days with timeseries.csv: " << ts_mb << " MB");
  if (kRssMeaningful) CHECK(ts_mb - short_mb < 8);
  // Time-major: sorted by t1_s, then the hosts in platform order, then the links. Read line by
  // line (the file is large); names and numbers here need no CSV quoting.
  std::ifstream in(tmp / "ts/p/timeseries.csv");
  std::string line;
  REQUIRE(std::getline(in, line));
  std::map<std::string, size_t> index;  // consumer/kind -> position in the first t1's block
  size_t n = 0;
  bool sorted = true;
  double prev_t1 = -1;
  size_t prev_c = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) f.push_back(x);
    REQUIRE(f.size() == 10);
    const std::string key = f[0] + "/" + f[1];
    if (n < 2002) index.emplace(key, n);
    if (n == 0) CHECK(key == "d-1/host");
    if (n == 1000) CHECK(key == "srv/host");
    if (n == 1001) CHECK(f[1] == "link");
    const double t1 = std::stod(f[4]);
    const size_t c = index.at(key);
    if (n > 0) sorted = sorted && (prev_t1 < t1 || (prev_t1 == t1 && prev_c < c));
    prev_t1 = t1;
    prev_c = c;
    ++n;
  }
  CHECK(index.size() == 2002);
  CHECK(n == 30 * 24 * 2002);
  CHECK(sorted);
  // Time series off: 120 days × 24 intervals × 2,002 consumers, whose kept samples alone were
  // ~138 MB. Last, since RUSAGE_CHILDREN only grows.
  const double long_mb = run("long", "120d", false);
  INFO("peak RSS 1 day: " << short_mb << " MB, 120 days: " << long_mb << " MB");
  if (kRssMeaningful) CHECK(long_mb - short_mb < 40);
}
