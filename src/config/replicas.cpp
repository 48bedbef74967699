#include "config/replicas.hpp"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "config/experiment.hpp"
#include "config/failures.hpp"
#include "core/error.hpp"

namespace ce {

ReplicaSection parse_replicas(const YamlSection& root, const Experiment& exp) {
  ReplicaSection out;
  if (!root.has("replicas")) return out;
  out.tracked = true;
  const PlatformSpec& plat = exp.platform;
  std::set<std::pair<uint32_t, std::string>> seen;
  const auto entries = root.list("replicas");
  for (size_t i = 0; i < entries.size(); ++i) {
    const YamlSection& r = entries[i];
    r.allow_only({"host", "site", "model", "models", "state"});
    if (r.has("model") == r.has("models")) r.fail("model", "give exactly one of model: NAME or models: [NAME, ...]");
    const std::string state = r.str("state");
    if (state != "warm" && state != "cold")
      r.fail("state", fmt::format("must be warm (loaded in memory) or cold (loaded on first use) (got '{}')", state));
    const std::vector<uint32_t> hosts = entry_hosts(r, plat);
    std::vector<std::string> models = r.has("model") ? std::vector<std::string>{r.str("model")} : r.str_list("models");
    if (models.empty()) r.fail("models", "must list at least one model");
    for (uint32_t h : hosts)
      for (size_t m = 0; m < models.size(); ++m) {
        const std::string key = r.has("model") ? r.key_path("model") : fmt::format("{}[{}]", r.key_path("models"), m);
        if (!seen.emplace(h, models[m]).second)
          fail_at_key(r.file(), key,
                      fmt::format("model '{}' is listed twice on host '{}'; list each (host, model) once",
                                  models[m], plat.hosts[h].name));
        out.initial.push_back({h, models[m], state == "warm", key});
      }
  }
  return out;
}

}  // namespace ce
