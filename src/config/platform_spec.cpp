#include "config/platform_spec.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <cmath>
#include <limits>
#include <set>
#include <unordered_set>

#include "config/yaml_section.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"

namespace ce {

// A path a user wrote may be too long or otherwise unusable: treat that as "does not exist" (the
// caller then reports the key) instead of letting std::filesystem throw (found by fuzz_experiment).
static bool exists_noexcept(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}


double HostSpec::power_w(uint32_t p, double busy) const {
  const PstateSpec& s = pstates.at(p);
  if (busy <= 0) return s.idle_w;
  const double load = std::min<double>(busy, cores) / cores;  // SimGrid: get_load() / speed / cores
  return s.epsilon_w + load * (s.all_cores_w - s.epsilon_w);
}

double HostSpec::per_core_w(uint32_t p) const {
  const PstateSpec& s = pstates.at(p);
  return (s.all_cores_w - s.epsilon_w) / cores;
}

int PlatformSpec::host_index(const std::string& n) const {
  if (host_ids_.size() == hosts.size()) {
    auto it = host_ids_.find(n);
    return it == host_ids_.end() ? -1 : static_cast<int>(it->second);
  }
  for (size_t i = 0; i < hosts.size(); ++i)  // hand-built platforms (tests) without the index
    if (hosts[i].name == n) return static_cast<int>(i);
  return -1;
}

void PlatformSpec::index_hosts() {
  host_ids_.clear();
  host_ids_.reserve(hosts.size());
  for (size_t i = 0; i < hosts.size(); ++i) host_ids_.emplace(hosts[i].name, static_cast<uint32_t>(i));
}

void PlatformSpec::add_route(uint32_t src, uint32_t dst, std::vector<uint32_t> route_links) {
  explicit_routes[route_key(src, dst)] = std::move(route_links);
}

void PlatformSpec::route(uint32_t i, uint32_t j, std::vector<uint32_t>& out) const {
  out.clear();
  for_each_link(i, j, [&](uint32_t l) { out.push_back(l); });
}

PlatformSpec::Path PlatformSpec::path(uint32_t i, uint32_t j) const {
  Path p;
  for_each_link(i, j, [&](uint32_t l) {
    p.latency += links[l].latency;
    p.bandwidth = std::min(p.bandwidth, links[l].bandwidth);
  });
  if (distance.on && reachable(i, j)) p.latency += extra_latency_s(i, j);  // after the links, as SpecZone adds it
  return p;
}

double great_circle_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthKm = 6371.0088;  // IUGG mean Earth radius
  constexpr double kRad = 3.14159265358979323846 / 180;
  const double s_lat = std::sin((lat2 - lat1) * kRad / 2), s_lon = std::sin((lon2 - lon1) * kRad / 2);
  const double a = s_lat * s_lat + std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * s_lon * s_lon;
  return 2 * kEarthKm * std::asin(std::min(1.0, std::sqrt(a)));
}

double PlatformSpec::extra_latency_s(uint32_t i, uint32_t j) const {
  if (!distance.on || i == j) return 0;
  const int32_t si = site_of(i), sj = site_of(j);
  if (si < 0 || sj < 0 || si == sj) return 0;
  if (!explicit_routes.empty() && explicit_routes.count(route_key(i, j))) return 0;
  const SiteSpec &a = sites[static_cast<size_t>(si)], &b = sites[static_cast<size_t>(sj)];
  if (!a.located() || !b.located()) return 0;  // load_platform refuses this; hand-built specs may not
  return distance.fixed_s + distance.stretch * great_circle_km(a.lat, a.lon, b.lat, b.lon) / distance.km_per_ms * 1e-3;
}

double PlatformSpec::transfer_time(uint32_t i, uint32_t j, double bytes) const {
  if (i == j) return 0;
  const Path p = path(i, j);
  return p.latency + (std::isinf(p.bandwidth) ? 0 : bytes / p.bandwidth);
}

namespace {

// "idle:one_core:all_cores" or "idle:all_cores" watts of one pstate of a host with `cores` cores,
// converted to SimGrid's terms (PstateSpec). Values the linear model cannot express are refused.
PstateSpec parse_power(const std::string& text, double speed, uint32_t cores, const YamlSection& h,
                       const std::string& key) {
  std::vector<double> v;
  size_t start = 0;
  while (true) {
    size_t colon = text.find(':', start);
    std::string part = text.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    double x;
    if (!parse_double(part, x) || !std::isfinite(x))
      h.fail(key, fmt::format("'{}' is not 'idle:one_core:all_cores' watts", text));
    if (x < 0) h.fail(key, fmt::format("power {} W is negative; watts must be >= 0", x));
    v.push_back(x);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (v.size() != 2 && v.size() != 3) h.fail(key, fmt::format("'{}' must have 2 or 3 values separated by ':'", text));
  PstateSpec s;
  s.speed = speed;
  s.idle_w = v.front();
  s.all_cores_w = v.back();
  if (s.all_cores_w < s.idle_w)
    h.fail(key, fmt::format("'{}': all-cores power {} W is below idle {} W", text, s.all_cores_w, s.idle_w));
  if (v.size() == 2) {
    s.epsilon_w = s.idle_w;  // SimGrid's rule for "Idle:AllCores"
  } else if (cores == 1) {
    if (v[1] != s.all_cores_w)
      h.fail(key, fmt::format("'{}': a 1-core host has no separate one-core power; write 'idle:busy' ({}:{})", text,
                              v[0], v[2]));
    s.epsilon_w = s.idle_w;
  } else {
    const double one = v[1];
    // Lowest one-core power the model allows: Epsilon >= Idle, i.e. idle + (all − idle) / cores.
    const double lowest = s.idle_w + (s.all_cores_w - s.idle_w) / cores;
    if (one > s.all_cores_w || one < lowest * (1 - 1e-12))
      h.fail(key, fmt::format("'{}': with {} cores the one-core power must lie between {:.6g} W (idle + (all − "
                              "idle)/cores: SimGrid's Epsilon = idle) and {} W (all cores), got {} W",
                              text, cores, lowest, s.all_cores_w, one));
    s.epsilon_w = std::max(s.idle_w, (cores * one - s.all_cores_w) / (cores - 1));
  }
  s.one_core_w = s.epsilon_w + (s.all_cores_w - s.epsilon_w) / cores;
  return s;
}

// `rates: {type: MAC/s, ...}` into `out` (later keys of the same section replace earlier ones).
void parse_rates(const YamlSection& r, std::map<std::string, double>& out) {
  for (auto it = r.node().begin(); it != r.node().end(); ++it) {
    std::string type = it->first.as<std::string>();
    double v = r.num(type);
    if (!(v > 0)) r.fail(type, "MAC rate must be > 0 (MAC/s)");
    out[type] = v;
  }
}

// `op_costs: {class: {per_mac: s, per_byte: s, fixed: s}, ...}`; every coefficient >= 0.
void parse_op_costs(const YamlSection& oc, std::map<std::string, OpCost>& out) {
  for (auto it = oc.node().begin(); it != oc.node().end(); ++it) {
    std::string cls = it->first.as<std::string>();
    YamlSection c = oc.child(cls);
    c.allow_only({"per_mac", "per_byte", "fixed"});
    OpCost cost{c.non_negative_or("per_mac", 0), c.non_negative_or("per_byte", 0), c.non_negative_or("fixed", 0)};
    if (!(cost.per_mac > 0 || cost.per_byte > 0 || cost.fixed > 0))
      c.fail("per_mac", "an op class needs at least one positive coefficient (per_mac, per_byte or fixed)");
    out[cls] = cost;
  }
}

// A host profile (platforms/hosts/*.yaml, written by `carbonedge calibrate`): rates,
// layer_overhead and op_costs measured on one machine. `profile:` is resolved relative to the
// platform file; the host entry's own keys win over the profile's (rates key by key).
void apply_profile(const YamlSection& h, HostSpec& s) {
  namespace fs = std::filesystem;
  const std::string rel = h.str("profile");
  fs::path p = fs::path(rel).is_absolute() ? fs::path(rel) : fs::path(h.file()).parent_path() / rel;
  if (!exists_noexcept(p)) h.fail("profile", fmt::format("host profile '{}' not found (looked for {})", rel, p.string()));
  s.profile = p.string();
  YamlSection prof(load_yaml_file(p.string()), p.string(), "");
  prof.allow_only({"name", "description", "calibration", "rates", "layer_overhead", "op_costs"});
  if (prof.has("rates")) parse_rates(prof.child("rates"), s.rates);
  s.layer_overhead_s = prof.quantity_or("layer_overhead", Unit::Duration, 0);
  if (s.layer_overhead_s < 0) prof.fail("layer_overhead", "must be >= 0");
  if (prof.has("op_costs")) parse_op_costs(prof.child("op_costs"), s.op_costs);
}

// Host and link names appear in CSV cells and ';'-separated lists (requests.csv hosts, stages.csv
// routes): they must not carry the separators.
std::string plain_name(const YamlSection& s) {
  std::string n = s.str("name");
  if (n.empty() || n.find_first_of(",;\"\n\r") != std::string::npos)
    s.fail("name", fmt::format("'{}' must be non-empty without ',', ';', '\"' or line breaks", n));
  return n;
}

// `boot: {time, power}`, `shutdown: {time, power}`, `sleep: {power, wake_time}`. A transition's
// power defaults to the initial pstate's idle power; every power lies in [power_off, all-cores].
void parse_power_states(const YamlSection& h, HostSpec& s) {
  PowerStates& ps = s.power_states;
  const double idle = s.pstates.at(s.initial_pstate).idle_w;
  double top = 0;
  for (const auto& p : s.pstates) top = std::max(top, p.all_cores_w);
  auto watts = [&](const YamlSection& sec, const std::string& key, double def) {
    const double w = sec.non_negative_or(key, def);
    if (w < s.off_w || w > top)
      sec.fail(key, fmt::format("{} W must lie between power_off ({} W) and the highest all-cores power ({} W)", w,
                                s.off_w, top));
    return w;
  };
  auto transition = [&](const char* key, double& time_s, double& power_w) {
    if (!h.has(key)) return;
    YamlSection t = h.child(key);
    t.allow_only({"time", "power"});
    time_s = t.quantity_or("time", Unit::Duration, 0);
    if (!(time_s >= 0) || !std::isfinite(time_s)) t.fail("time", "must be a duration >= 0");
    power_w = watts(t, "power", idle);
  };
  ps.boot_w = ps.shutdown_w = idle;
  transition("boot", ps.boot_s, ps.boot_w);
  transition("shutdown", ps.shutdown_s, ps.shutdown_w);
  if (h.has("sleep")) {
    YamlSection sl = h.child("sleep");
    sl.allow_only({"power", "wake_time"});
    ps.has_sleep = true;
    ps.sleep_w = watts(sl, "power", s.off_w);
    ps.wake_s = sl.quantity_or("wake_time", Unit::Duration, 0);
    if (!(ps.wake_s >= 0) || !std::isfinite(ps.wake_s)) sl.fail("wake_time", "must be a duration >= 0");
  }
}

// `replica: {load_bandwidth, load_latency, load_power, hold_power_per_gb}` (ReplicaCosts).
void parse_replica_costs(const YamlSection& r, HostSpec& s) {
  r.allow_only({"load_bandwidth", "load_latency", "load_power", "hold_power_per_gb"});
  ReplicaCosts& c = s.replica;
  c.load_bandwidth = r.quantity_or("load_bandwidth", Unit::Bandwidth, c.load_bandwidth);
  if (!(c.load_bandwidth > 0)) r.fail("load_bandwidth", "must be > 0, e.g. 100MBps");
  c.load_latency_s = r.quantity_or("load_latency", Unit::Duration, 0);
  if (!(c.load_latency_s >= 0) || !std::isfinite(c.load_latency_s)) r.fail("load_latency", "must be a duration >= 0");
  if (r.has("load_power")) c.load_w = r.non_negative_or("load_power", 0);
  c.hold_w_per_gb = r.non_negative_or("hold_power_per_gb", 0);
  // Watts beyond a megawatt per host are a typo (and would overflow the energy sums of a long run).
  if (c.load_w > 1e6) r.fail("load_power", "must be at most 1e6 W");
  if (c.hold_w_per_gb > 1e6) r.fail("hold_power_per_gb", "must be at most 1e6 W per GB");
}

// `batching: {max_batch, preferred_batch, max_queue_delay, instances}` (BatchingSpec).
void parse_batching(const YamlSection& b, HostSpec& s) {
  b.allow_only({"max_batch", "preferred_batch", "max_queue_delay", "instances"});
  BatchingSpec& out = s.batching;
  out.max_batch = static_cast<uint32_t>(b.integer_in("max_batch", 1, 1 << 20, 1));
  if (b.has("preferred_batch"))
    for (const std::string& t : b.str_list("preferred_batch")) {
      int64_t v = 0;
      if (!parse_whole(t, 1, out.max_batch, v))
        b.fail("preferred_batch", fmt::format("'{}' must be a whole number from 1 to max_batch ({})", t, out.max_batch));
      if (!out.preferred.empty() && static_cast<uint32_t>(v) <= out.preferred.back())
        b.fail("preferred_batch", "must be strictly increasing");
      out.preferred.push_back(static_cast<uint32_t>(v));
    }
  out.max_queue_delay_s = b.quantity_or("max_queue_delay", Unit::Duration, 0);
  if (!(out.max_queue_delay_s >= 0) || !std::isfinite(out.max_queue_delay_s))
    b.fail("max_queue_delay", "must be a duration >= 0, e.g. 2ms");
  out.instances = static_cast<uint32_t>(b.integer_in("instances", 1, 65536, out.instances));
}

// `llm: {max_batch, max_batch_tokens, chunk, block_tokens, watermark}` (LlmServingSpec).
void parse_llm_serving(const YamlSection& l, HostSpec& s) {
  l.allow_only({"max_batch", "max_batch_tokens", "chunk", "block_tokens", "watermark", "load_bandwidth", "load_latency"});
  LlmServingSpec& o = s.llm;
  o.max_batch = static_cast<uint32_t>(l.integer_in("max_batch", 1, 1 << 20, o.max_batch));
  o.max_batch_tokens = static_cast<uint32_t>(l.integer_in("max_batch_tokens", 1, 1 << 24, o.max_batch_tokens));
  o.chunk = static_cast<uint32_t>(l.integer_in("chunk", 0, 1 << 24, o.chunk));
  o.block_tokens = static_cast<uint32_t>(l.integer_in("block_tokens", 1, 1 << 16, o.block_tokens));
  o.watermark = l.non_negative_or("watermark", o.watermark);
  if (!(o.watermark < 1)) l.fail("watermark", "must be a share of the KV cache in [0, 1)");
  o.load_bandwidth = l.quantity_or("load_bandwidth", Unit::Bandwidth, 0);
  if (!(o.load_bandwidth >= 0) || !std::isfinite(o.load_bandwidth)) l.fail("load_bandwidth", "must be a bandwidth >= 0");
  o.load_latency_s = l.quantity_or("load_latency", Unit::Duration, 0);
  if (!(o.load_latency_s >= 0) || !std::isfinite(o.load_latency_s)) l.fail("load_latency", "must be a duration >= 0");
}

// `accelerator: NAME` — platforms' accelerators/NAME.yaml next to the platform file (or a path
// ending in .yaml, relative to it). A profile is read once per process, however many hosts use it.
std::shared_ptr<const AcceleratorSpec> find_accelerator(const YamlSection& h) {
  namespace fs = std::filesystem;
  static std::map<std::string, std::shared_ptr<const AcceleratorSpec>> loaded;
  const std::string name = h.str("accelerator");
  const bool is_path = name.size() > 5 && name.substr(name.size() - 5) == ".yaml";
  fs::path p = fs::path(h.file()).parent_path() / (is_path ? name : "accelerators/" + name + ".yaml");
  if (is_path && fs::path(name).is_absolute()) p = name;
  if (!exists_noexcept(p))
    h.fail("accelerator", fmt::format("accelerator profile '{}' not found (looked for {})", name, p.string()));
  auto& slot = loaded[p.string()];
  if (!slot) slot = load_accelerator(p.string());
  return slot;
}

// A flop-rated host's cores and pstates (`cores`, `speed`, `power`, `pstate`).
void parse_pstates(const YamlSection& h, HostSpec& s) {
  long cores = h.integer_or("cores", 1);
  // SimGrid stores a core count as an int; beyond a few thousand a host is better split in several.
  constexpr long kMaxCores = 65536;
  if (cores < 1 || cores > kMaxCores) h.fail("cores", fmt::format("must be between 1 and {} (got {})", kMaxCores, cores));
  s.cores = static_cast<uint32_t>(cores);
  std::vector<std::string> speeds = h.str_list("speed"), powers = h.str_list("power");
  if (speeds.size() != powers.size())
    h.fail("power", fmt::format("has {} pstates but speed has {}; give one power triple per speed", powers.size(),
                                speeds.size()));
  for (size_t p = 0; p < speeds.size(); ++p) {
    double sp = parse_quantity_or_fail(speeds[p], Unit::Speed, h.file(), h.key_path("speed"));
    if (!(sp > 0)) h.fail("speed", "every pstate speed must be > 0 (use a tiny speed such as 1f for a sleep state)");
    s.pstates.push_back(parse_power(powers[p], sp, s.cores, h, "power"));
  }
  long ps = h.integer_or("pstate", 0);
  if (ps < 0 || ps >= static_cast<long>(s.pstates.size()))
    h.fail("pstate", fmt::format("must be between 0 and {}", s.pstates.size() - 1));
  s.initial_pstate = static_cast<uint32_t>(ps);
}

// An accelerator host: one device whose pstates are its power modes (`mode:` names the initial one).
void parse_accelerator_host(const YamlSection& h, HostSpec& s) {
  for (const char* k : {"speed", "power", "cores", "pstate", "rates", "op_costs", "profile", "layer_overhead"})
    if (h.has(k))
      h.fail(k, "an accelerator host takes its costs and power from its profile (accelerator:); remove this key");
  s.accelerator = find_accelerator(h);
  const AcceleratorSpec& a = *s.accelerator;
  s.cores = 1;
  for (const PowerMode& m : a.modes) {
    PstateSpec p;
    p.speed = kAcceleratorSpeed;
    p.idle_w = p.epsilon_w = p.all_cores_w = p.one_core_w = m.idle_w;
    s.pstates.push_back(p);
  }
  int mode = 0;
  if (h.has("mode")) {
    mode = a.mode_index(h.str("mode"));
    if (mode < 0)
      h.fail("mode", fmt::format("'{}' is no power mode of accelerator {} (modes: {})", h.str("mode"), a.name,
                                 a.mode_names()));
  }
  s.initial_pstate = static_cast<uint32_t>(mode);
  if (a.memory_bytes > 0) s.memory_bytes = a.memory_bytes;
}

HostSpec parse_host(const YamlSection& h) {
  h.allow_only({"name", "count", "attach", "cores", "speed", "power", "power_off", "pstate", "region", "memory",
                "rates", "layer_overhead", "op_costs", "profile", "embodied", "source", "boot", "shutdown", "sleep",
                "scheduler", "max_queue", "replica", "accelerator", "mode", "batching", "llm"});
  HostSpec s;
  s.name = plain_name(h);
  if (h.has("accelerator")) {
    parse_accelerator_host(h, s);
  } else {
    if (h.has("mode")) h.fail("mode", "power modes belong to accelerator hosts (accelerator:); use pstate here");
    parse_pstates(h, s);
  }
  s.off_w = h.non_negative_or("power_off", 0);
  for (const auto& ps : s.pstates)
    if (s.off_w > ps.idle_w)
      h.fail("power_off", fmt::format("{} W while off is above the idle power {} W of a pstate; power_off must be <= "
                                      "every pstate's idle power",
                                      s.off_w, ps.idle_w));
  parse_power_states(h, s);
  const bool engine = s.accelerator && !s.accelerator->llm.empty();  // the device can run language models
  const bool llm = h.has("llm") || (engine && s.accelerator->models.empty());
  const bool batched = !llm && (s.accelerator || h.has("batching"));
  s.scheduler = h.str_or("scheduler", llm ? "llm" : batched ? "batch" : "fifo");
  if (s.scheduler != "fifo" && s.scheduler != "ps" && s.scheduler != "batch" && s.scheduler != "llm")
    h.fail("scheduler", fmt::format("unknown local scheduler '{}' (known: fifo, ps, batch, llm)", s.scheduler));
  if (s.scheduler == "llm" && !engine)
    h.fail("scheduler", "'llm' runs language models on an accelerator whose profile has an llm: section "
                        "(accelerator: NAME, docs/inputs.md \"LLM serving\")");
  if (h.has("llm") && s.scheduler != "llm") h.fail("llm", "belongs to a host with scheduler: llm");
  if (batched && s.scheduler != "batch")
    h.fail("scheduler", "an accelerator host, or one with batching:, is scheduled by 'batch' (or 'llm')");
  if (s.scheduler == "llm" && h.has("batching")) h.fail("batching", "an llm host batches by iteration (llm:)");
  if (h.has("llm")) parse_llm_serving(h.child("llm"), s);
  // Instances of one model: every core of a flop-rated host (as fifo), one on an accelerator (Triton's
  // default: one instance per GPU).
  s.batching.instances = s.accelerator ? 1 : s.cores;
  if (h.has("batching")) parse_batching(h.child("batching"), s);
  s.max_queue = static_cast<uint32_t>(h.integer_in("max_queue", 0, 1'000'000'000, 0));
  s.region = h.str_or("region", "");  // else the site's, else default_region (load_platform_body)
  s.memory_bytes = h.quantity_or("memory", Unit::Bytes, s.memory_bytes);  // an accelerator's own by default
  if (h.has("replica")) parse_replica_costs(h.child("replica"), s);
  if (h.has("profile")) apply_profile(h, s);  // first, so the host's own keys below win
  if (h.has("rates")) parse_rates(h.child("rates"), s.rates);
  s.layer_overhead_s = h.quantity_or("layer_overhead", Unit::Duration, s.layer_overhead_s);
  if (s.layer_overhead_s < 0) h.fail("layer_overhead", "must be >= 0");
  if (h.has("op_costs")) parse_op_costs(h.child("op_costs"), s.op_costs);
  if (h.has("embodied")) {
    YamlSection e = h.child("embodied");
    e.allow_only({"kgco2e", "lifetime"});
    s.embodied_kgco2e = e.positive("kgco2e");
    s.lifetime_s = e.quantity("lifetime", Unit::Duration);
  }
  s.source = h.str_or("source", "");
  return s;
}

// A link's figures (bandwidth, latency, power, region) from `l`; the name is the caller's.
LinkSpec parse_link_figures(const YamlSection& l) {
  LinkSpec s;
  s.bandwidth = l.quantity("bandwidth", Unit::Bandwidth);
  if (!(s.bandwidth > 0)) l.fail("bandwidth", "must be > 0");
  s.latency = l.quantity_or("latency", Unit::Duration, 0);
  if (s.latency < 0) l.fail("latency", "must be >= 0");
  if (l.has("power")) {
    std::string p = l.str("power");
    size_t c = p.find(':');
    if (c == std::string::npos || !parse_double(p.substr(0, c), s.idle_w) || !parse_double(p.substr(c + 1), s.busy_w))
      l.fail("power", fmt::format("'{}' must be 'idle:busy' watts", p));
    if (s.idle_w < 0 || s.busy_w < 0) l.fail("power", "watts must be >= 0");
  }
  s.region = l.str_or("region", "");
  return s;
}

LinkSpec parse_link(const YamlSection& l) {
  l.allow_only({"name", "bandwidth", "latency", "power", "region"});
  LinkSpec s = parse_link_figures(l);
  s.name = plain_name(l);
  return s;
}

// `count: N` makes N copies of an entry, named by its pattern with {i} = 1..N ({site} = the
// site's name, for hosts inside a site). A pattern without {i} needs no count, and vice versa.
long entry_count(const YamlSection& e) {
  constexpr long kMaxCount = 10'000'000;
  const std::string n = e.str("name");
  const bool patterned = n.find("{i}") != std::string::npos;
  if (!e.has("count")) {
    if (patterned) e.fail("name", fmt::format("'{}' has {{i}} but no count: (add count: N)", n));
    return 1;
  }
  if (!patterned) e.fail("count", fmt::format("name '{}' needs {{i}} where the copy number goes (e.g. '{}-{{i}}')", n, n));
  return e.integer_in("count", 1, kMaxCount);
}

std::string expand_name(std::string pattern, long i, const std::string& site) {
  auto put = [&](const std::string& key, const std::string& value) {
    for (size_t at = pattern.find(key); at != std::string::npos; at = pattern.find(key, at + value.size()))
      pattern.replace(at, key.size(), value);
  };
  put("{i}", std::to_string(i));
  put("{site}", site);
  return pattern;
}

// `network.distance: {km_per_ms, stretch, fixed}` (docs/inputs.md "Distance latency"); the
// defaults are DistanceModel's (../shared/reference/resilience-and-geo.md §5).
void parse_distance(const YamlSection& d, DistanceModel& out) {
  d.allow_only({"km_per_ms", "stretch", "fixed"});
  out.on = true;
  constexpr double kLightKmPerMs = 299.792458;  // c in vacuum: no signal is faster
  out.km_per_ms = d.num_or("km_per_ms", out.km_per_ms);
  if (!(out.km_per_ms > 0 && out.km_per_ms <= kLightKmPerMs))
    d.fail("km_per_ms", fmt::format("{} km/ms must be > 0 and at most the speed of light, {} km/ms (fibre: 204)",
                                    out.km_per_ms, kLightKmPerMs));
  out.stretch = d.num_or("stretch", out.stretch);
  if (!(out.stretch >= 1 && std::isfinite(out.stretch)))
    d.fail("stretch", fmt::format("{} must be a finite number >= 1 (a route is never shorter than the great circle)",
                                  out.stretch));
  out.fixed_s = d.quantity_or("fixed", Unit::Duration, out.fixed_s);
  if (!(out.fixed_s >= 0 && std::isfinite(out.fixed_s))) d.fail("fixed", "must be a finite duration >= 0");
}

// At most this many hosts and sites (docs/inputs.md "Limits"): a short file must not expand into
// more than memory holds.
constexpr size_t kMaxHosts = 1'000'000;

// Builds PlatformSpec's hosts, links, sites and arms from the YAML, keeping every name unique and
// each arm inside one site.
class PlatformReader {
 public:
  PlatformReader(PlatformSpec& p, std::string default_region) : p_(p), def_(std::move(default_region)) {}

  void add_link(const YamlSection& l) {
    p_.links.push_back(parse_link(l));
    claim_name(l, p_.links.back().name);
    link_idx_.emplace(p_.links.back().name, p_.links.size() - 1);
    link_site_.push_back(kUnused);
    arm_owner_.push_back(-1);
  }

  // Every copy of one host entry, in site `site` (-1: the platform's own star).
  void add_hosts(const YamlSection& h, int32_t site) {
    const long count = entry_count(h);
    // A short file must not expand into more hosts than memory holds (docs/inputs.md "Limits").
    if (p_.hosts.size() + static_cast<size_t>(count) > kMaxHosts)
      h.fail(h.has("count") ? "count" : "name",
             fmt::format("the platform would have more than {} hosts (sites × hosts per site)", kMaxHosts));
    const HostSpec proto = parse_host(h);
    const std::string site_name = site >= 0 ? p_.sites[static_cast<size_t>(site)].name : "";
    if (site < 0 && h.str("name").find("{site}") != std::string::npos)
      h.fail("name", "{site} is only known for hosts inside a site (sites: ... hosts:)");
    std::string region = proto.region;
    if (region.empty()) region = site >= 0 ? p_.sites[static_cast<size_t>(site)].region : def_;
    if (region.empty()) h.fail("region", "missing: give the host a region (or the site one, or set default_region)");
    const bool own_link = h.has("attach") && h.node()["attach"].IsMap();
    YamlSection own(YAML::Node(), h.file(), h.path());
    LinkSpec link_proto;
    if (own_link) {
      own = h.child("attach");
      own.allow_only({"bandwidth", "latency", "power", "region"});
      link_proto = parse_link_figures(own);
    }
    const uint32_t shared = h.has("attach") && !own_link ? link_of(h, "attach", h.str("attach")) : kNoLink;
    for (long i = 1; i <= count; ++i) {
      p_.hosts.push_back(proto);
      HostSpec& s = p_.hosts.back();
      s.name = expand_name(h.str("name"), i, site_name);
      s.region = region;
      claim_name(h, s.name);
      p_.site.push_back(site);
      p_.arm.push_back(-1);
      const auto hi = static_cast<uint32_t>(p_.hosts.size() - 1);
      if (own_link) {
        LinkSpec l = link_proto;
        l.name = s.name + "-link";
        claim_name(own, l.name);
        p_.links.push_back(std::move(l));
        link_site_.push_back(kUnused);
        arm_owner_.push_back(-1);
        attach(own, "bandwidth", hi, static_cast<uint32_t>(p_.links.size() - 1));
      } else if (shared != kNoLink) {
        attach(h, "attach", hi, shared);
      }
    }
  }

  // A link from the site's gateway to the backbone: its own figures (`uplink: {bandwidth, ...}`,
  // named <site>-uplink) or a link declared under links:.
  void add_site(const YamlSection& st, const std::string& name) {
    if (p_.sites.size() >= kMaxHosts)
      st.fail(st.has("count") ? "count" : "name", fmt::format("the platform would have more than {} sites", kMaxHosts));
    claim_name(st, name);
    SiteSpec s;
    s.name = name;
    s.region = st.str_or("region", def_);
    parse_coordinates(st, s);
    if (st.node()["uplink"].IsMap()) {
      YamlSection u = st.child("uplink");
      u.allow_only({"bandwidth", "latency", "power", "region"});
      LinkSpec l = parse_link_figures(u);
      l.name = name + "-uplink";
      if (l.region.empty()) l.region = s.region;
      claim_name(u, l.name);
      p_.links.push_back(std::move(l));
      link_site_.push_back(kUnused);
      arm_owner_.push_back(-1);
      s.uplink = static_cast<uint32_t>(p_.links.size() - 1);
    } else {
      s.uplink = link_of(st, "uplink", st.str("uplink"));
    }
    if (link_site_[s.uplink] != kUnused)
      st.fail("uplink", fmt::format("link '{}' is already a star arm or another site's uplink", p_.links[s.uplink].name));
    link_site_[s.uplink] = kUplink;
    p_.sites.push_back(std::move(s));
  }

  // `lat` and `lon` (degrees), both or neither; network.distance needs them on every site. Every
  // copy of a `count:` entry shares them.
  void parse_coordinates(const YamlSection& st, SiteSpec& s) const {
    const bool has_lat = st.has("lat"), has_lon = st.has("lon");
    if (has_lat != has_lon)
      st.fail(has_lat ? "lon" : "lat", fmt::format("missing: site '{}' has {} but not {}; give both (degrees) or neither",
                                                   s.name, has_lat ? "lat" : "lon", has_lat ? "lon" : "lat"));
    if (!has_lat) {
      if (p_.distance.on)
        st.fail("lat", fmt::format("missing: network.distance needs every site's coordinates; give site '{}' lat and "
                                   "lon (degrees)",
                                   s.name));
      return;
    }
    auto degrees = [&](const char* key, double limit) {
      const double v = st.num(key);
      if (!(v >= -limit && v <= limit))
        st.fail(key, fmt::format("{} degrees is out of range; must lie between {} and {}", v, -limit, limit));
      return v;
    };
    s.lat = degrees("lat", 90);
    s.lon = degrees("lon", 180);
  }

  // Star arm: host `hi` reaches its gateway over link `li`. An arm belongs to one site.
  void attach(const YamlSection& at, const std::string& key, uint32_t hi, uint32_t li) {
    const int32_t site = p_.site[hi];
    if (link_site_[li] == kUplink)
      at.fail(key, fmt::format("link '{}' is a site's uplink, not a star arm", p_.links[li].name));
    if (link_site_[li] != kUnused && link_site_[li] != site)
      at.fail(key, fmt::format("link '{}' would attach hosts of different sites; give each site its own link",
                               p_.links[li].name));
    link_site_[li] = site;
    p_.arm[hi] = static_cast<int32_t>(li);
    arm_owner_[li] = arm_owner_[li] == -1 ? static_cast<int64_t>(hi) : -2;  // -2: shared by several hosts
  }

  uint32_t link_of(const YamlSection& s, const std::string& key, const std::string& name) const {
    auto it = link_idx_.find(name);
    if (it == link_idx_.end()) s.fail(key, fmt::format("unknown link '{}' (declare it under links:)", name));
    return it->second;
  }

  // A link's carbon zone: its own `region`, else that of the single host it attaches, else the
  // platform's default_region. Documented in docs/inputs.md.
  void resolve_link_regions(const std::string& path) const {
    for (size_t l = 0; l < p_.links.size(); ++l) {
      auto& link = p_.links[l];
      if (!link.region.empty()) continue;
      if (arm_owner_[l] >= 0) link.region = p_.hosts[static_cast<size_t>(arm_owner_[l])].region;
      else if (!def_.empty()) link.region = def_;
      else fail_at_key(path, "links[" + std::to_string(l) + "].region",
                       "link '" + link.name + "' needs a region (or set default_region at the top)");
    }
  }

 private:
  static constexpr int32_t kUnused = -2, kUplink = -3;
  static constexpr uint32_t kNoLink = ~0u;
  void claim_name(const YamlSection& s, const std::string& name) {
    if (!names_.insert(name).second)
      s.fail("name", fmt::format("duplicate name '{}' (hosts, links and sites need distinct names)", name));
  }
  PlatformSpec& p_;
  std::string def_;
  std::unordered_set<std::string> names_;
  std::unordered_map<std::string, uint32_t> link_idx_;
  std::vector<int32_t> link_site_;   // per link: site of the hosts it attaches, kUnused, or kUplink
  std::vector<int64_t> arm_owner_;   // per link: the one host it attaches, -1 none, -2 several
};

}  // namespace

static PlatformSpec load_platform_body(const std::string& path, const std::function<void(YAML::Node&)>& edit) {
  YAML::Node doc = load_yaml_file(path);
  if (edit) edit(doc);
  YamlSection root(doc, path, "");
  root.allow_only({"name", "description", "region", "default_region", "hosts", "links", "sites", "network"});
  PlatformSpec p;
  p.file = path;
  p.name = root.str_or("name", "platform");
  // `region:` moves the whole platform into one carbon zone (`--set platform.region=DE`, a sweep's
  // `zone:` axis): it replaces default_region and the region of every site, host and link, so
  // comparing zones is one key instead of one per host (docs/inputs.md "Regions").
  const std::string everywhere = root.str_or("region", "");
  if (root.has("region") && everywhere.empty()) root.fail("region", "is empty; give a carbon zone id, e.g. DE");
  PlatformReader reader(p, everywhere.empty() ? root.str_or("default_region", "") : everywhere);
  // Before the sites: with network.distance every site must have coordinates.
  if (root.has("network") && root.child("network").has("distance"))
    parse_distance(root.child("network").child("distance"), p.distance);
  if (root.has("links"))
    for (const auto& l : root.list("links")) reader.add_link(l);
  if (root.has("hosts"))
    for (const auto& h : root.list("hosts")) reader.add_hosts(h, -1);
  if (root.has("sites"))
    for (const auto& st : root.list("sites")) {
      st.allow_only({"name", "count", "region", "uplink", "hosts", "lat", "lon"});
      const long count = entry_count(st);
      size_t per_site = 0;  // checked before expanding: 10^4 sites × 10^3 hosts fails at once
      for (const auto& h : st.list("hosts")) per_site += static_cast<size_t>(entry_count(h));
      if (p.hosts.size() + per_site * static_cast<size_t>(count) > kMaxHosts)
        st.fail("count", fmt::format("the platform would have more than {} hosts ({} sites × {} hosts)", kMaxHosts,
                                     count, per_site));
      for (long i = 1; i <= count; ++i) {
        reader.add_site(st, expand_name(st.str("name"), i, ""));
        const auto site = static_cast<int32_t>(p.sites.size() - 1);
        for (const auto& h : st.list("hosts")) reader.add_hosts(h, site);
      }
    }
  if (p.hosts.empty()) root.fail("hosts", "the platform has no host (give hosts: or sites: with hosts)");
  p.index_hosts();

  auto host_of = [&](const YamlSection& s, const std::string& key, const std::string& name) {
    int i = p.host_index(name);
    if (i < 0) s.fail(key, fmt::format("unknown host '{}'", name));
    return static_cast<uint32_t>(i);
  };
  if (root.has("network")) {
    YamlSection net = root.child("network");
    net.allow_only({"gateway", "attach", "routes", "distance"});
    if (net.has("attach")) {
      YamlSection a = net.child("attach");
      for (auto it = a.node().begin(); it != a.node().end(); ++it) {
        std::string hn = it->first.as<std::string>();
        reader.attach(a, hn, host_of(a, hn, hn), reader.link_of(a, hn, a.str(hn)));
      }
    }
    if (net.has("routes")) {
      // Explicit routes need SimGrid's per-pair (full) zone: hand-built topologies only.
      if (!p.sites.empty())
        net.fail("routes", "explicit routes cannot be combined with sites: (sites route through their uplinks)");
      for (const auto& r : net.list("routes")) {
        r.allow_only({"src", "dst", "links", "symmetric"});
        uint32_t s = host_of(r, "src", r.str("src")), d = host_of(r, "dst", r.str("dst"));
        if (s == d) r.fail("dst", "a route needs two different hosts");
        std::vector<uint32_t> ls;
        for (const auto& ln : r.str_list("links")) ls.push_back(reader.link_of(r, "links", ln));
        if (r.boolean_or("symmetric", true)) p.add_route(d, s, {ls.rbegin(), ls.rend()});
        p.add_route(s, d, std::move(ls));
      }
    }
  }
  reader.resolve_link_regions(path);
  if (!everywhere.empty()) {
    for (auto& h : p.hosts) h.region = everywhere;
    for (auto& st : p.sites) st.region = everywhere;
    for (auto& l : p.links) l.region = everywhere;
  }
  return p;
}

// Safety net: a node of an unexpected YAML type that no explicit check caught (yaml-cpp throws
// BadConversion / InvalidNode; found by fuzz_experiment) still becomes a one-line input error with
// the file and line, not an uncaught exception.
PlatformSpec load_platform(const std::string& path, const std::function<void(YAML::Node&)>& edit) {
  try {
    return load_platform_body(path, edit);
  } catch (const YAML::Exception& e) {
    if (e.mark.line < 0) fail_in_file(path, "unexpected YAML value (" + e.msg + ")");
    fail_at_line(path, e.mark.line + 1, "unexpected YAML value here (" + e.msg + ")");
  }
}

}  // namespace ce
