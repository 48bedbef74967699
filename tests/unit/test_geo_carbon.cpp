// geo-carbon on a hand-built view (no SimGrid): streams go to the cleanest pool within the SLO and
// the latency budget, the MILP keeps only the hosts the streams need on (never one with work),
// boots before it switches off, and a device no pool can serve goes to the nearest host, flagged.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/platform_spec.hpp"
#include "policy/policy.hpp"

using namespace ce;
namespace fs = std::filesystem;

namespace {

// Users in Frankfurt; two servers there (DE, 400 g/kWh), two in Paris (FR, 60), one in Oslo (NO, 5);
// users in Sydney (`far`) whom no server can reach within 50 ms.
struct Bench {
  PlatformSpec plat;
  ModelCatalog models;
  Experiment exp;
  ClusterView view;
  std::vector<const ModelProfile*> variants;
  double t = 0;
  uint64_t next_id = 1;
  Bench() {
    const fs::path dir = fs::temp_directory_path() / ("ce-geo-carbon-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "p.yaml").string();
    std::ofstream(path)
        << "name: geo\nnetwork: {distance: {}}\n"
           "sites:\n"
           "  - {name: fra, lat: 50.1155, lon: 8.6842, region: DE, uplink: {bandwidth: 10Gbps, latency: 0.5ms},\n"
           "     hosts: [{name: users, cores: 1, speed: 1Gf, power: \"10:15\", attach: {bandwidth: 10Gbps, latency: 5ms}},\n"
           "             {name: \"fra-srv-{i}\", count: 2, cores: 4, speed: 16Tf, power: \"190:260:470\", attach: {bandwidth: 10Gbps, latency: 0.1ms}}]}\n"
           "  - {name: par, lat: 48.8534, lon: 2.3488, region: FR, uplink: {bandwidth: 10Gbps, latency: 0.5ms},\n"
           "     hosts: [{name: \"par-srv-{i}\", count: 2, cores: 4, speed: 16Tf, power: \"190:260:470\", attach: {bandwidth: 10Gbps, latency: 0.1ms}}]}\n"
           "  - {name: osl, lat: 59.9127, lon: 10.7461, region: NO, uplink: {bandwidth: 10Gbps, latency: 0.5ms},\n"
           "     hosts: [{name: osl-srv-1, cores: 4, speed: 16Tf, power: \"190:260:470\", attach: {bandwidth: 10Gbps, latency: 0.1ms}}]}\n"
           "  - {name: syd, lat: -33.8688, lon: 151.2093, region: AU, uplink: {bandwidth: 10Gbps, latency: 0.5ms},\n"
           "     hosts: [{name: far, cores: 1, speed: 1Gf, power: \"10:15\", attach: {bandwidth: 10Gbps, latency: 5ms}}]}\n";
    plat = load_platform(path);
    fs::remove_all(dir);
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(plat.hosts.size());
    for (const char* h : {"fra-srv-1", "fra-srv-2"}) view.hosts[host(h)].intensity = 400;
    for (const char* h : {"par-srv-1", "par-srv-2"}) view.hosts[host(h)].intensity = 60;
    view.hosts[host("osl-srv-1")].intensity = 5;
    exp.file = "e.yaml";
    variants = models.variants("resnet50");
  }
  uint32_t host(const char* n) const { return static_cast<uint32_t>(plat.host_index(n)); }
  std::unique_ptr<Policy> make(const std::string& params) {
    PolicySpec s{"p", "geo-carbon", YAML::Load(params), "policies.p", {}};
    PolicyContext ctx{&plat, &models, &exp, {host("users"), host("far")}};
    return make_policy(s, ctx);
  }
  Decisions event(Policy& p, PolicyEvent ev) {
    Decisions out;
    view.now_s = ev.t = t;
    p.on_event(ev, view, out);
    return out;
  }
  // One arrival; returns the decisions and the request's plan.
  std::pair<Decisions, Plan> arrive(Policy& p, double slo, const char* source = "users") {
    Request r;
    r.id = next_id++;
    r.arrival_s = t;
    r.source = host(source);
    r.slo_s = slo;
    PolicyEvent ev;
    ev.kind = PolicyEvent::Arrival;
    ev.request = &r;
    ev.variants = &variants;
    Decisions out = event(p, ev);
    Plan plan;
    for (const Decision& d : out)
      if ((d.kind == Decision::Place || d.kind == Decision::Reject) && d.request == r.id) plan = d.plan;
    return {out, plan};
  }
  Decisions timer(Policy& p, double at) {
    t = at;
    PolicyEvent ev;
    ev.kind = PolicyEvent::Timer;
    ev.timer = 1;
    return event(p, ev);
  }
  // sim/'s part: power decisions take effect at once (no boot time in this platform).
  void apply(const Decisions& out) {
    for (const Decision& d : out) {
      if (d.kind == Decision::PowerOff) view.hosts[d.host].on = false, view.hosts[d.host].power = Power::Off;
      if (d.kind == Decision::PowerOn) view.hosts[d.host].on = true, view.hosts[d.host].power = Power::On;
    }
  }
  static std::vector<uint32_t> hosts_of(const Decisions& out, Decision::Kind k) {
    std::vector<uint32_t> v;
    for (const Decision& d : out)
      if (d.kind == k) v.push_back(d.host);
    std::sort(v.begin(), v.end());
    return v;
  }
};

}  // namespace

TEST_CASE("geo-carbon: the cleanest pool within the SLO, then only its host stays on", "[geo][geo-carbon]") {
  Bench b;
  auto p = b.make("{hosts: ['*-srv-*'], warmup: 10s}");
  PolicyEvent start;
  start.kind = PolicyEvent::Start;
  const Decisions s = b.event(*p, start);
  REQUIRE(s.size() == 1);
  CHECK(s[0].kind == Decision::SetTimer);
  CHECK(s[0].until == 10);
  // Before the first solve every host is on: the stream goes to Oslo, the cleanest within 50 ms.
  auto [out, plan] = b.arrive(*p, 0.050);
  REQUIRE_FALSE(plan.rejected());
  CHECK(plan.stages.front().host == b.host("osl-srv-1"));
  CHECK_FALSE(plan.beyond_slo_reach);
  // The solve keeps Oslo's server on and switches the other four off; the next timer is on the hour.
  const Decisions solve = b.timer(*p, 10);
  CHECK(Bench::hosts_of(solve, Decision::PowerOff) ==
        std::vector<uint32_t>{b.host("fra-srv-1"), b.host("fra-srv-2"), b.host("par-srv-1"), b.host("par-srv-2")});
  CHECK(Bench::hosts_of(solve, Decision::PowerOn).empty());
  CHECK(std::any_of(solve.begin(), solve.end(), [](const Decision& d) { return d.kind == Decision::SetTimer && d.until == 3600; }));
  b.apply(solve);
  b.t = 20;
  CHECK(b.arrive(*p, 0.050).second.stages.front().host == b.host("osl-srv-1"));
}

TEST_CASE("geo-carbon: a host with work is never switched off; the budget limits the choice", "[geo][geo-carbon]") {
  Bench b;
  SECTION("running hosts stay on") {
    auto p = b.make("{hosts: ['*-srv-*'], warmup: 10s}");
    b.arrive(*p, 0.050);
    b.view.hosts[b.host("fra-srv-2")].busy = 1;  // still serving something placed earlier
    const Decisions solve = b.timer(*p, 10);
    CHECK(Bench::hosts_of(solve, Decision::PowerOff) ==
          std::vector<uint32_t>{b.host("fra-srv-1"), b.host("par-srv-1"), b.host("par-srv-2")});
    b.apply(solve);
    // It drains: no new work goes there, and it goes off when its last request is done.
    b.t = 10.5;
    CHECK(b.arrive(*p, 0.050).second.stages.front().host == b.host("osl-srv-1"));
    PolicyEvent done;
    done.kind = PolicyEvent::RequestDone;
    CHECK(Bench::hosts_of(b.event(*p, done), Decision::PowerOff).empty());  // still busy
    b.view.hosts[b.host("fra-srv-2")].busy = 0;
    CHECK(Bench::hosts_of(b.event(*p, done), Decision::PowerOff) == std::vector<uint32_t>{b.host("fra-srv-2")});
  }
  SECTION("a zero budget keeps the stream at the nearest site") {
    auto p = b.make("{hosts: ['*-srv-*'], warmup: 10s, latency_budget: 0ms}");
    const Plan plan = b.arrive(*p, 0.050).second;
    const uint32_t h = plan.stages.front().host;
    CHECK((h == b.host("fra-srv-1") || h == b.host("fra-srv-2")));
    const Decisions solve = b.timer(*p, 10);
    // One Frankfurt server carries it; everything else goes off.
    CHECK(Bench::hosts_of(solve, Decision::PowerOff).size() == 4);
    b.apply(solve);
    const uint32_t on = b.view.hosts[b.host("fra-srv-1")].on ? b.host("fra-srv-1") : b.host("fra-srv-2");
    CHECK(b.view.hosts[on].on);
    b.t = 11;
    CHECK(b.arrive(*p, 0.050).second.stages.front().host == on);
  }
  SECTION("an 8 ms budget reaches Paris (~6.7 ms farther), not Oslo (~12 ms)") {
    auto p = b.make("{hosts: ['*-srv-*'], warmup: 10s, latency_budget: 8ms}");
    const uint32_t h = b.arrive(*p, 0.050).second.stages.front().host;
    CHECK((h == b.host("par-srv-1") || h == b.host("par-srv-2")));
  }
}

TEST_CASE("geo-carbon: a pool switched back on boots before the old one goes off", "[geo][geo-carbon]") {
  Bench b;
  // With boot times: Oslo's server off at first, so the first solve must boot it.
  auto p = b.make("{hosts: ['*-srv-*'], warmup: 10s}");
  b.view.hosts[b.host("osl-srv-1")].on = false;
  b.view.hosts[b.host("osl-srv-1")].power = Power::Off;
  const uint32_t first = b.arrive(*p, 0.050).second.stages.front().host;
  CHECK(b.plat.hosts[first].region == "FR");  // Oslo is off: Paris is the cleanest host on
  const Decisions solve = b.timer(*p, 10);
  CHECK(Bench::hosts_of(solve, Decision::PowerOn) == std::vector<uint32_t>{b.host("osl-srv-1")});
  // No boot time in this platform: the surplus goes off in the same breath.
  CHECK(Bench::hosts_of(solve, Decision::PowerOff).size() == 4);
}

TEST_CASE("geo-carbon: a device no pool serves within its SLO goes to the nearest host, flagged", "[geo][geo-carbon]") {
  Bench b;
  auto p = b.make("{hosts: ['*-srv-*']}");
  const Plan plan = b.arrive(*p, 0.050, "far").second;
  REQUIRE_FALSE(plan.rejected());
  CHECK(plan.beyond_slo_reach);
  uint32_t nearest = 0;
  double best = 1e9;
  for (const char* h : {"fra-srv-1", "fra-srv-2", "par-srv-1", "par-srv-2", "osl-srv-1"})
    if (b.plat.path(b.host("far"), b.host(h)).latency < best) best = b.plat.path(b.host("far"), b.host(h)).latency, nearest = b.host(h);
  CHECK(plan.stages.front().host == nearest);
}

TEST_CASE("geo-carbon: bad parameters are one-line errors naming the key", "[geo][geo-carbon]") {
  Bench b;
  CHECK_THROWS_WITH(b.make("{latency_budget: -1ms}"), Catch::Contains("latency_budget"));
  CHECK_THROWS_WITH(b.make("{replan: 10s}"), Catch::Contains("replan"));
  CHECK_THROWS_WITH(b.make("{max_utilisation: 0}"), Catch::Contains("max_utilisation"));
  CHECK_THROWS_WITH(b.make("{solver_gap: 1}"), Catch::Contains("solver_gap"));
  CHECK_THROWS_WITH(b.make("{options_per_zone: 0}"), Catch::Contains("options_per_zone"));
  CHECK_THROWS_WITH(b.make("{link_sharing: -1}"), Catch::Contains("link_sharing"));
  CHECK_THROWS_WITH(b.make("{budget: 5ms}"), Catch::Contains("unknown key"));
}
