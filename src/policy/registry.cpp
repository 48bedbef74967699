#include "policy/builtin_policies.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <vector>

#include "core/error.hpp"

namespace ce {

namespace {
std::map<std::string, PolicyFactory>& registry() {
  static std::map<std::string, PolicyFactory> r = {
      {"monolithic", make_monolithic},
      {"phase-split", make_phase_split},
      {"round-robin", make_round_robin},
      {"latency-first", make_latency_first},
      {"carbonedge", make_carbonedge},
      {"intensity-adaptive", make_intensity_adaptive},
      {"autoscale", make_autoscale},
      {"wait-awhile", make_wait_awhile},
      {"carbon-agnostic", make_carbon_agnostic},
      {"carbon-scaler", make_carbon_scaler},
      {"lacs", make_lacs},
      {"oracle", make_oracle},
      {"nearest", make_nearest},
      {"energy-first", make_energy_first},
      {"carbon-greedy", make_carbon_greedy},
      {"geo-carbon", make_geo_carbon},
      {"full-replica", make_full_replica},
      {"cloud-failover", make_cloud_failover},
      {"faillite", make_faillite},
      {"ensemble", make_ensemble},
      {"power-mode", make_power_mode},
  };
  return r;
}

// Levenshtein distance, for "did you mean" on a mistyped policy type.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The closest candidate within a third of its length (at least 2 edits), or "".
std::string closest(const std::string& typed, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(2, typed.size() / 3) + 1;
  for (const auto& name : candidates) {
    const size_t d = edit_distance(typed, name);
    if (d < best_d) best = name, best_d = d;
  }
  return best;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
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
    // Without `type:` the label is the type, so the typo may be in a label (`--set policies.gren.w_C=1`
    // makes a new policy `gren`): then the other labels are candidates too.
    const bool implicit = spec.type == spec.label;
    std::vector<std::string> candidates = policy_types(), labels;
    if (implicit && ctx.experiment)
      for (const auto& p : ctx.experiment->policies)
        if (p.label != spec.label) labels.push_back(p.label);
    candidates.insert(candidates.end(), labels.begin(), labels.end());
    const std::string near = closest(spec.type, candidates);
    fail_at_key(ctx.experiment ? ctx.experiment->file : "experiment", implicit ? spec.key : spec.key + ".type",
                fmt::format("no policy named '{}' (known: {}{}){}", spec.type, join(policy_types()),
                            labels.empty() ? "" : "; labels in this experiment: " + join(labels),
                            near.empty() ? "" : fmt::format("; did you mean '{}'?", near)));
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

const ModelProfile* pick_variant(const std::vector<const ModelProfile*>& variants, const std::string& variant) {
  if (variant == "smallest") return variants.front();
  if (!variant.empty() && variant != "largest")
    for (auto* v : variants)
      if (v->name == variant) return v;
  return variants.back();
}

uint32_t host_param(const YamlSection& params, const std::string& key, const PolicyContext& ctx) {
  std::string name = params.str(key);
  int h = ctx.platform->host_index(name);
  if (h < 0) params.fail(key, fmt::format("unknown host '{}' (not in {})", name, ctx.platform->file));
  return static_cast<uint32_t>(h);
}

}  // namespace ce
