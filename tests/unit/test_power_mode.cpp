// power-mode on hand-built views (no SimGrid): the low mode while the zone's intensity is at or
// above the threshold, the high mode below it, on backlog, and for an interval after a late
// request; routing to the shortest queue; one-line errors for a mode the accelerator lacks.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "policy/policy.hpp"

using namespace ce;

namespace {

std::shared_ptr<AcceleratorSpec> orin() {
  auto a = std::make_shared<AcceleratorSpec>();
  a->name = "orin";
  a->modes = {{"MaxQ", 5.5, ""}, {"MAXN", 6.5, ""}};
  return a;
}

HostSpec accel(const std::string& name, const std::string& region) {
  HostSpec h;
  h.name = name;
  h.region = region;
  h.accelerator = orin();
  for (const auto& m : h.accelerator->modes) {
    PstateSpec p;
    p.speed = kAcceleratorSpeed;
    p.idle_w = p.epsilon_w = p.all_cores_w = p.one_core_w = m.idle_w;
    h.pstates.push_back(p);
  }
  h.batching.max_batch = 4;
  return h;
}

struct Fleet {
  PlatformSpec plat;
  ModelCatalog models;
  Experiment exp;
  ClusterView view;
  std::vector<const ModelProfile*> variants;
  Fleet() {
    plat.file = "p.yaml";
    HostSpec dev;
    dev.name = "dev";
    dev.region = "A";
    dev.pstates = {PstateSpec{1e9, 1, 1, 2, 2}};
    plat.hosts = {dev, accel("g1", "A"), accel("g2", "B")};
    for (uint32_t i = 0; i < 3; ++i)
      for (uint32_t j = 0; j < 3; ++j)
        if (i != j) plat.add_route(i, j, {});
    plat.index_hosts();
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(3);
    exp.file = "e.yaml";
    variants = models.variants("resnet50");
  }
  std::unique_ptr<Policy> make(const std::string& yaml) {
    PolicySpec s{"pm", "power-mode", YAML::Load(yaml), "policies.pm", {}};
    PolicyContext ctx{&plat, &models, &exp, {0}};
    return make_policy(s, ctx);
  }
  Decisions send(Policy& p, PolicyEvent ev) {
    Decisions out;
    ev.t = view.now_s;
    p.on_event(ev, view, out);
    return out;
  }
  // pstate decisions applied to the view; returns them as (host, pstate)
  std::vector<std::pair<uint32_t, uint32_t>> apply(const Decisions& ds) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    for (const auto& d : ds)
      if (d.kind == Decision::SetPstate) {
        out.push_back({d.host, d.pstate});
        view.hosts[d.host].pstate = d.pstate;
      }
    return out;
  }
};

using Moves = std::vector<std::pair<uint32_t, uint32_t>>;

}  // namespace

TEST_CASE("power-mode: low mode at or above the threshold, high below it, per zone", "[policy][power-mode]") {
  Fleet f;
  f.view.hosts[1].intensity = 300;  // zone A: dirty
  f.view.hosts[2].intensity = 100;  // zone B: clean
  auto p = f.make("{high: MAXN, low: MaxQ, threshold: 200}");
  PolicyEvent start;
  start.kind = PolicyEvent::Start;
  // g1 starts in pstate 0 = MaxQ (low) already; g2 goes to MAXN (pstate 1).
  CHECK(f.apply(f.send(*p, start)) == Moves{{2, 1}});
  // Zone B turns dirty: only B's server moves.
  f.view.hosts[2].intensity = 250;
  PolicyEvent ch;
  ch.kind = PolicyEvent::IntensityChange;
  const std::string b = "B";
  ch.zone = &b;
  CHECK(f.apply(f.send(*p, ch)) == Moves{{2, 0}});
  // Exactly at the threshold counts as high intensity; below it, back to MAXN.
  f.view.hosts[2].intensity = 200;
  CHECK(f.apply(f.send(*p, ch)).empty());
  f.view.hosts[2].intensity = 199.9;
  CHECK(f.apply(f.send(*p, ch)) == Moves{{2, 1}});
}

TEST_CASE("power-mode: a backlog or a late request keeps the fast mode", "[policy][power-mode]") {
  Fleet f;
  f.view.hosts[1].intensity = f.view.hosts[2].intensity = 300;
  auto p = f.make("{high: MAXN, low: MaxQ, threshold: 200, interval: 10s}");
  PolicyEvent start;
  start.kind = PolicyEvent::Start;
  f.apply(f.send(*p, start));
  // g1's backlog above 2 × max_batch = 8: fast mode at the next timer.
  f.view.hosts[1].queued = 9;
  PolicyEvent tick;
  tick.kind = PolicyEvent::Timer;
  CHECK(f.apply(f.send(*p, tick)) == Moves{{1, 1}});
  f.view.hosts[1].queued = 0;
  // A request completed after its SLO: every server fast for the next interval, then low again.
  Request r;
  r.arrival_s = 0;
  r.slo_s = 0.05;
  f.view.now_s = 0.2;
  PolicyEvent done;
  done.kind = PolicyEvent::RequestDone;
  done.request = &r;
  done.completed = true;
  f.send(*p, done);
  CHECK(f.apply(f.send(*p, tick)) == Moves{{2, 1}});
  CHECK(f.apply(f.send(*p, tick)) == Moves{{1, 0}, {2, 0}});
}

TEST_CASE("power-mode: routes to the least-loaded server, counting requests still on their way",
          "[policy][power-mode]") {
  Fleet f;
  auto p = f.make("{high: MAXN, low: MaxQ}");
  Request r;
  r.id = 7;
  r.source = 0;
  PolicyEvent a;
  a.kind = PolicyEvent::Arrival;
  a.request = &r;
  a.variants = &f.variants;
  f.view.hosts[1].busy = 2;
  auto ds = f.send(*p, a);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].kind == Decision::Place);
  CHECK(ds[0].plan.stages.at(0).host == 2);
  f.view.hosts[2].queued = 3;
  CHECK(f.send(*p, a).at(0).plan.stages.at(0).host == 1);
  // An idle view: requests placed but not yet arrived count, so two arrivals go to two servers.
  Fleet g;
  auto q = g.make("{high: MAXN, low: MaxQ}");
  a.variants = &g.variants;
  CHECK(g.send(*q, a).at(0).plan.stages.at(0).host == 1);
  r.id = 8;
  CHECK(g.send(*q, a).at(0).plan.stages.at(0).host == 2);
  // g1's request done: g1 is the least loaded again.
  PolicyEvent done;
  done.kind = PolicyEvent::RequestDone;
  r.id = 7;
  done.request = &r;
  g.send(*q, done);
  r.id = 9;
  CHECK(g.send(*q, a).at(0).plan.stages.at(0).host == 1);
}

TEST_CASE("power-mode: a mode the accelerator does not have is a one-line error naming the key",
          "[policy][power-mode]") {
  Fleet f;
  try {
    f.make("{high: MAXN, low: 15W}");
    FAIL("accepted an unknown mode");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("policies.pm.low") != std::string::npos);
    CHECK(what.find("'15W' is no power mode of host 'g1'") != std::string::npos);
    CHECK(what.find("MaxQ, MAXN") != std::string::npos);
    CHECK(what.find('\n') == std::string::npos);
  }
  CHECK_THROWS_AS(f.make("{high: MAXN, low: MaxQ, servers: [dev]}"), InputError);
}
