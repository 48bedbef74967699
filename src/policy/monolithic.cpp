// monolithic: the whole model on one host — a configured one, or the request's source device.
// With a family request it serves the variant named by `variant` (default: the largest). A host
// that is booting gets the request queued; a host that is off (or asleep), or whose memory cannot hold the model's weights, rejects the request (docs/inputs.md:
// a stage whose weights do not fit is not placeable, for every policy).
#include <fmt/format.h>

#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/model_cache.hpp"

namespace ce {
namespace {

class Monolithic : public Policy {
 public:
  Monolithic(int host, std::string variant, std::vector<double> memory)
      : host_(host), variant_(std::move(variant)), memory_(std::move(memory)) {}
  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = variants.back();
    if (!variant_.empty())
      for (auto* v : variants)
        if (v->name == variant_) m = v;
    uint32_t host = host_ >= 0 ? static_cast<uint32_t>(host_) : req.source;
    const Power power = view.hosts[host].power;  // a booting (or waking) host queues the work
    if (!view.hosts[host].on && power != Power::Booting && power != Power::Waking)
      return Plan{nullptr, {}, "host is off"};
    if (host < memory_.size() && memory_[host] > 0 && weight(m) > memory_[host])
      return Plan{nullptr, {}, "model weights do not fit in the host's memory"};
    return whole_model_on(m, host);
  }

 private:
  double weight(const ModelProfile* m) const {
    return weights_.get(m, [m] { return stage_weight_bytes(*m, 1, m->row_count() - 1); });
  }
  int host_;  // -1: the source device
  std::string variant_;
  std::vector<double> memory_;  // per host: memory limit in bytes (0 = unlimited)
  PerModelCache<double> weights_;
};

}  // namespace

std::unique_ptr<Policy> make_monolithic(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "variant"});
  std::string host = p.str_or("host", "source");
  int h = host == "source" ? -1 : static_cast<int>(host_param(p, "host", ctx));
  std::vector<double> memory;
  for (const auto& hs : ctx.platform->hosts) memory.push_back(hs.memory_bytes);
  return std::make_unique<Monolithic>(h, p.str_or("variant", ""), std::move(memory));
}

}  // namespace ce
