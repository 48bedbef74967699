#include "config/replicas.hpp"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "config/experiment.hpp"
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
    if (r.has("host") == r.has("site")) r.fail("host", "give exactly one of host: NAME or site: NAME");
    if (r.has("model") == r.has("models")) r.fail("model", "give exactly one of model: NAME or models: [NAME, ...]");
    const std::string state = r.str("state");
    if (state != "warm" && state != "cold")
      r.fail("state", fmt::format("must be warm (loaded in memory) or cold (loaded on first use) (got '{}')", state));
    std::vector<uint32_t> hosts;
    if (r.has("host")) {
      const int h = plat.host_index(r.str("host"));
      if (h < 0) r.fail("host", fmt::format("unknown host '{}' (not in {})", r.str("host"), plat.file));
      hosts.push_back(static_cast<uint32_t>(h));
    } else {
      const std::string name = r.str("site");
      int s = -1;
      for (size_t k = 0; k < plat.sites.size(); ++k)
        if (plat.sites[k].name == name) s = static_cast<int>(k);
      if (s < 0) r.fail("site", fmt::format("unknown site '{}' (not in {})", name, plat.file));
      for (uint32_t h = 0; h < plat.hosts.size(); ++h)
        if (h < plat.site.size() && plat.site[h] == s) hosts.push_back(h);
      if (hosts.empty()) r.fail("site", fmt::format("site '{}' has no hosts", name));
    }
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
