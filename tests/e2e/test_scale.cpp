// Platforms declared at scale (count / attach / sites, docs/inputs.md "Many hosts and sites"), glob
// sources, backlog warnings and max_queue: end to end through the CLI, with a golden latency and
// link-energy check of a route across two sites against hand computation.
#include <catch2/catch.hpp>

#include <set>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// Two sites of two hosts; every host on its own 8 Mbps arm (1e6 B/s, 1 ms), each site on a
// 80 Mbps uplink (1e7 B/s, 10 ms). Host power 10:30 W, links idle 0 W (arms 0:2, uplinks 1:3).
const char* kSites =
    "name: two_sites\n"
    "sites:\n"
    "  - name: \"s{i}\"\n    count: 2\n    region: Z\n"
    "    uplink: {bandwidth: 80Mbps, latency: 10ms, power: \"1:3\"}\n"
    "    hosts:\n"
    "      - {name: \"{site}-h{i}\", count: 2, cores: 1, speed: 1Gf, power: \"10:30\",\n"
    "         attach: {bandwidth: 8Mbps, latency: 1ms, power: \"0:2\"}}\n";

std::string one_request(const std::string& policy, const std::string& extra = "") {
  return "name: scale\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  traces: {Z: {file: z.csv}}\n"
         "models:\n  - {name: block, gmacs: 0.5, input_elems: 250000, output_elems: 2500}\n"
         "workload: {type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, start: 60s, "
         "model: block, source: s1-h1}\n"
         "policies:\n  p: " + policy + "\n" + extra;
}

}  // namespace

TEST_CASE("sites: a request across two sites crosses arm, both uplinks, arm; golden latency and link energy",
          "[e2e][scale][golden]") {
  TempDir tmp;
  tmp.file("platform.yaml", kSites);
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,100\n");
  auto exp = tmp.file("exp.yaml", one_request("{type: monolithic, host: s2-h2}"));
  auto v = run_cli("validate " + exp, tmp);
  INFO(v.out << v.err);
  REQUIRE(v.rc == 0);
  CHECK(v.out.find("4 hosts, 6 links") != std::string::npos);  // 4 arms + 2 uplinks
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/p/summary.json");
  // In: 1e6 B over arm, uplink, uplink, arm: 1+10+10+1 ms + 1e6 / 1e6 B/s (the arms are the
  // bottleneck). Exec: 1e9 flop at 1 Gf = 1 s. Out: 1e4 B back: 22 ms + 1e4 / 1e6.
  const double t_in = 0.022 + 1.0, t_exec = 1.0, t_out = 0.022 + 0.01;
  CHECK(rel_err(s["latency_ms"]["mean"], (t_in + t_exec + t_out) * 1e3) < 1e-9);
  // Dynamic energy of a link = (busy − idle) × bytes / its bandwidth: arms 2 W × 1 s (+ 0.01 s),
  // uplinks 2 W × 0.1 s (+ 0.001 s); the host 20 W × 1 s.
  const auto& links = s["per_link"];
  CHECK(rel_err(links["s1-h1-link"]["dynamic_energy_j"], 2 * 1.01) < 1e-9);
  CHECK(rel_err(links["s2-h2-link"]["dynamic_energy_j"], 2 * 1.01) < 1e-9);
  CHECK(rel_err(links["s1-uplink"]["dynamic_energy_j"], 2 * 0.101) < 1e-9);
  CHECK(rel_err(links["s2-uplink"]["dynamic_energy_j"], 2 * 0.101) < 1e-9);
  CHECK(links["s1-h2-link"]["dynamic_energy_j"] == 0.0);
  CHECK(rel_err(s["dynamic_energy_j"], 20 + 4 * 1.01 + 4 * 0.101) < 1e-9);
}

TEST_CASE("sites: a request inside one site stays off the uplinks", "[e2e][scale][golden]") {
  TempDir tmp;
  tmp.file("platform.yaml", kSites);
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,100\n");
  auto exp = tmp.file("exp.yaml", one_request("{type: monolithic, host: s1-h2}"));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  auto s = read_json(tmp / "out/p/summary.json");
  CHECK(rel_err(s["latency_ms"]["mean"], (0.002 + 1.0 + 1.0 + 0.002 + 0.01) * 1e3) < 1e-9);
  CHECK(s["per_link"]["s1-uplink"]["dynamic_energy_j"] == 0.0);
}

TEST_CASE("count, {i}/{site} patterns, attach and sites: mistakes are one line naming the key, exit 2",
          "[e2e][scale][bad_input]") {
  struct Case {
    const char* platform;
    const char* expect;
  };
  const Case cases[] = {
      {"name: p\ndefault_region: Z\nhosts:\n  - {name: \"h{i}\", cores: 1, speed: 1Gf, power: \"1:2\"}\n",
       "hosts[0].name"},
      {"name: p\ndefault_region: Z\nhosts:\n  - {name: h, count: 3, cores: 1, speed: 1Gf, power: \"1:2\"}\n",
       "hosts[0].count"},
      {"name: p\ndefault_region: Z\nhosts:\n  - {name: \"h{i}\", count: 0, cores: 1, speed: 1Gf, power: \"1:2\"}\n",
       "hosts[0].count"},
      {"name: p\ndefault_region: Z\nhosts:\n  - {name: \"h{i}\", count: 2, cores: 1, speed: 1Gf, power: \"1:2\"}\n"
       "  - {name: h2, cores: 1, speed: 1Gf, power: \"1:2\"}\n",
       "duplicate name 'h2'"},
      {"name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"1:2\"}\n", "hosts[0].region"},
      {"name: p\ndefault_region: Z\nlinks:\n  - {name: ap, bandwidth: 1Gbps}\nsites:\n"
       "  - {name: \"s{i}\", count: 2, uplink: {bandwidth: 1Gbps}, hosts: [{name: \"{site}-h\", speed: 1Gf, "
       "power: \"1:2\", attach: ap}]}\n",
       "attach hosts of different sites"},
      {"name: p\ndefault_region: Z\nhosts:\n  - {name: \"{site}-h\", speed: 1Gf, power: \"1:2\"}\n",
       "{site} is only known"},
      {"name: p\ndefault_region: Z\nsites:\n  - {name: s, uplink: {bandwidth: 1Gbps}, hosts: [{name: a, speed: 1Gf, "
       "power: \"1:2\", attach: {bandwidth: 1Gbps}}, {name: b, speed: 1Gf, power: \"1:2\", attach: {bandwidth: "
       "1Gbps}}]}\nnetwork:\n  routes: [{src: a, dst: b, links: [a-link]}]\n",
       "network.routes"},
      {"name: p\ndefault_region: Z\nhosts:\n  - {name: h, speed: 1Gf, power: \"1:2\", max_queue: -1}\n",
       "hosts[0].max_queue"},
      // 10,000 sites × 1,000 hosts: refused before a host is made, not after 10^7 of them.
      {"name: p\ndefault_region: Z\nsites:\n  - {name: \"s{i}\", count: 10000, uplink: {bandwidth: 1Gbps}, hosts: "
       "[{name: \"{site}-h{i}\", count: 1000, speed: 1Gf, power: \"1:2\"}]}\n",
       "more than 1000000 hosts"},
  };
  for (const auto& c : cases) {
    TempDir tmp;
    tmp.file("platform.yaml", c.platform);
    tmp.file("z.csv", "timestamp,value\n0,100\n3600,100\n");
    auto exp = tmp.file("exp.yaml", "name: x\nplatform: platform.yaml\ncarbon:\n  start: 2023-01-01T00:00:00Z\n"
                                    "  duration: 1h\n  traces: {Z: {file: z.csv}}\n"
                                    "workload: {type: poisson, rate: 1, model: resnet18, source: nowhere}\n"
                                    "policies:\n  p: {type: round-robin}\n");
    auto r = run_cli("validate " + exp, tmp);
    INFO(c.platform << "\n→ " << r.err);
    CHECK(r.rc == 2);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK(count_lines(r.err) == 1);
  }
}

TEST_CASE("glob sources: every matching host sends, a pattern matching none is an error", "[e2e][scale]") {
  TempDir tmp;
  tmp.file("platform.yaml", kSites);
  tmp.file("z.csv", "timestamp,value\n0,100\n3600,100\n");
  const std::string base = "name: g\nseed: 5\nplatform: platform.yaml\n"
                           "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 10min\n  traces: {Z: {file: z.csv}}\n"
                           "models:\n  - {name: block, gmacs: 0.001, input_elems: 100, output_elems: 10}\n"
                           "policies:\n  p: {type: monolithic, host: s2-h2}\n";
  auto exp = tmp.file("exp.yaml", base + "workload: {type: poisson, rate: 2, model: block, sources: {\"*-h1\": 1}}\n");
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  std::set<std::string> sources;
  auto rows = read_csv_rows(tmp / "out/p/requests.csv");
  size_t col = 0;
  while (col < rows[0].size() && rows[0][col] != "source") ++col;
  REQUIRE(col < rows[0].size());
  for (size_t i = 1; i < rows.size(); ++i) sources.insert(rows[i][col]);
  CHECK(sources == std::set<std::string>{"s1-h1", "s2-h1"});
  auto bad = tmp.file("bad.yaml", base + "workload: {type: poisson, rate: 2, model: block, sources: {\"cam-*\": 1}}\n");
  auto b = run_cli("validate " + bad, tmp);
  CHECK(b.rc == 2);
  CHECK(b.err.find("pattern 'cam-*' matches no host") != std::string::npos);
}

namespace {
// A device on a fast or a slow (8 Mbps) arm and a server of 1 Gflop/s: ResNet-18 (1.8 GMAC) takes
// 3.6 s on it, its 602 kB input 0.6 s on the slow arm.
std::string overload_platform(const std::string& dev_bw, const std::string& srv_extra, const char* srv_speed = "1Gf") {
  return "name: overload\ndefault_region: Z\nhosts:\n"
         "  - {name: dev, cores: 4, speed: 2Gf, power: \"3:6\", attach: {bandwidth: " + dev_bw + ", latency: 1ms}}\n"
         "  - {name: srv, cores: 1, speed: " + srv_speed + ", power: \"10:20\", attach: {bandwidth: 1Gbps}" + srv_extra +
         "}\n";
}
std::string overload_experiment(double rate, const std::string& duration) {
  return "name: o\nseed: 2\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: " + duration + "\n  traces: {Z: {file: z.csv}}\n"
         "workload: {type: poisson, rate: " + std::to_string(rate) + ", model: resnet18, source: dev}\n"
         "policies:\n  p: {type: monolithic, host: srv}\noutput: {requests: false, timeseries: false}\n";
}
}  // namespace

TEST_CASE("a host queue that grows all hour long is reported once, live and in summary.json", "[e2e][scale]") {
  TempDir tmp;
  tmp.file("platform.yaml", overload_platform("1Gbps", ""));
  tmp.file("z.csv", "timestamp,value\n0,100\n7200,100\n");
  auto exp = tmp.file("exp.yaml", overload_experiment(0.4, "90min"));  // 0.4 req/s against 0.28 served
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.find("warning: p: host 'srv' backlog grew without bound") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
  auto s = read_json(tmp / "out/p/summary.json");
  REQUIRE(s.contains("warnings"));
  CHECK(s["warnings"].size() == 1);
  // Below capacity: no warning, no key.
  auto calm = tmp.file("calm.yaml", overload_experiment(0.2, "90min"));
  auto c = run_cli("run " + calm + " --out " + (tmp / "calm") + " --quiet", tmp);
  REQUIRE(c.rc == 0);
  CHECK(c.err.empty());
  CHECK_FALSE(read_json(tmp / "calm/p/summary.json").contains("warnings"));
}

TEST_CASE("a link with ever more transfers in flight is reported", "[e2e][scale]") {
  TempDir tmp;
  tmp.file("platform.yaml", overload_platform("8Mbps", "", "100Gf"));  // the server keeps up
  tmp.file("z.csv", "timestamp,value\n0,100\n86400,100\n");
  // 1.9 req/s of 602 kB over 1e6 B/s: the arm carries 1.66 a second; what is in flight at the
  // end drains after the arrival window.
  auto exp = tmp.file("exp.yaml", overload_experiment(1.9, "80min"));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.find("link 'dev-link': transfers in progress over it grew") != std::string::npos);
}

TEST_CASE("max_queue: requests beyond a full queue are rejected (or fail once energy was spent), all accounted",
          "[e2e][scale]") {
  TempDir tmp;
  tmp.file("platform.yaml", overload_platform("1Gbps", ", max_queue: 5"));
  tmp.file("z.csv", "timestamp,value\n0,100\n7200,100\n");
  auto exp = tmp.file("exp.yaml", overload_experiment(0.4, "90min"));
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.empty());  // the cap keeps the queue bounded: nothing grows
  auto s = read_json(tmp / "out/p/summary.json");
  const long arrived = s["requests_arrived"], done = s["requests_completed"], rej = s["requests_rejected"],
             failed = s["requests_failed"];
  CHECK(arrived == done + rej + failed);
  CHECK(rej > 0);
  // Served at most at the server's rate (ResNet-18: 1.82 GMAC = 3.64 s per request), and an admitted
  // request finds at most 4 waiting and 1 running: latency ≤ 6 executions + transfers.
  CHECK(done <= 5400 / 3.6 + 1);
  CHECK(double(s["latency_ms"]["max"]) <= 6 * 3.7e3);
  CHECK(double(s["latency_ms"]["max"]) >= 5 * 3.6e3);  // the cap is what bounds it, and it is reached
}
