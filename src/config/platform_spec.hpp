#pragma once
// The platform as read from platforms/*.yaml: plain data, no SimGrid types. sim/ turns it into an
// S4U platform; policies read it through their ClusterView.
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "config/accelerator_spec.hpp"

namespace ce {

// Power of one pstate in SimGrid's host-energy terms (plugin host_energy, 3.32): with k of the
// host's C cores busy, P(0) = Idle and P(k) = Epsilon + (k / C) · (AllCores − Epsilon). The YAML
// gives "idle:one_core:all_cores" (power with exactly one core busy), converted exactly to
// Epsilon = (C · one_core − all_cores) / (C − 1); "idle:all_cores" means Epsilon = Idle, as in
// SimGrid. HostSpec::power_w is the one implementation of this formula in carbonedge.
struct PstateSpec {
  double speed = 0;        // flop/s of one core
  double idle_w = 0;       // no core busy (SimGrid's Idle)
  double epsilon_w = 0;    // SimGrid's Epsilon: the linear part's value at load 0+
  double all_cores_w = 0;  // every core busy (SimGrid's AllCores)
  double one_core_w = 0;   // exactly one core busy: Epsilon + (AllCores − Epsilon) / C
};

// Fitted cost of one primitive op class (models/cost_model.hpp op_cost_class) on a host at pstate 0:
// seconds = per_mac * MACs + per_byte * bytes moved + fixed. Written by `carbonedge calibrate`.
struct OpCost {
  double per_mac = 0;   // s per MAC
  double per_byte = 0;  // s per byte read or written
  double fixed = 0;     // s per op (dispatch, loop setup)
};

// Power states beyond on/off (docs/inputs.md "Power states"): off → booting → on → shutting-down
// → off, and optionally on → sleeping → waking → on. Zero times make a transition instantaneous.
struct PowerStates {
  double boot_s = 0, boot_w = 0;          // booting: duration and power
  double shutdown_s = 0, shutdown_w = 0;  // shutting down
  bool has_sleep = false;
  double sleep_w = 0, wake_s = 0;         // sleeping power; waking takes wake_s at the pstate's idle power
};

// `replica:` of a host (docs/inputs.md "Replicas"): what loading a model into its memory costs and
// what holding it there draws. Loads run one at a time per host: latency + weight bytes / bandwidth,
// at load_w on top of the host's power; a resident (warm or loading) replica draws hold_w_per_gb
// per GB of weights while the host is on. Defaults: 1 GB/s, no latency, one core's busy power,
// nothing held.
struct ReplicaCosts {
  double load_bandwidth = 1e9;  // bytes/s from storage into the memory models run from
  double load_latency_s = 0;    // fixed part of every load (deserialising, engine build, warm-up)
  double load_w = -1;           // power drawn by a load; < 0: the initial pstate's per-core power
  double hold_w_per_gb = 0;     // power of resident replicas per GB of weights
};

// `batching:` of a host (docs/inputs.md "Batching"; Triton's dynamic batcher): stages of one model
// wait in that model's queue; when an instance of the model is free the queue's head is sent as a
// batch of max_batch if that many wait, else of the largest preferred size that can be formed,
// else — once its oldest stage has waited max_queue_delay (at once when 0) — of all that wait.
struct BatchingSpec {
  uint32_t max_batch = 1;
  std::vector<uint32_t> preferred;  // increasing, each <= max_batch
  double max_queue_delay_s = 0;
  uint32_t instances = 1;  // batches of one model that may run at once on the host
};

// `llm:` of a host (docs/inputs.md "LLM serving"): its LLM engine's continuous batching
// (sim/llm_engine.hpp). The KV cache is the device's memory less the weights of the models loaded.
struct LlmServingSpec {
  uint32_t max_batch = 64;          // sequences in the running batch
  uint32_t max_batch_tokens = 4096; // prompt tokens per iteration without chunking
  uint32_t chunk = 0;               // > 0: chunked prefill (Sarathi), tokens per iteration
  uint32_t block_tokens = 16;       // KV cache page
  double watermark = 0.01;          // share of the KV cache admission keeps free
  // Loading a model's weights when it is first needed (or again after an eviction): latency +
  // weight bytes / bandwidth, during which its requests wait. 0 bandwidth: instant.
  double load_bandwidth = 0;        // B/s
  double load_latency_s = 0;
};

struct HostSpec {
  std::string name;
  uint32_t cores = 1;
  std::vector<PstateSpec> pstates;
  uint32_t initial_pstate = 0;
  double off_w = 0;                   // power while turned off
  PowerStates power_states;
  std::string scheduler = "fifo";     // local scheduler: fifo (one stage per core), ps (processor sharing), batch, llm
  BatchingSpec batching;              // scheduler "batch"
  LlmServingSpec llm;                 // scheduler "llm": language models on an accelerator with llm rates
  // An accelerator host (config/accelerator_spec.hpp): its pstates are the device's power modes and
  // its costs come from the device's per-model tables; nullptr for a flop-rated host.
  std::shared_ptr<const AcceleratorSpec> accelerator;
  uint32_t max_queue = 0;             // stages that may wait in its queue; 0 = unlimited (docs/inputs.md)
  std::string region;                 // carbon zone id
  double memory_bytes = 0;            // 0 = unlimited; a stage whose weights exceed it is not placeable
  ReplicaCosts replica;               // model loads and resident replicas (experiments with `replicas:`)
  std::map<std::string, double> rates;  // MAC/s per layer type at pstate 0; "default" for the rest
  double layer_overhead_s = 0;        // fixed cost per layer row costed by `rates` (framework dispatch)
  // Per op class costs (optional): rows of models that carry row_ops are costed op by op with
  // these instead of rates + layer_overhead (see models/cost_model.hpp).
  std::map<std::string, OpCost> op_costs;
  std::string profile;                // host profile file that filled rates/op_costs ("" = none)
  double embodied_kgco2e = 0;         // optional, for embodied-carbon reporting
  double lifetime_s = 0;
  std::string source;                 // where the power figures come from (cited in the YAML)

  // Power in watts with `busy` cores working at pstate p: SimGrid's host energy model, the same
  // expression its plugin evaluates (see PstateSpec). Every consumer (SimGrid's platform
  // properties, the per-request meter, the policies' estimates) goes through this function.
  double power_w(uint32_t p, double busy) const;
  // Marginal power of one more busy core at pstate p (busy >= 1): (AllCores − Epsilon) / C.
  double per_core_w(uint32_t p) const;
};

struct LinkSpec {
  std::string name;
  double bandwidth = 0;  // bytes/s
  double latency = 0;    // s
  double idle_w = 0, busy_w = 0;
  std::string region;
};

// A site (docs/inputs.md "Sites"): a group of hosts behind one gateway, joined to the platform's
// backbone by an uplink. Hosts of different sites talk over both uplinks.
struct SiteSpec {
  std::string name;
  std::string region;
  uint32_t uplink = 0;  // link index: the site's gateway to the backbone
  // Optional coordinates (degrees, WGS84-style latitude −90..90, longitude −180..180): both or
  // neither. network.distance needs them on every site.
  double lat = std::numeric_limits<double>::quiet_NaN();
  double lon = std::numeric_limits<double>::quiet_NaN();
  bool located() const { return !std::isnan(lat) && !std::isnan(lon); }
};

// `network.distance` (docs/inputs.md "Distance latency"): hosts of two different sites pay, one
// way, fixed + stretch × great-circle km / km_per_ms on top of their route's link latencies.
// Defaults from ../shared/reference/resilience-and-geo.md §5: fibre at c/1.468 ≈ 204 km/ms; path
// stretch 2.0 (median measured RTT ÷ great-circle time in Europe); fixed 1 ms (half the fitted
// intercept of cloud inter-region RTT).
struct DistanceModel {
  bool on = false;
  double km_per_ms = 204;
  double stretch = 2.0;
  double fixed_s = 1e-3;
};

// Great-circle distance in km between two points given in degrees (haversine on a sphere of the
// mean Earth radius, 6371.0088 km).
double great_circle_km(double lat1, double lon1, double lat2, double lon2);

// The network is described in O(hosts), never per pair: each host's star arm (its link to the
// gateway of its site, or of the platform), each site's uplink, and the few explicit routes a
// hand-built platform declares. Routes and transfer estimates are computed from that on demand.
struct PlatformSpec {
  std::string name;
  std::string file;
  std::vector<HostSpec> hosts;
  std::vector<LinkSpec> links;
  std::vector<SiteSpec> sites;
  std::vector<int32_t> arm;   // [host]: link index of its star arm, -1 = none (shorter = none)
  std::vector<int32_t> site;  // [host]: its site, -1 = at the platform's gateway (shorter = -1)
  // Explicit routes, keyed by route_key(src, dst); they override the star path of their pair.
  std::unordered_map<uint64_t, std::vector<uint32_t>> explicit_routes;
  DistanceModel distance;     // network.distance; off unless the platform declares it

  static uint64_t route_key(uint32_t i, uint32_t j) { return (uint64_t{i} << 32) | j; }
  int host_index(const std::string& name) const;  // -1 if unknown
  // Declares (or replaces) the explicit route src → dst; an empty list is a route without links.
  void add_route(uint32_t src, uint32_t dst, std::vector<uint32_t> links);
  void index_hosts();  // builds the name index host_index uses (load_platform calls it)

  // i == j, an explicit route i → j, or both hosts on star arms. Inline: policies ask it per
  // candidate host on every decision.
  bool reachable(uint32_t i, uint32_t j) const {
    if (i == j) return true;
    if (!explicit_routes.empty() && explicit_routes.count(route_key(i, j))) return true;
    return arm_of(i) >= 0 && arm_of(j) >= 0;
  }
  // The links from host i to host j, in order, into `out` (cleared first). Star path: i's arm,
  // then the uplinks of both sites when they differ, then j's arm; an arm shared by both hosts
  // appears once. Empty when i == j or unreachable.
  void route(uint32_t i, uint32_t j, std::vector<uint32_t>& out) const;
  // f(link index) for each link of that route, in order, without building it.
  template <class F>
  void for_each_link(uint32_t i, uint32_t j, F&& f) const;
  // Idle-network figures of the route i → j: Σ latency and the bottleneck bandwidth (+inf when
  // the route has no links). O(route length), no allocation.
  struct Path {
    double latency = 0;
    double bandwidth = std::numeric_limits<double>::infinity();
  };
  Path path(uint32_t i, uint32_t j) const;
  // End-to-end transfer time of `bytes` from host i to j on an idle network (sum of latencies +
  // bytes / bottleneck bandwidth); 0 when i == j.
  double transfer_time(uint32_t i, uint32_t j, double bytes) const;
  // Latency the distance model adds to the route i → j, in seconds, on top of its links' (path()
  // and the simulation include it): fixed + stretch × great_circle_km / km_per_ms when
  // network.distance is on and i and j lie in two different sites; 0 for hosts of one site, a host
  // outside any site, i == j, and a pair with an explicit route (explicit links override). O(1).
  double extra_latency_s(uint32_t i, uint32_t j) const;

 private:
  std::unordered_map<std::string, uint32_t> host_ids_;
  int32_t arm_of(uint32_t h) const { return h < arm.size() ? arm[h] : -1; }
  int32_t site_of(uint32_t h) const { return h < site.size() ? site[h] : -1; }
  // Calls f(link index) for each link of the star path i → j (both on arms, i != j).
  template <class F>
  void star_path(uint32_t i, uint32_t j, F&& f) const {
    const auto ai = static_cast<uint32_t>(arm_of(i)), aj = static_cast<uint32_t>(arm_of(j));
    const int32_t si = site_of(i), sj = site_of(j);
    f(ai);
    if (si != sj) {
      if (si >= 0) f(sites[static_cast<size_t>(si)].uplink);
      if (sj >= 0) f(sites[static_cast<size_t>(sj)].uplink);
    }
    if (aj != ai) f(aj);  // a shared arm (one access point) is crossed once, as SimGrid's star zone does
  }
};

template <class F>
void PlatformSpec::for_each_link(uint32_t i, uint32_t j, F&& f) const {
  if (i == j) return;
  if (!explicit_routes.empty()) {
    auto it = explicit_routes.find(route_key(i, j));
    if (it != explicit_routes.end()) {
      for (uint32_t l : it->second) f(l);
      return;
    }
  }
  if (arm_of(i) >= 0 && arm_of(j) >= 0) star_path(i, j, f);
}

// `edit`, when given, changes the parsed document before it is read (the experiment's
// `--set platform.hosts.<name>.<key>=...` overrides and sweeps over platform keys).
PlatformSpec load_platform(const std::string& path, const std::function<void(YAML::Node&)>& edit = {});

}  // namespace ce
