// round-robin: request i goes to the i-th host of a list (all hosts that are on, by default),
// cycling. Uses the request id, not a counter, so decide() stays a pure function.
#include <fmt/format.h>

#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

class RoundRobin : public Policy {
 public:
  explicit RoundRobin(std::vector<uint32_t> hosts) : hosts_(std::move(hosts)) {}
  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const size_t n = hosts_.empty() ? view.hosts.size() : hosts_.size();
    for (size_t k = 0; k < n; ++k) {  // skip hosts that are off, keep the cyclic order
      size_t slot = (req.id + k) % n;
      uint32_t h = hosts_.empty() ? static_cast<uint32_t>(slot) : hosts_[slot];
      if (view.hosts[h].on) return whole_model_on(variants.back(), h);
    }
    return Plan{nullptr, {}, "every host is off"};
  }

 private:
  std::vector<uint32_t> hosts_;
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
  return std::make_unique<RoundRobin>(hosts);
}

}  // namespace ce
