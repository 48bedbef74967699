#pragma once
// The experiment's `replicas:` resolved against the model catalog: model pointers, and the memory
// check of the warm ones (a host cannot start with more weights in memory than it has).
#include <cstdint>
#include <vector>

#include "config/experiment.hpp"
#include "models/catalog.hpp"

namespace ce {

struct InitialReplica {
  uint32_t host = 0;
  const ModelProfile* model = nullptr;
  bool warm = false;
};

// Bytes a replica of `m` occupies in memory: its fp32 weights (stage_weight_bytes of every row).
double replica_bytes(const ModelProfile& m);

// One-line errors naming the key: an unknown model or a family name (a replica is one model), and
// warm replicas whose weights exceed their host's memory (HostSpec::memory_bytes, when > 0).
std::vector<InitialReplica> resolve_replicas(const Experiment& exp, const ModelCatalog& models);

}  // namespace ce
