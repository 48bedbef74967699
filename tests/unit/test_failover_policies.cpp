// The failover policies (full-replica, cloud-failover, faillite) on hand-built views and events
// (no SimGrid): which replica serves a request, faillite's backup plan at the start, its
// progressive failover and its clean-up when the primary is back, cloud-failover's deployment.
#include <catch2/catch.hpp>

#include "models/replica_set.hpp"
#include "policy/policy.hpp"
#include "policy/replica_routing.hpp"

using namespace ce;

namespace {

HostSpec host(const std::string& name, double memory_bytes) {
  HostSpec h;
  h.name = name;
  PstateSpec p;
  p.speed = 1e10;
  p.idle_w = p.epsilon_w = 10;
  p.all_cores_w = p.one_core_w = 30;
  h.pstates = {p};
  h.region = "Z";
  h.memory_bytes = memory_bytes;
  return h;
}

// dev (source), s1, s2 (400 MB each), cloud (unlimited). Replicas: ResNet-50 warm on s1,
// MobileNetV2 warm on s2: two services.
struct Fleet {
  PlatformSpec plat;
  ModelCatalog models;
  Experiment exp;
  ClusterView view;
  std::vector<std::unique_ptr<std::vector<const ModelProfile*>>> variant_lists;
  const ModelProfile* m(const std::string& name) const { return models.find(name); }
  Fleet() {
    plat.file = "p.yaml";
    plat.hosts = {host("dev", 0), host("s1", 400e6), host("s2", 400e6), host("cloud", 0)};
    const size_t n = plat.hosts.size();
    for (uint32_t i = 0; i < n; ++i)
      for (uint32_t j = 0; j < n; ++j)
        if (i != j) plat.add_route(i, j, {});
    view.platform = &plat;
    view.models = &models;
    view.hosts.resize(n);
    exp.file = "e.yaml";
    exp.platform = plat;
    exp.replicas.tracked = true;
    exp.replicas.initial = {{1, "resnet50", true, "replicas[0]"}, {2, "mobilenet_v2", true, "replicas[1]"}};
    view.replicas_tracked = true;
    view.replicas.resize(n);
    view.resident_bytes.assign(n, 0);
    set(1, "resnet50", ReplicaState::Warm);
    set(2, "mobilenet_v2", ReplicaState::Warm);
  }
  // What sim/ would show after a load or a loss.
  void set(uint32_t h, const std::string& model, ReplicaState st) {
    const ModelProfile* p = m(model);
    bool found = false;
    for (auto& r : view.replicas[h])
      if (r.model == p) {
        r.state = st;
        found = true;
      }
    if (!found) view.replicas[h].push_back({p, st, replica_bytes(*p)});
    double b = 0;
    for (auto& r : view.replicas[h])
      if (r.state == ReplicaState::Warm || r.state == ReplicaState::Loading) b += r.bytes;
    view.resident_bytes[h] = b;
  }
  void fail(uint32_t h) {
    view.hosts[h].failed = true;
    view.hosts[h].on = false;
    view.hosts[h].power = Power::Off;
    for (auto& r : view.replicas[h])
      if (r.state == ReplicaState::Warm) set(h, r.model->name, ReplicaState::Cold);
  }
  void repair(uint32_t h) {
    view.hosts[h].failed = false;
    view.hosts[h].on = true;
    view.hosts[h].power = Power::On;
  }
  std::unique_ptr<Policy> make(const std::string& type, const std::string& yaml) {
    PolicySpec s{"p", type, YAML::Load(yaml), "policies.p", {}};
    PolicyContext ctx{&plat, &models, &exp, {0}};
    return make_policy(s, ctx);
  }
  Decisions send(Policy& p, PolicyEvent ev) {
    Decisions out;
    p.on_event(ev, view, out);
    return out;
  }
  Decisions arrival(Policy& p, const std::string& model, Request& req) {
    variant_lists.push_back(std::make_unique<std::vector<const ModelProfile*>>(models.variants(model)));
    req.source = 0;
    PolicyEvent ev;
    ev.kind = PolicyEvent::Arrival;
    ev.request = &req;
    ev.variants = variant_lists.back().get();
    return send(p, ev);
  }
  PolicyEvent host_change(uint32_t h) {
    PolicyEvent ev;
    ev.kind = PolicyEvent::HostChange;
    ev.host = h;
    return ev;
  }
  PolicyEvent loaded(uint32_t h, const std::string& model) {
    set(h, model, ReplicaState::Warm);
    PolicyEvent ev;
    ev.kind = PolicyEvent::ReplicaChange;
    ev.host = h;
    ev.model = m(model);
    return ev;
  }
};

using Move = std::tuple<Decision::Kind, uint32_t, std::string>;
std::vector<Move> moves(const Decisions& ds) {
  std::vector<Move> out;
  for (const auto& d : ds)
    if (d.kind == Decision::Deploy || d.kind == Decision::Evict) out.emplace_back(d.kind, d.host, d.model->name);
    else if (d.kind == Decision::Place) out.emplace_back(d.kind, d.plan.stages.at(0).host, d.plan.model->name);
    else out.emplace_back(d.kind, 0, d.reason);
  return out;
}

}  // namespace

TEST_CASE("choose_replica: warm before loading before cold, largest variant first, hosts that are down skipped",
          "[policy][replicas]") {
  Fleet f;
  Request req;
  req.source = 0;
  const auto resnets = f.models.variants("resnet");
  auto c = choose_replica(req, resnets, {1, 2}, f.view);
  REQUIRE(c);
  CHECK(c->host == 1);
  CHECK(c->model->name == "resnet50");
  f.set(2, "resnet152", ReplicaState::Cold);
  f.set(2, "resnet18", ReplicaState::Loading);
  f.fail(1);  // resnet50 on s1 is cold now, and s1 is down
  c = choose_replica(req, resnets, {1, 2}, f.view);
  REQUIRE(c);
  CHECK(c->host == 2);
  CHECK(c->model->name == "resnet18");  // loading beats cold, even a larger cold one
  f.set(2, "resnet18", ReplicaState::Absent);
  f.view.replicas[2].pop_back();
  c = choose_replica(req, resnets, {1, 2}, f.view);
  REQUIRE(c);
  CHECK(c->model->name == "resnet152");  // cold, fits in s2's 400 MB
  CHECK_FALSE(choose_replica(req, {f.m("resnet50")}, {1}, f.view));  // the only holder is down
}

TEST_CASE("full-replica: the first host in replicas order that is up holds the requested model", "[policy][replicas]") {
  Fleet f;
  f.exp.replicas.initial.push_back({3, "resnet50", false, "replicas[2]"});
  f.set(3, "resnet50", ReplicaState::Cold);
  auto p = f.make("full-replica", "{}");
  Request req;
  CHECK(moves(f.arrival(*p, "resnet50", req)) == std::vector<Move>{{Decision::Place, 1, "resnet50"}});
  f.fail(1);
  CHECK(moves(f.arrival(*p, "resnet50", req)) == std::vector<Move>{{Decision::Place, 3, "resnet50"}});  // cold: loads
  f.fail(3);
  const auto d = f.arrival(*p, "resnet50", req);
  REQUIRE(d.size() == 1);
  CHECK(d[0].kind == Decision::Reject);
}

TEST_CASE("cloud-failover: the edge replica while it is up, else the cloud, deployed there on first need",
          "[policy][replicas]") {
  Fleet f;
  auto p = f.make("cloud-failover", "{cloud: cloud}");
  Request req;
  CHECK(moves(f.arrival(*p, "resnet50", req)) == std::vector<Move>{{Decision::Place, 1, "resnet50"}});
  f.fail(1);
  CHECK(moves(f.arrival(*p, "resnet50", req)) ==
        std::vector<Move>{{Decision::Deploy, 3, "resnet50"}, {Decision::Place, 3, "resnet50"}});
  f.set(3, "resnet50", ReplicaState::Loading);  // as sim/ shows it after the Deploy
  CHECK(moves(f.arrival(*p, "resnet50", req)) == std::vector<Move>{{Decision::Place, 3, "resnet50"}});
}

TEST_CASE("faillite: warm backups for critical services at the start, progressive failover for the others, "
          "clean-up when the primary is back",
          "[policy][replicas]") {
  Fleet f;
  // critical_share 0.5 of two services: the first listed, ResNet-50, is critical.
  auto p = f.make("faillite", "{critical_share: 0.5}");
  PolicyEvent start;
  start.kind = PolicyEvent::Start;
  // ResNet-50's backup: the other warm host with the most free memory (s2: 386 MB), the most
  // accurate ResNet no larger than the primary that fits there: ResNet-50 itself.
  CHECK(moves(f.send(*p, start)) == std::vector<Move>{{Decision::Deploy, 2, "resnet50"}});
  f.set(2, "resnet50", ReplicaState::Warm);

  // s2 fails: MobileNetV2 (not critical; backup s1) fails over progressively — the family's
  // smallest, MobileNetV3-small (10 MB), first.
  f.fail(2);
  CHECK(moves(f.send(*p, f.host_change(2))) == std::vector<Move>{{Decision::Deploy, 1, "mobilenet_v3_small"}});
  f.set(1, "mobilenet_v3_small", ReplicaState::Loading);
  Request req;
  CHECK(moves(f.arrival(*p, "mobilenet_v2", req)) ==
        std::vector<Move>{{Decision::Place, 1, "mobilenet_v3_small"}});  // waits for the load
  // Loaded: the planned variant next (MobileNetV2 itself fits on s1); requests use the small one meanwhile.
  CHECK(moves(f.send(*p, f.loaded(1, "mobilenet_v3_small"))) ==
        std::vector<Move>{{Decision::Deploy, 1, "mobilenet_v2"}});
  f.set(1, "mobilenet_v2", ReplicaState::Loading);
  CHECK(moves(f.arrival(*p, "mobilenet_v2", req)) == std::vector<Move>{{Decision::Place, 1, "mobilenet_v3_small"}});
  CHECK(moves(f.send(*p, f.loaded(1, "mobilenet_v2"))) ==
        std::vector<Move>{{Decision::Evict, 1, "mobilenet_v3_small"}});
  f.set(1, "mobilenet_v3_small", ReplicaState::Cold);
  CHECK(moves(f.arrival(*p, "mobilenet_v2", req)) == std::vector<Move>{{Decision::Place, 1, "mobilenet_v2"}});

  // s2 is repaired: the primary reloads, and so does the critical backup it held.
  f.repair(2);
  CHECK(moves(f.send(*p, f.host_change(2))) ==
        std::vector<Move>{{Decision::Deploy, 2, "resnet50"}, {Decision::Deploy, 2, "mobilenet_v2"}});
  // The primary is warm again: its failover replica on s1 goes.
  CHECK(moves(f.send(*p, f.loaded(2, "mobilenet_v2"))) == std::vector<Move>{{Decision::Evict, 1, "mobilenet_v2"}});
}

TEST_CASE("the failover policies need a replicas: section", "[policy][replicas]") {
  Fleet f;
  f.exp.replicas.tracked = false;
  for (const char* type : {"full-replica", "faillite"}) CHECK_THROWS_WITH(f.make(type, "{}"), Catch::Contains("replicas:"));
}

TEST_CASE("ensemble: members fan out to the head while it and two members are up, else one member answers",
          "[policy][replicas]") {
  Fleet f;  // members: ResNet-18 on s1 and on s2 (stand-ins), head: ResNet-34 on the cloud host
  f.set(1, "resnet18", ReplicaState::Warm);
  f.set(2, "resnet18", ReplicaState::Warm);
  f.set(3, "resnet34", ReplicaState::Warm);
  auto p = f.make("ensemble",
                  "{service: resnet50, members: [{host: s1, model: resnet18}, {host: s2, model: resnet18}],"
                  " head: {host: cloud, model: resnet34}, accuracy: [72.78, 76.13]}");
  Request req;
  auto d = f.arrival(*p, "resnet50", req);
  REQUIRE(d.size() == 1);
  REQUIRE(d[0].kind == Decision::Place);
  CHECK(d[0].plan.model->name == "resnet34");
  CHECK(d[0].plan.stages.at(0).host == 3);
  REQUIRE(d[0].plan.branches.size() == 2);
  CHECK(d[0].plan.branches[0].host == 1);
  CHECK(d[0].plan.branches[1].host == 2);
  CHECK(d[0].plan.reported->name == "resnet34@2");
  CHECK(d[0].plan.reported->top1 == 76.13);
  f.fail(3);  // the head down: the first member answers alone
  d = f.arrival(*p, "resnet50", req);
  CHECK(d[0].plan.branches.empty());
  CHECK(d[0].plan.stages.at(0).host == 1);
  CHECK(d[0].plan.reported->top1 == 72.78);
  f.repair(3);
  f.set(3, "resnet34", ReplicaState::Warm);
  f.fail(1);  // a member down: the other answers alone
  d = f.arrival(*p, "resnet50", req);
  CHECK(d[0].plan.branches.empty());
  CHECK(d[0].plan.stages.at(0).host == 2);
  f.fail(2);
  d = f.arrival(*p, "resnet50", req);
  CHECK(d[0].kind == Decision::Reject);
  // Other services from their replicas, as full-replica: MobileNetV2 on s2 is down too.
  d = f.arrival(*p, "mobilenet_v2", req);
  CHECK(d[0].kind == Decision::Reject);
}
