#pragma once
// The `sweep:` section of an experiment file and its expansion into points. A point is a list of
// `--set` overrides plus a seed: `carbonedge sweep` runs each point as one `carbonedge run`, so a
// sweep can change any key `--set` can.
//
//   sweep:
//     grid: {policies.green.w_C: [0, 0.5], workload.rate: [5, 10]}  # cartesian product
//     zip:  {carbon.start: [A, B, C], carbon.duration: [1h, 2h, 3h]}  # advance together
//     zone: [DE, FR, NO]                                              # = grid platform.region, first
//     replicates: 3                                                   # seeds seed, seed+1, seed+2
//     # or seeds: [1, 7, 9]
//
// Order of points: grid keys vary like nested loops in declaration order (the last key fastest),
// then the zip index, then the seed (fastest of all).
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ce {

struct SweepAxis {
  std::string key;                  // key path, as `--set` takes it
  std::vector<std::string> values;  // each value as YAML text (flow style), ready for `key=value`
};

struct SweepSpec {
  std::vector<SweepAxis> grid;
  std::vector<SweepAxis> zip;   // all the same length
  std::vector<uint64_t> seeds;  // never empty: the experiment's seed when neither replicates nor seeds
};

struct SweepPoint {
  size_t index = 0;
  std::vector<std::pair<std::string, std::string>> values;  // (key path, YAML text): grid keys then zip keys
  uint64_t seed = 0;

  std::vector<std::string> overrides() const;  // "key.path=value" for each swept key
};

// The key path a `zone: [...]` axis sweeps (the platform-wide region, docs/inputs.md "Regions").
inline constexpr const char* kZoneSweepKey = "platform.region";

// Most points one sweep may expand to (docs/sweeps.md): more is an error naming `sweep`.
constexpr size_t kMaxSweepPoints = 100000;
// Largest seed a point can carry: points run with --seed, a signed 64-bit value whose largest value
// stands for "clamped" (see load_experiment).
constexpr uint64_t kMaxPointSeed = 9223372036854775806ULL;

// Parses doc["sweep"]. `base_seed` is the seed a plain run would use (file's seed or --seed).
// Every mistake is an InputError naming `file` and the key under sweep.
SweepSpec parse_sweep(const YAML::Node& doc, const std::string& file, uint64_t base_seed);

// grid (cartesian) × zip (lock-step) × seeds, indices 0..n-1 in the documented order.
std::vector<SweepPoint> expand_sweep(const SweepSpec& spec);

// Swept key paths in column order: grid keys, then zip keys.
std::vector<std::string> swept_keys(const SweepSpec& spec);

// Directory name of point `index` of `total`: zero-padded to at least 4 digits ("0007").
std::string point_dir_name(size_t index, size_t total);

// A YAML value as one-line flow-style text that YAML::Load reads back to the same node.
std::string yaml_flow_text(const YAML::Node& value);

}  // namespace ce
