// wait-awhile on hand-built views (no SimGrid): a deferrable request goes to the cleanest forecast
// hour before its latest start; one without room, without a deadline, or coming back runs now.
#include <catch2/catch.hpp>

#include "carbon/forecast.hpp"
#include "models/cost_model.hpp"
#include "policy/policy.hpp"

using namespace ce;

namespace {

struct Bench {
  PlatformSpec plat;
  ModelCatalog models;
  Experiment exp;
  ZoneTimelines zones;
  std::unique_ptr<Forecaster> forecast;
  ClusterView view;
  std::vector<const ModelProfile*> variants;
  Bench() {
    HostSpec h;
    h.name = "jetson";
    h.cores = 1;
    PstateSpec p;
    p.speed = 1e10;
    p.idle_w = p.epsilon_w = 5;
    p.all_cores_w = p.one_core_w = 15;
    h.pstates = {p};
    h.region = "Z";
    plat.file = "p.yaml";
    plat.hosts = {h};
    // 300 g/kWh in hour 0, 100 in hour 1, 50 in hour 2, 400 after.
    zones.by_zone.emplace("Z", Timeline({{0, 300}, {3600, 100}, {7200, 50}, {10800, 400}}, 86400, false));
    forecast = make_forecaster(ForecastSpec{}, zones, 1, 0);
    view.platform = &plat;
    view.models = &models;
    view.forecast = forecast.get();
    view.hosts.resize(1);
    view.hosts[0].intensity = 300;
    exp.file = "e.yaml";
    variants = models.variants("resnet18");
  }
  std::unique_ptr<Policy> make(const std::string& yaml = "{}") {
    PolicySpec s{"wa", "wait-awhile", YAML::Load(yaml), "policies.wa", {}};
    PolicyContext ctx{&plat, &models, &exp, {0}};
    return make_policy(s, ctx);
  }
  Decisions arrive(Policy& p, const Request& r, double now, uint32_t deferrals = 0) {
    PolicyEvent ev;
    ev.kind = PolicyEvent::Arrival;
    ev.t = now;
    ev.request = &r;
    ev.variants = &variants;
    ev.deferrals = deferrals;
    view.now_s = now;
    Decisions out;
    p.on_event(ev, view, out);
    return out;
  }
};

Request deferrable(double arrival, double deadline) {
  Request r;
  r.id = 7;
  r.arrival_s = arrival;
  r.slo_s = 1;
  r.deadline_s = deadline;
  return r;
}

}  // namespace

TEST_CASE("wait-awhile defers to the cleanest forecast hour that still meets the deadline", "[policy][shifting]") {
  Bench b;
  auto p = b.make();
  // Deadline 4 h: hours 1, 2 and 3 start before the latest start; hour 2 (50 g/kWh) wins.
  Decisions d = b.arrive(*p, deferrable(600, 4 * 3600), 600);
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == Decision::Defer);
  CHECK(d[0].request == 7);
  CHECK(d[0].until == 7200);
  // Deadline 2 h from t = 600: the latest start is just before 7800 − service, so hour 2 (7200)
  // still fits; with 1.5 h only hour 1 (100 g/kWh) does.
  CHECK(b.arrive(*p, deferrable(600, 2 * 3600), 600)[0].until == 7200);
  CHECK(b.arrive(*p, deferrable(600, 1.5 * 3600), 600)[0].until == 3600);
  // A margin that leaves no whole hour before the latest start: run now.
  auto tight = b.make("{margin: 1h}");
  Decisions now = b.arrive(*tight, deferrable(600, 1.5 * 3600), 600);
  REQUIRE(now.size() == 1);
  CHECK(now[0].kind == Decision::Place);
  CHECK(now[0].plan.stages.size() == 1);
  CHECK(now[0].plan.stages[0].host == 0);
}

TEST_CASE("wait-awhile runs at once what cannot or need not wait", "[policy][shifting]") {
  Bench b;
  auto p = b.make();
  Request interactive;  // no deadline
  interactive.id = 1;
  CHECK(b.arrive(*p, interactive, 600)[0].kind == Decision::Place);
  // Coming back from a deferral: placed, whatever the forecast.
  CHECK(b.arrive(*p, deferrable(600, 4 * 3600), 7200, 1)[0].kind == Decision::Place);
  // Now is already the cleanest: no deferral (at 7300, hour 2 is 50 and what follows is 400).
  CHECK(b.arrive(*p, deferrable(7300, 4 * 3600), 7300)[0].kind == Decision::Place);
  // A host that is off rejects.
  b.view.hosts[0].on = false;
  CHECK(b.arrive(*p, interactive, 600)[0].kind == Decision::Reject);
  // So does one that cannot hold the model's weights (monolithic's rule), deferrable or not.
  b.view.hosts[0].on = true;
  b.plat.hosts[0].memory_bytes = 1000;
  auto small = b.make();
  const Decisions d = b.arrive(*small, deferrable(600, 4 * 3600), 600);
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == Decision::Reject);
  CHECK(d[0].reason == "model weights do not fit in the host's memory");
}

TEST_CASE("wait-awhile: bad parameters are one-line errors", "[policy][shifting]") {
  Bench b;
  CHECK_THROWS_WITH(b.make("{step: 10s}"), Catch::Contains("policies.wa.step") && Catch::Contains("at least 1min"));
  CHECK_THROWS_WITH(b.make("{margin: -1s}"), Catch::Contains("policies.wa.margin"));
  CHECK_THROWS_WITH(b.make("{hosts: x}"), Catch::Contains("policies.wa"));
}
