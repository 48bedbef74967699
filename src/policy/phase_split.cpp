// phase-split: a language model's prefill on one host and its decode steps on another (Splitwise's
// phase splitting, accelerators-llm.md §5): the prompt goes to `prefill`, its KV cache then travels
// to `decode`, which returns the output to the source. Each may be a host or `source` (the
// request's device). Equal hosts, or a model that is not a language model: the whole model there.
// With a family request it serves `variant` (default: the largest). A host that is off (or asleep)
// rejects the request; both hosts need room for the weights (docs/policies.md "Phase splitting").
#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

class PhaseSplit : public Policy {
 public:
  PhaseSplit(int prefill, int decode, std::string variant) : prefill_(prefill), decode_(decode), variant_(std::move(variant)) {}
  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants, variant_);
    const uint32_t p = prefill_ >= 0 ? static_cast<uint32_t>(prefill_) : req.source;
    const uint32_t d = decode_ >= 0 ? static_cast<uint32_t>(decode_) : req.source;
    for (uint32_t h : {p, d}) {
      const Power power = view.hosts[h].power;  // a booting (or waking) host queues the work
      if (!view.hosts[h].on && power != Power::Booting && power != Power::Waking) return Plan{nullptr, {}, "host is off"};
    }
    if (p == d || !m->llm) return whole_model_on(m, p);
    Plan plan = whole_model_on(m, p);
    plan.stages = {{p, 1, static_cast<uint32_t>(kLlmPrefillRow)}, {d, static_cast<uint32_t>(kLlmDecodeRow),
                                                                     static_cast<uint32_t>(kLlmDecodeRow)}};
    return plan;
  }

 private:
  int prefill_, decode_;  // -1: the source device
  std::string variant_;
};

int host_or_source(const YamlSection& p, const char* key, const PolicyContext& ctx) {
  return p.str(key) == "source" ? -1 : static_cast<int>(host_param(p, key, ctx));
}

}  // namespace

std::unique_ptr<Policy> make_phase_split(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"prefill", "decode", "variant"});
  return std::make_unique<PhaseSplit>(host_or_source(p, "prefill", ctx), host_or_source(p, "decode", ctx),
                                      p.str_or("variant", ""));
}

}  // namespace ce
