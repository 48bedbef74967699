// The event-driven policy interface on hand-built views and events (no SimGrid): autoscale's
// decisions at the start, on an arrival with no server on, and at its control timer; and the
// default on_event of a per-request policy.
#include <catch2/catch.hpp>

#include "policy/policy.hpp"

using namespace ce;

namespace {

HostSpec host(const std::string& name, double idle_w, uint32_t cores = 1) {
  HostSpec h;
  h.name = name;
  h.cores = cores;
  PstateSpec p;
  p.speed = 1e10;
  p.idle_w = p.epsilon_w = idle_w;
  p.all_cores_w = p.one_core_w = idle_w + 50;
  h.pstates = {p};
  h.region = "Z";
  return h;
}

// dev (source), then three servers: cheap (5 W), mid (50 W), dear (200 W); all reachable.
struct Fleet {
  PlatformSpec plat;
  ModelCatalog models;
  Experiment exp;
  ClusterView view;
  std::vector<const ModelProfile*> variants;
  Fleet() {
    plat.file = "p.yaml";
    plat.hosts = {host("dev", 2), host("cheap", 5), host("mid", 50, 4), host("dear", 200, 8)};
    const size_t n = plat.hosts.size();
    for (uint32_t i = 0; i < n; ++i)
      for (uint32_t j = 0; j < n; ++j)
        if (i != j) plat.add_route(i, j, {});
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(n);
    for (auto& h : view.hosts) h.intensity = 100;
    exp.file = "e.yaml";
    variants = models.variants("resnet18");
  }
  std::unique_ptr<Policy> make(const std::string& yaml) {
    PolicySpec s{"as", "autoscale", YAML::Load(yaml), "policies.as", {}};
    PolicyContext ctx{&plat, &models, &exp, {0}};
    return make_policy(s, ctx);
  }
  Decisions send(Policy& p, PolicyEvent ev) {
    Decisions out;
    ev.t = view.now_s;
    p.on_event(ev, view, out);
    return out;
  }
};

std::vector<std::pair<Decision::Kind, uint32_t>> power_moves(const Decisions& ds) {
  std::vector<std::pair<Decision::Kind, uint32_t>> out;
  for (const auto& d : ds)
    if (d.kind == Decision::PowerOn || d.kind == Decision::PowerOff) out.push_back({d.kind, d.host});
  return out;
}

}  // namespace

TEST_CASE("autoscale: keeps the cheapest server on at the start and arms its timer", "[policy][autoscale]") {
  Fleet f;
  auto p = f.make("{interval: 30s}");
  PolicyEvent start;
  start.kind = PolicyEvent::Start;
  Decisions d = f.send(*p, start);
  using M = std::vector<std::pair<Decision::Kind, uint32_t>>;
  CHECK(power_moves(d) == M{{Decision::PowerOn, 1}, {Decision::PowerOff, 2}, {Decision::PowerOff, 3}});
  REQUIRE(d.back().kind == Decision::SetTimer);
  CHECK(d.back().until == 30);
  // Carbon-aware ranking: make the cheap server's zone 100× dirtier and `mid` is kept instead.
  f.view.hosts[1].intensity = 1e4;
  d = f.send(*p, start);
  CHECK(power_moves(d) == M{{Decision::PowerOn, 2}, {Decision::PowerOff, 3}, {Decision::PowerOff, 1}});
  // ...unless carbon_aware is off: idle power alone.
  auto q = f.make("{carbon_aware: false}");
  d = f.send(*q, start);
  CHECK(power_moves(d).front() == std::make_pair(Decision::PowerOn, 1u));
}

TEST_CASE("autoscale: an arrival with no server on is deferred and one is powered on", "[policy][autoscale]") {
  Fleet f;
  auto p = f.make("{}");
  for (uint32_t h = 1; h < 4; ++h) f.view.hosts[h].on = false, f.view.hosts[h].power = Power::Off;
  Request r;
  r.id = 7;
  r.source = 0;
  PolicyEvent ev;
  ev.kind = PolicyEvent::Arrival;
  ev.request = &r;
  ev.variants = &f.variants;
  Decisions d = f.send(*p, ev);
  REQUIRE(d.size() == 2);
  CHECK(d[0].kind == Decision::PowerOn);
  CHECK(d[0].host == 1);
  CHECK(d[1].kind == Decision::Defer);
  CHECK(d[1].request == 7);
  CHECK(std::isinf(d[1].until));
  // While `cheap` boots, the next arrival waits without booting another.
  f.view.hosts[1].power = Power::Booting;
  d = f.send(*p, ev);
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == Decision::Defer);
  // Once it is on, arrivals are placed there (latency-first over the servers).
  f.view.hosts[1].power = Power::On;
  f.view.hosts[1].on = true;
  d = f.send(*p, ev);
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == Decision::Place);
  REQUIRE(d[0].plan.stages.size() == 1);
  CHECK(d[0].plan.stages[0].host == 1);
}

TEST_CASE("autoscale: its timer scales out over the target and in after `hold` quiet intervals",
          "[policy][autoscale]") {
  Fleet f;
  auto p = f.make("{interval: 10s, target_utilization: 0.5, low_utilization: 0.2, hold: 2}");
  f.view.hosts[3].on = false, f.view.hosts[3].power = Power::Off;  // cheap and mid are on
  PolicyEvent tick;
  tick.kind = PolicyEvent::Timer;
  // 5 cores on; 40 busy seconds in 10 s = 0.8 > 0.5: power on `dear`.
  f.view.hosts[2].busy_seconds = 40;
  f.view.now_s = 10;
  Decisions d = f.send(*p, tick);
  using M = std::vector<std::pair<Decision::Kind, uint32_t>>;
  CHECK(power_moves(d) == M{{Decision::PowerOn, 3}});
  CHECK(d.back().kind == Decision::SetTimer);
  CHECK(d.back().until == 20);
  // `dear` is on; the next two intervals are idle: after the second, the dearest idle one goes off.
  f.view.hosts[3].on = true, f.view.hosts[3].power = Power::On;
  f.view.now_s = 20;
  CHECK(power_moves(f.send(*p, tick)).empty());
  f.view.now_s = 30;
  CHECK(power_moves(f.send(*p, tick)) == M{{Decision::PowerOff, 3}});
  // A late completion forces a scale-out at the next tick whatever the utilisation.
  f.view.hosts[3].on = false, f.view.hosts[3].power = Power::Off;
  Request r;
  r.arrival_s = 0;
  r.slo_s = 1;
  PolicyEvent done;
  done.kind = PolicyEvent::RequestDone;
  done.completed = true;
  done.request = &r;
  f.view.now_s = 35;
  f.send(*p, done);
  f.view.now_s = 40;
  CHECK(power_moves(f.send(*p, tick)) == M{{Decision::PowerOn, 3}});
}

TEST_CASE("a per-request policy's default on_event places or rejects each arrival", "[policy]") {
  Fleet f;
  PolicySpec s{"mono", "monolithic", YAML::Load("{host: mid}"), "policies.mono", {}};
  PolicyContext ctx{&f.plat, &f.models, &f.exp, {0}};
  auto p = make_policy(s, ctx);
  CHECK(p->events() == event_bit(PolicyEvent::Arrival));
  Request r;
  r.id = 3;
  PolicyEvent ev;
  ev.kind = PolicyEvent::Arrival;
  ev.request = &r;
  ev.variants = &f.variants;
  Decisions d = f.send(*p, ev);
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == Decision::Place);
  CHECK(d[0].request == 3);
  CHECK(d[0].plan.stages.at(0).host == 2);
  f.view.hosts[2].on = false;  // monolithic with a fixed host that is off rejects
  d = f.send(*p, ev);
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == Decision::Reject);
  // Other events are no business of a per-request policy.
  PolicyEvent t;
  t.kind = PolicyEvent::Timer;
  CHECK(f.send(*p, t).empty());
}
