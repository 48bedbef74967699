// The geographic placement policies on a hand-built view (no SimGrid): nearest takes the lowest
// network latency, energy-first the least dynamic energy, carbon-greedy the least carbon per
// inference among the hosts that meet the SLO (the nearest when none does), skipping hosts that
// are off; a loaded host's queue counts against the SLO. A request that no usable candidate could
// serve within its SLO even unloaded is placed and flagged (Plan::beyond_slo_reach).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/platform_spec.hpp"
#include "policy/policy.hpp"

using namespace ce;
namespace fs = std::filesystem;

namespace {

// Users in Frankfurt (site fra: device `users`, a server `fra-srv`); servers in Paris (`par-srv`,
// a 4-core T4-class one) and Oslo (`osl-srv`, a less efficient one), ~480 and ~1,100 km away.
// Distance model: 1 ms + 2 × km / 204 km/ms. Users in Sydney (`far`), ~16,000 km from all of them.
struct Bench {
  PlatformSpec plat;
  ModelCatalog models;
  Experiment exp;
  ClusterView view;
  std::vector<const ModelProfile*> variants;
  Bench() {
    const fs::path dir = fs::temp_directory_path() / ("ce-geo-pol-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "p.yaml").string();
    std::ofstream(path)
        << "name: geo\nnetwork: {distance: {}}\n"
           "sites:\n"
           "  - {name: fra, lat: 50.1155, lon: 8.6842, region: DE, uplink: {bandwidth: 1Gbps, latency: 1ms},\n"
           "     hosts: [{name: users, cores: 1, speed: 1Gf, power: \"10:15\", attach: {bandwidth: 1Gbps, latency: 5ms}},\n"
           "             {name: fra-srv, cores: 4, speed: 16Tf, power: \"190:260:470\", attach: {bandwidth: 1Gbps, latency: 0.2ms}}]}\n"
           "  - {name: par, lat: 48.8534, lon: 2.3488, region: FR, uplink: {bandwidth: 1Gbps, latency: 1ms},\n"
           "     hosts: [{name: par-srv, cores: 4, speed: 16Tf, power: \"100:140:200\", attach: {bandwidth: 1Gbps, latency: 0.2ms}}]}\n"
           "  - {name: osl, lat: 59.9127, lon: 10.7461, region: NO, uplink: {bandwidth: 1Gbps, latency: 1ms},\n"
           "     hosts: [{name: osl-srv, cores: 4, speed: 16Tf, power: \"190:300:600\", attach: {bandwidth: 1Gbps, latency: 0.2ms}}]}\n"
           "  - {name: syd, lat: -33.8688, lon: 151.2093, region: AU, uplink: {bandwidth: 1Gbps, latency: 1ms},\n"
           "     hosts: [{name: far, cores: 1, speed: 1Gf, power: \"10:15\", attach: {bandwidth: 1Gbps, latency: 5ms}}]}\n";
    plat = load_platform(path);
    fs::remove_all(dir);
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(plat.hosts.size());
    view.hosts[host("fra-srv")].intensity = 400;
    view.hosts[host("par-srv")].intensity = 60;
    view.hosts[host("osl-srv")].intensity = 5;
    exp.file = "e.yaml";
    variants = models.variants("resnet50");
  }
  uint32_t host(const char* n) const { return static_cast<uint32_t>(plat.host_index(n)); }
  std::unique_ptr<Policy> make(const std::string& type) {
    PolicySpec s{"p", type, YAML::Load("{hosts: ['*-srv']}"), "policies.p", {}};
    PolicyContext ctx{&plat, &models, &exp, {host("users"), host("far")}};
    return make_policy(s, ctx);
  }
  Plan plan(Policy& p, double slo, const char* source = "users") {
    Request r;
    r.source = host(source);
    r.slo_s = slo;
    Plan plan = p.decide(r, variants, view);
    REQUIRE_FALSE(plan.rejected());
    return plan;
  }
  uint32_t place(Policy& p, double slo) { return plan(p, slo).stages.front().host; }
  // The input there and the result back on an idle network (ResNet-50's tensors).
  double round_trip(const char* from, const char* to) const {
    const ModelProfile& m = *variants.back();
    return plat.transfer_time(host(from), host(to), m.cut_bytes(0)) +
           plat.transfer_time(host(to), host(from), m.cut_bytes(m.row_count() - 1));
  }
};

}  // namespace

TEST_CASE("geo policies: nearest, energy-first and carbon-greedy choose by latency, energy, carbon", "[policy][geo]") {
  Bench b;
  auto nearest = b.make("nearest"), energy = b.make("energy-first"), greedy = b.make("carbon-greedy");
  CHECK(b.place(*nearest, 1) == b.host("fra-srv"));
  // Dynamic power per busy core: Frankfurt 70 W, Paris 20 W, Oslo 100 W.
  CHECK(b.place(*energy, 1) == b.host("par-srv"));
  // A loose SLO: Oslo's 5 g/kWh outweighs its five times Paris's power per core (500 < 1,200).
  const double osl_g = b.plat.hosts[b.host("osl-srv")].per_core_w(0) * 5;
  const double par_g = b.plat.hosts[b.host("par-srv")].per_core_w(0) * 60;
  REQUIRE(osl_g < par_g);
  CHECK(b.place(*greedy, 1) == b.host("osl-srv"));
  // An SLO that Oslo's distance cannot meet, Paris's can: the input there and the result back
  // (ResNet-50's tensors over 1 Gbps links, distance latency included) plus 2 ms for the service.
  const ModelProfile& m = *b.variants.back();
  auto round_trip = [&](const char* h) {
    return b.plat.transfer_time(b.host("users"), b.host(h), m.cut_bytes(0)) +
           b.plat.transfer_time(b.host(h), b.host("users"), m.cut_bytes(m.row_count() - 1));
  };
  const double slo = round_trip("par-srv") + 0.002;
  REQUIRE(round_trip("osl-srv") > slo);
  CHECK(b.place(*greedy, slo) == b.host("par-srv"));
  // Paris off: the next cleanest within the SLO is Frankfurt itself.
  b.view.hosts[b.host("par-srv")].on = false;
  b.view.hosts[b.host("par-srv")].power = Power::Off;
  CHECK(b.place(*greedy, slo) == b.host("fra-srv"));
  CHECK(b.place(*energy, 1) == b.host("fra-srv"));  // Frankfurt's 70 W/core beats Oslo's 100
  // An SLO nobody meets: the nearest usable.
  CHECK(b.place(*greedy, 1e-6) == b.host("fra-srv"));
  b.view.hosts[b.host("fra-srv")].on = false;
  b.view.hosts[b.host("fra-srv")].power = Power::Off;
  CHECK(b.place(*nearest, 1) == b.host("osl-srv"));
}

TEST_CASE("carbon-greedy: a queue that would break the SLO moves the request on", "[policy][geo]") {
  Bench b;
  auto greedy = b.make("carbon-greedy");
  const double slo = 0.2;
  CHECK(b.place(*greedy, slo) == b.host("osl-srv"));
  // 2,000 stages queued in Oslo (4 cores, ~0.5 ms each): ~0.26 s of wait.
  b.view.hosts[b.host("osl-srv")].busy = 4;
  b.view.hosts[b.host("osl-srv")].queued = 2000;
  CHECK(b.place(*greedy, slo) == b.host("par-srv"));
}

TEST_CASE("geo policies: a request no candidate could serve within its SLO is placed and flagged", "[policy][geo]") {
  Bench b;
  // 0.1 s: Frankfurt's users reach every server in time; Sydney's are ~0.16 s away one way.
  const double slo = 0.1;
  for (const char* h : {"fra-srv", "par-srv", "osl-srv"}) {
    REQUIRE(b.round_trip("users", h) + 0.01 < slo);
    REQUIRE(b.round_trip("far", h) > slo);
  }
  uint32_t nearest_to_far = b.host("fra-srv");
  for (const char* h : {"par-srv", "osl-srv"})
    if (b.plat.path(b.host("far"), b.host(h)).latency < b.plat.path(b.host("far"), nearest_to_far).latency)
      nearest_to_far = b.host(h);
  for (const char* type : {"nearest", "energy-first", "carbon-greedy"}) {
    INFO(type);
    auto p = b.make(type);
    CHECK_FALSE(b.plan(*p, slo).beyond_slo_reach);
    const Plan far = b.plan(*p, slo, "far");  // placed all the same (carbon-greedy: the nearest)
    CHECK(far.beyond_slo_reach);
    if (std::string(type) != "energy-first") CHECK(far.stages.front().host == nearest_to_far);
    CHECK(b.plan(*p, slo, "far").beyond_slo_reach);  // cached per (device, model, SLO): still so
    CHECK_FALSE(b.plan(*p, 1, "far").beyond_slo_reach);  // a looser SLO brings it within reach
  }
}

TEST_CASE("geo policies: the SLO reach follows power states, not just distance", "[policy][geo]") {
  Bench b;
  auto nearest = b.make("nearest"), greedy = b.make("carbon-greedy");
  // An SLO only Frankfurt's own server meets: with it off, Frankfurt's users are beyond reach.
  const double slo = b.round_trip("users", "fra-srv") + 0.002;
  REQUIRE(b.round_trip("users", "par-srv") > slo);
  CHECK_FALSE(b.plan(*nearest, slo).beyond_slo_reach);
  b.view.hosts[b.host("fra-srv")].on = false;
  b.view.hosts[b.host("fra-srv")].power = Power::Off;
  CHECK(b.plan(*nearest, slo).beyond_slo_reach);
  CHECK(b.plan(*greedy, slo).beyond_slo_reach);
  b.view.hosts[b.host("fra-srv")].on = true;
  b.view.hosts[b.host("fra-srv")].power = Power::On;
  CHECK_FALSE(b.plan(*nearest, slo).beyond_slo_reach);
  // A loaded queue is not beyond reach: carbon-greedy falls back but does not flag it.
  b.view.hosts[b.host("fra-srv")].busy = 4;
  b.view.hosts[b.host("fra-srv")].queued = 2000;
  const Plan loaded = b.plan(*greedy, slo);
  CHECK(loaded.stages.front().host == b.host("fra-srv"));
  CHECK_FALSE(loaded.beyond_slo_reach);
}
