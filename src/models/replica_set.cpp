#include "models/replica_set.hpp"

#include <fmt/format.h>

#include <map>

#include "core/error.hpp"
#include "models/cost_model.hpp"

namespace ce {

double replica_bytes(const ModelProfile& m) { return stage_weight_bytes(m, 1, m.row_count() - 1); }

std::vector<InitialReplica> resolve_replicas(const Experiment& exp, const ModelCatalog& models) {
  std::vector<InitialReplica> out;
  std::map<uint32_t, double> warm_bytes;  // by host
  for (const ReplicaSpec& r : exp.replicas.initial) {
    const ModelProfile* m = models.find(r.model);
    if (!m) {
      const auto family = models.variants(r.model);
      if (!family.empty())
        fail_at_key(exp.file, r.key,
                    fmt::format("'{}' names a family: a replica is one model; name one of its variants ({}, ...)",
                                r.model, family.front()->name));
      fail_at_key(exp.file, r.key, fmt::format("unknown model '{}' (see workloads/models/README.md)", r.model));
    }
    out.push_back({r.host, m, r.warm});
    if (!r.warm) continue;
    const HostSpec& h = exp.platform.hosts[r.host];
    const double used = warm_bytes[r.host] += replica_bytes(*m);
    if (h.memory_bytes > 0 && used > h.memory_bytes)
      fail_at_key(exp.file, r.key,
                  fmt::format("warm replicas on host '{}' need {:.1f} MB with '{}' but the host has memory {:.1f} MB; "
                              "make some of them cold or give the host more memory",
                              h.name, used / 1e6, m->name, h.memory_bytes / 1e6));
  }
  return out;
}

}  // namespace ce
