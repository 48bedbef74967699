// Pure logic of the core: units, overrides, SimGrid's power model, latency statistics, and the two
// skeleton policies on hand-made snapshots (no SimGrid).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "accounting/latency_stats.hpp"
#include "config/experiment.hpp"
#include "config/platform_spec.hpp"
#include "core/error.hpp"
#include "core/units.hpp"
#include "policy/policy.hpp"

using namespace ce;

TEST_CASE("quantities with units", "[core]") {
  CHECK(*parse_quantity("100Mbps", Unit::Bandwidth) == 12.5e6);
  CHECK(*parse_quantity("2h", Unit::Duration) == 7200);
  CHECK(*parse_quantity("1.5Gf", Unit::Speed) == 1.5e9);
  CHECK(*parse_quantity("512MiB", Unit::Bytes) == 512.0 * 1048576);
  CHECK_FALSE(parse_quantity("5 parsecs", Unit::Duration));
}

TEST_CASE("overrides (--set) change nested keys and list entries", "[core]") {
  YAML::Node doc = YAML::Load("a: {b: 1}\nlist: [{x: 1}, {x: 2}]\n");
  apply_override(doc, "a.b=3", "f");
  apply_override(doc, "list.1.x=7", "f");
  apply_override(doc, "new.key=hello", "f");
  CHECK(doc["a"]["b"].as<int>() == 3);
  CHECK(doc["list"][1]["x"].as<int>() == 7);
  CHECK(doc["new"]["key"].as<std::string>() == "hello");
  CHECK_THROWS_AS(apply_override(doc, "noequals", "f"), InputError);
}

TEST_CASE("overrides address list entries by name as well as by index", "[core]") {
  YAML::Node doc = YAML::Load("hosts: [{name: a, region: GB}, {name: node-green, region: NO}]\n");
  apply_override(doc, "hosts.node-green.region=DE", "f");
  apply_override(doc, "hosts.0.region=FR", "f");
  CHECK(doc["hosts"][1]["region"].as<std::string>() == "DE");
  CHECK(doc["hosts"][0]["region"].as<std::string>() == "FR");
  CHECK_THROWS_WITH(apply_override(doc, "hosts.nope.region=DE", "f"), Catch::Contains("no entry with index or name 'nope'"));
  CHECK_THROWS_AS(apply_override(doc, "hosts.7.region=DE", "f"), InputError);
}

// The YAML's "idle:one_core:all_cores" becomes SimGrid's Epsilon = (C·one − all)/(C − 1), and
// power_w is SimGrid's Epsilon + (k/C)(AllCores − Epsilon): P(1) must be the one-core value.
TEST_CASE("host power: one-core value converted to SimGrid's Epsilon, bad triples refused", "[core]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ce-power-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto load = [&](const std::string& host) {
    std::ofstream(dir / "p.yaml") << "name: p\nhosts:\n  - {name: h, speed: 1Gf, region: Z, " << host << "}\n";
    return load_platform((dir / "p.yaml").string());
  };
  HostSpec h = load("cores: 4, power: \"10:26:50\"").hosts[0];
  CHECK(h.pstates[0].epsilon_w == 18);
  CHECK(h.power_w(0, 0) == 10);
  CHECK(h.power_w(0, 1) == 26);
  CHECK(h.power_w(0, 2) == 34);
  CHECK(h.power_w(0, 3) == 42);
  CHECK(h.power_w(0, 4) == 50);
  CHECK(h.power_w(0, 9) == 50);  // capped at all cores
  // "idle:all": Epsilon = Idle (SimGrid's rule), so one core of 4 adds a quarter of the range.
  h = load("cores: 4, power: \"10:50\"").hosts[0];
  CHECK(h.power_w(0, 1) == 20);
  CHECK(h.pstates[0].one_core_w == 20);
  h = load("cores: 1, power: \"10:50\"").hosts[0];
  CHECK(h.power_w(0, 1) == 50);
  // Not expressible: one-core below idle + (all − idle)/C (Epsilon < Idle), above all-cores,
  // all-cores below idle, off above idle, a mono-core host with a different one-core value.
  CHECK_THROWS_WITH(load("cores: 4, power: \"41.5:55:96\""), Catch::Contains("between 55.125 W"));
  CHECK_THROWS_WITH(load("cores: 4, power: \"10:60:50\""), Catch::Contains("one-core power must lie"));
  CHECK_THROWS_WITH(load("cores: 2, power: \"10:5\""), Catch::Contains("below idle"));
  CHECK_THROWS_WITH(load("cores: 2, power: \"10:50\", power_off: 11"), Catch::Contains("power_off"));
  CHECK_THROWS_WITH(load("cores: 1, power: \"10:20:50\""), Catch::Contains("1-core host"));
  CHECK_THROWS_WITH(load("cores: 4294967296, power: \"10:50\""), Catch::Contains("cores"));
  fs::remove_all(dir);
}

TEST_CASE("latency percentiles are within 0.01% of the exact order statistic", "[accounting]") {
  LatencyStats s;
  for (int i = 1; i <= 1000; ++i) s.add(i * 0.001);
  CHECK(s.count() == 1000);
  CHECK(s.mean() == Approx(0.5005));
  CHECK(s.quantile(0.5) == Approx(0.5).epsilon(1e-4));
  CHECK(s.quantile(0.95) == Approx(0.95).epsilon(1e-4));
  CHECK(s.quantile(0.99) == Approx(0.99).epsilon(1e-4));
  CHECK(s.quantile(1.0) == Approx(1.0).epsilon(1e-4));
}

namespace {
struct Fixture {
  PlatformSpec plat;
  ModelCatalog models{{CustomModelSpec{"m", "m", 1, 0, 10, 10, 0, 0, "default"}}};
  ClusterView view;
  Experiment exp;
  Fixture() {
    for (const char* n : {"a", "b", "c"}) {
      HostSpec h;
      h.name = n;
      h.pstates = {{1e9, 1, 1, 2}};
      plat.hosts.push_back(h);
    }
    plat.file = "p.yaml";
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(3);
    exp.file = "e.yaml";
  }
  std::unique_ptr<Policy> make(const std::string& type, const std::string& yaml) {
    PolicySpec s{type, type, YAML::Load(yaml), "policies." + type, {}};
    PolicyContext ctx{&plat, &models, &exp, {}};
    return make_policy(s, ctx);
  }
};
}  // namespace

TEST_CASE("monolithic puts the whole model on its host or on the source", "[policy]") {
  Fixture f;
  auto vars = f.models.variants("m");
  Request r;
  r.source = 2;
  Plan p = f.make("monolithic", "{host: b}")->decide(r, vars, f.view);
  REQUIRE(p.stages.size() == 1);
  CHECK(p.stages[0].host == 1);
  CHECK(p.stages[0].first_row == 1);
  CHECK(p.stages[0].last_row == 1);
  CHECK(f.make("monolithic", "{}")->decide(r, vars, f.view).stages[0].host == 2);
  f.view.hosts[1].on = false;
  CHECK(f.make("monolithic", "{host: b}")->decide(r, vars, f.view).rejected());
  CHECK_THROWS_AS(f.make("monolithic", "{host: zz}"), InputError);
  CHECK_THROWS_AS(f.make("monolithic", "{hots: a}"), InputError);
}

TEST_CASE("round-robin cycles by request id and skips hosts that are off", "[policy]") {
  Fixture f;
  auto vars = f.models.variants("m");
  auto rr = f.make("round-robin", "{}");
  std::vector<uint32_t> got;
  for (uint64_t id = 0; id < 4; ++id) {
    Request r;
    r.id = id;
    got.push_back(rr->decide(r, vars, f.view).stages[0].host);
  }
  CHECK(got == std::vector<uint32_t>{0, 1, 2, 0});
  f.view.hosts[1].on = false;
  Request r;
  r.id = 1;
  CHECK(rr->decide(r, vars, f.view).stages[0].host == 2);
}
