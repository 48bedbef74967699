// round-robin: request i goes to the i-th host of a list (all hosts, by default), cycling. Hosts
// that are off, or whose memory cannot hold the model's weights (docs/inputs.md: not placeable),
// are skipped in the cyclic order; with none left the request is rejected. Uses the request id, not
// a counter, so decide() stays a pure function.
#include <fmt/format.h>

#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/model_cache.hpp"

namespace ce {
namespace {

class RoundRobin : public Policy {
 public:
  RoundRobin(std::vector<uint32_t> hosts, std::vector<double> memory)
      : hosts_(std::move(hosts)), memory_(std::move(memory)) {}
  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = variants.back();
    const size_t n = hosts_.empty() ? view.hosts.size() : hosts_.size();
    bool any_on = false;
    double w = -1;  // the model's weight bytes, computed on the first memory-limited host
    for (size_t k = 0; k < n; ++k) {  // skip hosts that are off or too small, keep the cyclic order
      size_t slot = (req.id + k) % n;
      uint32_t h = hosts_.empty() ? static_cast<uint32_t>(slot) : hosts_[slot];
      if (!view.hosts[h].on) continue;
      any_on = true;
      if (h < memory_.size() && memory_[h] > 0) {
        if (w < 0) w = weights_.get(m, [m] { return stage_weight_bytes(*m, 1, m->row_count() - 1); });
        if (w > memory_[h]) continue;
      }
      return whole_model_on(m, h);
    }
    return Plan{nullptr, {}, any_on ? "no host that is on has the memory for the model's weights" : "every host is off"};
  }

 private:
  std::vector<uint32_t> hosts_;
  std::vector<double> memory_;  // per host: memory limit in bytes (0 = unlimited)
  PerModelCache<double> weights_;
};

}  // namespace

std::unique_ptr<Policy> make_round_robin(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"hosts"});
  std::vector<uint32_t> hosts;
  if (p.has("hosts"))
    for (const auto& name : p.str_list("hosts")) {
      int h = ctx.platform->host_index(name);
      if (h < 0) p.fail("hosts", fmt::format("unknown host '{}'", name));
      hosts.push_back(static_cast<uint32_t>(h));
    }
  std::vector<double> memory;
  for (const auto& hs : ctx.platform->hosts) memory.push_back(hs.memory_bytes);
  return std::make_unique<RoundRobin>(hosts, std::move(memory));
}

}  // namespace ce
