// The failover policies end to end on experiments/failover_edge_month.yaml, cut to two hours with
// one recorded outage of edge-3 (its four primaries: ViT-B/16, ResNet-18, MobileNetV2,
// SqueezeNet 1.1) from 30 to 60 min: every request accounted for, Σ dynamic = total − idle, and
// what each policy does with the outage.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

const char* kPolicies[] = {"full-replica", "cloud-failover", "faillite", "ensemble"};

struct Failover {
  TempDir tmp;
  Failover() {
    tmp.file("outage.csv", "down,up\n2023-03-01T00:30:00Z,2023-03-01T01:00:00Z\n");
    const std::string exp = source_dir() + "/experiments/failover_edge_month.yaml";
    const std::string sets =
        " --set carbon.duration=2h"
        " --set 'failures=[{site: edge-3, trace: " + (tmp / "outage.csv") + "}]'";
    auto r = run_cli("run " + exp + sets + " --out " + (tmp / "out") + " -q -j 2 --data-root " + data_root(), tmp);
    INFO(r.err);
    REQUIRE(r.rc == 0);
  }
  nlohmann::json summary(const std::string& p) const { return read_json(tmp / ("out/" + p + "/summary.json")); }
};

}  // namespace

TEST_CASE("failover policies: every request accounted for and the energy invariant through an outage",
          "[e2e][failover]") {
  Failover f;
  for (const char* p : kPolicies) {
    INFO(p);
    const auto s = f.summary(p);
    CHECK(s["requests_arrived"].get<uint64_t>() ==
          s["requests_completed"].get<uint64_t>() + s["requests_failed"].get<uint64_t>() +
              s["requests_rejected"].get<uint64_t>());
    CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
    CHECK(s["replica_energy_j"].get<double>() > 0);
    CHECK(s["requests_during_failures"].get<uint64_t>() > 0);
    // The four services on edge-3 were hit, and recovered (by failover or at the repair).
    CHECK(s["failovers"].get<uint64_t>() >= 4);
    CHECK(s["unrestored"] == 0);
  }
  // cloud-failover: the cloud takes edge-3's services during the outage; nothing is lost.
  const auto cloud = f.summary("cloud-failover");
  CHECK(cloud["lost_during_failures"] == 0);
  CHECK(cloud["per_host"]["cloud-gpu"]["tasks"].get<uint64_t>() > 0);
  // full-replica: ViT-B/16's cold copy on edge-4 (346 MB) does not fit beside edge-4's primaries
  // (520 of 800 MB): its requests are rejected until edge-3 is back; the small models fail over.
  const auto full = f.summary("full-replica");
  CHECK(full["per_service"]["vit_b_16"]["availability"].get<double>() < 1);
  CHECK(full["per_service"]["resnet18"]["availability"].get<double>() > 0.99);
  // faillite: its progressive failover loads on the backups.
  const auto lite = f.summary("faillite");
  CHECK(lite["replica_loads"].get<uint64_t>() >= 1);
  CHECK(lite["per_service"]["squeezenet1_1"]["availability"].get<double>() > 0.99);
  // ensemble: ResNet-50 by its two members (edge-1, edge-2) and head (edge-4), all up: every request
  // at the full ensemble's accuracy; the others as full-replica.
  const auto ens = f.summary("ensemble");
  CHECK(ens["per_model"]["mel_r50_head@2"]["requests"] == ens["per_service"]["resnet50"]["requests"]);
  CHECK(ens["per_service"]["resnet50"]["mean_top1"].get<double>() == Approx(76.13));
  CHECK(ens["per_service"]["vit_b_16"]["availability"] == full["per_service"]["vit_b_16"]["availability"]);
}
