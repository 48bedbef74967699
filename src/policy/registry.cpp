#include "policy/builtin_policies.hpp"

#include <fmt/format.h>
#include <map>

#include "core/error.hpp"

namespace ce {

namespace {
std::map<std::string, PolicyFactory>& registry() {
  static std::map<std::string, PolicyFactory> r = {
      {"monolithic", make_monolithic},
      {"round-robin", make_round_robin},
      {"latency-first", make_latency_first},
      {"carbonedge", make_carbonedge},
      {"intensity-adaptive", make_intensity_adaptive},
      {"autoscale", make_autoscale},
  };
  return r;
}
}  // namespace

void register_policy(const std::string& type, PolicyFactory factory) { registry()[type] = std::move(factory); }

std::vector<std::string> policy_types() {
  std::vector<std::string> out;
  for (auto& [k, v] : registry()) out.push_back(k);
  return out;
}

std::unique_ptr<Policy> make_policy(const PolicySpec& spec, const PolicyContext& ctx) {
  auto it = registry().find(spec.type);
  if (it == registry().end()) {
    std::string names;
    for (auto& t : policy_types()) names += (names.empty() ? "" : ", ") + t;
    fail_at_key(ctx.experiment ? ctx.experiment->file : "experiment", spec.key + ".type",
                fmt::format("unknown policy type '{}' (known: {})", spec.type, names));
  }
  std::string file = ctx.experiment ? ctx.experiment->file : "experiment";
  // Safety net for factories that read raw YAML: a value of an unexpected YAML type that no explicit
  // check caught (yaml-cpp throws BadConversion / InvalidNode) is still a one-line input error
  // naming the policy's key, not an uncaught library exception.
  try {
    return it->second(YamlSection(spec.params, file, spec.key), ctx);
  } catch (const YAML::Exception& e) {
    const std::string what = fmt::format("unexpected YAML value in this policy's parameters ({})", e.msg);
    if (e.mark.line >= 0) fail_in_file(file, fmt::format("line {}: key '{}': {}", e.mark.line + 1, spec.key, what));
    fail_at_key(file, spec.key, what);
  }
}

Plan whole_model_on(const ModelProfile* m, uint32_t host) {
  Plan p;
  p.model = m;
  p.stages.push_back({host, 1, static_cast<uint32_t>(m->row_count() - 1)});
  return p;
}

uint32_t host_param(const YamlSection& params, const std::string& key, const PolicyContext& ctx) {
  std::string name = params.str(key);
  int h = ctx.platform->host_index(name);
  if (h < 0) params.fail(key, fmt::format("unknown host '{}' (not in {})", name, ctx.platform->file));
  return static_cast<uint32_t>(h);
}

}  // namespace ce
