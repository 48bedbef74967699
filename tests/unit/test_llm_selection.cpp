// Carbon-aware model selection over a language-model family on an LLM engine (intensity-adaptive,
// hand-built view, no SimGrid): the device's own phase power prices each variant (stage_dynamic_energy
// on a nominal request), so the lowest intensity of the window serves the most accurate variant that
// fits in memory and the highest the cheapest; variants too big for the device are left out.
#include <catch2/catch.hpp>

#include "models/cost_model.hpp"
#include "models/llm_cost.hpp"
#include "policy/policy.hpp"

using namespace ce;

namespace {

// An 8 GB device, 5 W idle, 25 W prefill / 15 W decode, 100 GB/s, 10 TFLOP/s.
HostSpec llm_device() {
  auto a = std::make_shared<AcceleratorSpec>();
  a->name = "nano";
  a->memory_bytes = 8e9;
  a->modes = {{"on", 5, ""}};
  LlmModeRates r;
  for (int i = 0; i < 3; ++i) r.bandwidth[i] = 100e9, r.flops[i] = 10e12;
  r.prefill_w = 25;
  r.decode_w = 15;
  a->llm = {r};
  HostSpec h;
  h.name = "nano";
  h.region = "A";
  h.accelerator = a;
  h.scheduler = "llm";
  h.memory_bytes = 8e9;
  PstateSpec p;
  p.speed = kAcceleratorSpeed;
  p.idle_w = p.epsilon_w = p.all_cores_w = p.one_core_w = 5;
  h.pstates = {p};
  return h;
}

}  // namespace

TEST_CASE("llm: the device's phase power prices a nominal request; what it cannot hold or run is +inf",
          "[llm][policy]") {
  const HostSpec h = llm_device();
  const ModelProfile& q3 = *ModelCatalog().find("qwen2.5-3b");
  const LlmRequestCost c = llm_request_alone(h.accelerator->llm[0], q3, kNominalPromptTokens, kNominalOutputTokens);
  CHECK(stage_dynamic_energy(h, q3, 1, 2, 0) == Approx(20 * c.ttft_s + 10 * c.decode_s));
  CHECK(stage_dynamic_energy(h, q3, 1, 1, 0) == Approx(20 * c.ttft_s));  // the prefill phase alone
  CHECK(std::isinf(stage_dynamic_energy(h, *ModelCatalog().find("resnet50"), 1, 1, 0)));
  CHECK(std::isnan(stage_dynamic_energy(HostSpec{}, q3, 1, 2, 0)));  // flop-rated: the caller's model
}

TEST_CASE("llm: intensity-adaptive picks the best-quality variant that fits at low intensity, the cheapest at high",
          "[llm][policy]") {
  PlatformSpec plat;
  plat.file = "p.yaml";
  plat.hosts = {llm_device()};
  plat.index_hosts();
  ModelCatalog models;
  Experiment exp;
  exp.file = "e.yaml";
  ClusterView view;
  view.platform = &plat;
  view.models = &models;
  view.hosts.resize(1);
  PolicySpec s{"ia", "intensity-adaptive", YAML::Load("{host: nano, c_low: 100, c_high: 300}"), "policies.ia", {}};
  PolicyContext ctx{&plat, &models, &exp, {0}};
  auto p = make_policy(s, ctx);
  const std::vector<const ModelProfile*> variants = models.variants("qwen2.5");
  REQUIRE(variants.size() == 12);
  Request req;
  req.source = 0;
  auto served = [&](double intensity) {
    view.hosts[0].intensity = intensity;
    return p->decide(req, variants, view).model;
  };
  const ModelProfile* low = served(100);
  const ModelProfile* high = served(300);
  REQUIRE(low != nullptr);
  REQUIRE(high != nullptr);
  // qwen2.5-7b fp16 (15 GB) does not fit in 8 GB: the most expensive variant that does is served.
  CHECK(low->name == "qwen2.5-7b-int8");
  CHECK(high->name == "qwen2.5-0.5b-int4");
  CHECK(low->top1 > high->top1);
  const ModelProfile* mid = served(200);
  CHECK(stage_dynamic_energy(plat.hosts[0], *mid, 1, 2, 0) < stage_dynamic_energy(plat.hosts[0], *low, 1, 2, 0));
  CHECK(stage_dynamic_energy(plat.hosts[0], *mid, 1, 2, 0) > stage_dynamic_energy(plat.hosts[0], *high, 1, 2, 0));
}
