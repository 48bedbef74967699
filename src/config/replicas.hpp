#pragma once
// `replicas:` (docs/inputs.md "Replicas"): which models are deployed on which hosts at the start,
// warm (in memory) or cold (on the host's storage: loaded on first use). An experiment with this
// section tracks replicas: a stage runs on a host only from a warm replica of its model there, and
// a model neither listed nor deployed since is absent there (requests placed on it are rejected).
// Without the section every model is warm everywhere and free (the behaviour before replicas).
#include <cstdint>
#include <string>
#include <vector>

#include "config/yaml_section.hpp"

namespace ce {

struct Experiment;

struct ReplicaSpec {
  uint32_t host = 0;
  std::string model;  // a model name (not a family): checked against the catalog when the run is prepared
  bool warm = false;
  std::string key;    // "replicas[i]" (and ".models[j]"), for errors
};

struct ReplicaSection {
  bool tracked = false;  // the experiment has a `replicas:` section
  std::vector<ReplicaSpec> initial;
};

// {host: NAME | site: NAME, model: NAME | models: [NAME...], state: warm | cold}; a site entry
// deploys on every host of the site. A (host, model) pair listed twice is an error.
ReplicaSection parse_replicas(const YamlSection& root, const Experiment& exp);

}  // namespace ce
