// monolithic: the whole model on one host — a configured one, or the request's source device.
// With a family request it serves the variant named by `variant` (default: the largest).
#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

class Monolithic : public Policy {
 public:
  Monolithic(int host, std::string variant) : host_(host), variant_(std::move(variant)) {}
  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = variants.back();
    if (!variant_.empty())
      for (auto* v : variants)
        if (v->name == variant_) m = v;
    uint32_t host = host_ >= 0 ? static_cast<uint32_t>(host_) : req.source;
    const Power power = view.hosts[host].power;
    if (!view.hosts[host].on && power != Power::Booting && power != Power::Waking)
      return Plan{nullptr, {}, "host is off"};
    return whole_model_on(m, host);
  }

 private:
  int host_;  // -1: the source device
  std::string variant_;
};

}  // namespace

std::unique_ptr<Policy> make_monolithic(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"host", "variant"});
  std::string host = p.str_or("host", "source");
  int h = host == "source" ? -1 : static_cast<int>(host_param(p, "host", ctx));
  return std::make_unique<Monolithic>(h, p.str_or("variant", ""));
}

}  // namespace ce
