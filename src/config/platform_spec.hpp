#pragma once
// The platform as read from platforms/*.yaml: plain data, no SimGrid types. sim/ turns it into an
// S4U platform; policies read it through their ClusterView.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ce {

struct PstateSpec {
  double speed = 0;        // flop/s of one core
  double idle_w = 0;       // no core busy
  double one_core_w = 0;   // exactly one core busy (SimGrid's "epsilon")
  double all_cores_w = 0;  // every core busy
};

struct HostSpec {
  std::string name;
  uint32_t cores = 1;
  std::vector<PstateSpec> pstates;
  uint32_t initial_pstate = 0;
  double off_w = 0;                   // power while turned off
  std::string region;                 // carbon zone id
  double memory_bytes = 0;            // 0 = unlimited; a stage whose weights exceed it is not placeable
  std::map<std::string, double> rates;  // MAC/s per layer type at pstate 0; "default" for the rest
  double layer_overhead_s = 0;        // fixed cost per layer row (framework dispatch)
  double embodied_kgco2e = 0;         // optional, for embodied-carbon reporting
  double lifetime_s = 0;
  std::string source;                 // where the power figures come from (cited in the YAML)

  // Power in watts with `busy` cores working at pstate p (SimGrid's host energy model).
  double power_w(uint32_t p, double busy) const;
};

struct LinkSpec {
  std::string name;
  double bandwidth = 0;  // bytes/s
  double latency = 0;    // s
  double idle_w = 0, busy_w = 0;
  std::string region;
};

struct PlatformSpec {
  std::string name;
  std::string file;
  std::vector<HostSpec> hosts;
  std::vector<LinkSpec> links;
  // routes[i][j]: link indices from host i to host j; empty when i == j. reachable[i][j] says
  // whether a route exists (a star arm on both ends or an explicit route).
  std::vector<std::vector<std::vector<uint32_t>>> routes;
  std::vector<std::vector<bool>> reachable;

  int host_index(const std::string& name) const;  // -1 if unknown
  // End-to-end transfer time of `bytes` from host i to j on an idle network (sum of latencies +
  // bytes / bottleneck bandwidth); 0 when i == j.
  double transfer_time(uint32_t i, uint32_t j, double bytes) const;
};

PlatformSpec load_platform(const std::string& path);

}  // namespace ce
