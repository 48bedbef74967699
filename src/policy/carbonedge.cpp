// carbonedge: the CarbonEdge node score (arXiv 2603.27420, papers.md §1.3, Algorithm 1):
//   S(n) = w_R·S_R + w_L·S_L + w_P·S_P + w_B·S_B + w_C·S_C, best score wins (ties: lower host index)
//   skip n when off, load > load_threshold (0.8), weights don't fit in memory, unreachable, or
//   T_avg > max_latency
//   load  = (busy + queued) / cores                         (HostState::load)
//   S_R   = ½[min(cores·(1−load) / 1 core, 1) + min(memory·(1−load) / weight_bytes, 1)]   [3RD, TANS]
//           (the memory term is 1 when memory is unlimited)
//   S_L   = 1 − load
//   S_P   = 1 / (1 + T_avg[s])
//   S_B   = 1 / (1 + 2·(busy + queued))
//   S_C   = 1 / (1 + I·E_est), I = HostState::intensity (gCO2/kWh)
//           units: paper → E_est = P_node[W]·T_avg[ms] / 3.6e6   (Eq. 4 as printed: really Wh)
//           units: kwh   → E_est = P_node[W]·T_avg[s]  / 3.6e6   (kWh)
//   P_node = power_w override, else the host's all-cores power at its current pstate
//   T_avg  = t_avg: prior   → predicted whole-model time on the host (stage_seconds × pstate slow-down)
//            t_avg: history → HostState::mean_service_s(), the prior until the host has finished a stage
// With partition: amp4ec and nodes: K > 1 the K best-scoring nodes share the model by the AMP4EC
// capability-proportional partitioner (papers.md §4.1): S_i = 0.6·c_i/c_max + 0.4·m_i/m_max
// (c = cores × speed at the current pstate, m = memory), shares P_i = S_i/ΣS; greedy cut where the
// cumulative MACs reach the cumulative share, then ±1-row moves of each boundary while they lower
// the mean absolute deviation of L_i = MACs_i / P_i. Stages run in score order.
#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/model_cache.hpp"

namespace ce {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Weights {
  double R = 0, L = 0, P = 0, B = 0, C = 0;
};

Weights mode_weights(const std::string& mode) {
  if (mode == "performance") return {0.25, 0.25, 0.30, 0.15, 0.05};
  if (mode == "balanced") return {0.20, 0.20, 0.15, 0.15, 0.30};
  return {0.15, 0.15, 0.10, 0.10, 0.50};  // green
}

// The weight sweep of the paper's Fig. 3 varies w_C; the grid and how the other weights move are not
// given (papers.md §1.6), so we keep the mode's R:L:P:B proportions and rescale them to 1 − w_C.
template <class Section>
Weights with_carbon_weight(Weights base, double w_c, const Section& p) {
  if (w_c < 0 || w_c > 1) p.fail("w_C", "must be in [0, 1]");
  const double rest = base.R + base.L + base.P + base.B;
  const double k = (1.0 - w_c) / rest;
  return {base.R * k, base.L * k, base.P * k, base.B * k, w_c};
}

struct Options {
  Weights w;
  bool paper_units = true;
  bool history = false;
  std::vector<double> t_prior;  // per host: a fixed T_avg estimate (s) from `t_avg: {host: time}`; NaN = predicted
  double load_threshold = 0.8;
  double max_latency = kInf;
  std::vector<double> power_w;  // per host; NaN = use the host's own
  std::vector<uint32_t> hosts;  // candidates (empty: all)
  std::string variant = "largest";
  uint32_t nodes = 1;           // > 1 with amp4ec partitioning
};

// Per model: whole-model weight bytes and time on each host at pstate 0 (pure functions of the
// model and the platform, memoised so a decision costs O(hosts) arithmetic and no allocation).
struct ModelFacts {
  double weight = 0;
  std::vector<double> seconds;  // per host: stage_seconds(host, m, 1, R)
};

// Per host, what score() needs that depends only on the platform and the options, computed once
// with the very expressions score() used to evaluate per decision (so the same values, bit for bit):
// a decision then reads one small record per host instead of chasing the platform's nested vectors.
struct HostFacts {
  double cores = 1;
  double memory_bytes = 0;
  double t_prior = 0;          // NaN: predicted
  std::vector<double> slow;    // per pstate: speed(p0) / speed(p)
  std::vector<double> p_node;  // per pstate: power_w override, else all-cores power
};

class CarbonEdge : public Policy {
 public:
  CarbonEdge(Options o, const PlatformSpec& P) : o_(std::move(o)) {
    pick_ = o_.variant == "smallest" ? Smallest : o_.variant == "largest" ? Largest : Named;
    const size_t H = P.hosts.size();
    for (size_t h = 0; h < H; ++h) {
      const HostSpec& spec = P.hosts[h];
      HostFacts f;
      f.cores = spec.cores;
      f.memory_bytes = spec.memory_bytes;
      f.t_prior = h < o_.t_prior.size() ? o_.t_prior[h] : std::numeric_limits<double>::quiet_NaN();
      for (uint32_t p = 0; p < spec.pstates.size(); ++p) {
        f.slow.push_back(spec.pstates.at(0).speed / spec.pstates.at(p).speed);
        f.p_node.push_back(std::isnan(o_.power_w[h]) ? spec.power_w(p, spec.cores) : o_.power_w[h]);
      }
      facts_h_.push_back(std::move(f));
    }
  }

  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = variants.back();
    if (pick_ == Smallest) m = variants.front();
    else if (pick_ == Named)
      for (auto* v : variants)
        if (v->name == o_.variant) m = v;
    const PlatformSpec& P = *view.platform;
    const size_t R = m->row_count() - 1;
    const ModelFacts& mf = facts_.get(m, [&] {
      ModelFacts f;
      f.weight = stage_weight_bytes(*m, 1, R);
      for (const HostSpec& h : P.hosts) f.seconds.push_back(stage_seconds(h, *m, 1, R));
      return f;
    });
    const double weight = mf.weight;
    const size_t H = P.hosts.size();
    const size_t N = o_.hosts.empty() ? H : o_.hosts.size();
    const bool partial_ok = o_.nodes > 1;

    if (!partial_ok) {
      // The best score, ties to the lower host index (what sorting by (score desc, host asc) puts first).
      double best = 0;
      uint32_t best_h = 0;
      bool any = false;
      for (size_t i = 0; i < N; ++i) {
        uint32_t h = o_.hosts.empty() ? static_cast<uint32_t>(i) : o_.hosts[i];
        double s = score(h, mf.seconds[h], weight, req.source, view, false);
        if (std::isnan(s)) continue;
        if (!any || s > best || (s == best && h < best_h)) {
          best = s;
          best_h = h;
          any = true;
        }
      }
      if (!any) return Plan{nullptr, {}, "no node passes the load/resource filters"};
      if (weight > mem_limit(P.hosts[best_h])) return Plan{nullptr, {}, "model does not fit on any node"};
      return whole_model_on(m, best_h);
    }

    // (score, host) of every eligible node.
    thread_local std::vector<std::pair<double, uint32_t>> scored;
    scored.clear();
    for (size_t i = 0; i < N; ++i) {
      uint32_t h = o_.hosts.empty() ? static_cast<uint32_t>(i) : o_.hosts[i];
      double s = score(h, mf.seconds[h], weight, req.source, view, true);
      if (!std::isnan(s)) scored.push_back({s, h});
    }
    if (scored.empty()) return Plan{nullptr, {}, "no node passes the load/resource filters"};
    // Best score first; ties by host index (a strict total order: hosts are unique, NaNs are out).
    // Only the first `nodes` are needed unless the partition fails, so only they are sorted now.
    auto better = [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    const size_t top = std::min<size_t>(o_.nodes, scored.size());
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(top), scored.end(), better);
    if (scored.size() < 2) {
      if (weight > mem_limit(P.hosts[scored[0].second])) return Plan{nullptr, {}, "model does not fit on any node"};
      return whole_model_on(m, scored[0].second);
    }
    std::vector<uint32_t> chosen;
    for (size_t i = 0; i < scored.size() && chosen.size() < o_.nodes; ++i) chosen.push_back(scored[i].second);
    if (chosen.size() > R) chosen.resize(R);
    Plan plan = amp4ec_partition(*m, chosen, view);
    if (!plan.rejected()) return plan;
    // Partition infeasible (memory / routes): the best node that holds the whole model.
    std::sort(scored.begin() + static_cast<std::ptrdiff_t>(top), scored.end(), better);
    for (auto& [s, h] : scored)
      if (weight <= mem_limit(P.hosts[h])) return whole_model_on(m, h);
    return Plan{nullptr, {}, "model does not fit on any node"};
  }

  // NaN when the node is filtered out. Public for the tests through the factory's behaviour only.
  // t_model: the whole model's time on h at pstate 0 (stage_seconds(h, m, 1, R)).
  double score(uint32_t h, double t_model, double weight, uint32_t src, const ClusterView& view,
               bool partial_ok) const {
    const HostState& hs = view.hosts[h];
    const HostFacts& spec = facts_h_[h];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (!hs.on) return nan;
    const PlatformSpec& P = *view.platform;
    if (!P.reachable(src, h) || !P.reachable(h, src)) return nan;
    const double load = static_cast<double>(hs.busy + hs.queued) / spec.cores;  // HostState::load
    if (load > o_.load_threshold) return nan;
    if (!partial_ok && weight > (spec.memory_bytes > 0 ? spec.memory_bytes : kInf)) return nan;  // has_sufficient_resources
    double t = !std::isnan(spec.t_prior) ? spec.t_prior : t_model * spec.slow[hs.pstate];  // prior
    if (o_.history && hs.completed > 0) t = hs.mean_service_s();
    if (t > o_.max_latency) return nan;
    const double free = std::max(0.0, 1.0 - load);
    const double cpu = std::min(spec.cores * free / 1.0, 1.0);
    const double mem = spec.memory_bytes > 0 && weight > 0 ? std::min(spec.memory_bytes * free / weight, 1.0) : 1.0;
    const double S_R = 0.5 * (cpu + mem);
    const double S_L = free;
    const double S_P = 1.0 / (1.0 + t);
    const double S_B = 1.0 / (1.0 + 2.0 * (hs.busy + hs.queued));
    const double p_node = spec.p_node[hs.pstate];
    const double e_est = p_node * (o_.paper_units ? t * 1000.0 : t) / 3.6e6;
    const double S_C = 1.0 / (1.0 + hs.intensity * e_est);
    const Weights& w = o_.w;
    return w.R * S_R + w.L * S_L + w.P * S_P + w.B * S_B + w.C * S_C;
  }

 private:
  static double mem_limit(const HostSpec& h) { return h.memory_bytes > 0 ? h.memory_bytes : kInf; }

  Plan amp4ec_partition(const ModelProfile& m, const std::vector<uint32_t>& nodes, const ClusterView& view) const {
    const PlatformSpec& P = *view.platform;
    const size_t K = nodes.size(), R = m.row_count() - 1;
    std::vector<double> cap(K), mem(K);
    double cmax = 0, mmax = 0;
    for (size_t i = 0; i < K; ++i) {
      const HostSpec& s = P.hosts[nodes[i]];
      cap[i] = s.cores * s.pstates.at(view.hosts[nodes[i]].pstate).speed;
      mem[i] = s.memory_bytes;
      cmax = std::max(cmax, cap[i]);
      mmax = std::max(mmax, mem[i]);
    }
    std::vector<double> share(K);
    double tot = 0;
    for (size_t i = 0; i < K; ++i) {
      // Unlimited memory (0) counts as the largest memory of the group.
      double mi = mmax > 0 ? (mem[i] > 0 ? mem[i] / mmax : 1.0) : 1.0;
      share[i] = 0.6 * cap[i] / cmax + 0.4 * mi;
      tot += share[i];
    }
    for (auto& s : share) s /= tot;
    std::vector<double> cum(R + 1, 0);  // cumulative MACs of rows 1..k
    for (size_t k = 1; k <= R; ++k) cum[k] = cum[k - 1] + static_cast<double>(m.layers[k].macs);
    // Greedy: boundary b_i (last row of partition i) where cum reaches Σ_{j≤i} P_j · total.
    std::vector<size_t> b(K);
    b[K - 1] = R;
    double target = 0;
    size_t prev = 0;
    for (size_t i = 0; i + 1 < K; ++i) {
      target += share[i] * cum[R];
      size_t k = prev + 1;
      while (k < R - (K - 1 - i) && cum[k] < target) ++k;
      // Closer of k−1 and k to the target, keeping at least one row per partition.
      if (k - 1 > prev && std::abs(cum[k - 1] - target) <= std::abs(cum[k] - target)) --k;
      b[i] = k;
      prev = k;
    }
    auto mad = [&](const std::vector<size_t>& bb) {
      std::vector<double> L(K);
      double mean = 0;
      for (size_t i = 0; i < K; ++i) {
        L[i] = (cum[bb[i]] - cum[i ? bb[i - 1] : 0]) / share[i];
        mean += L[i];
      }
      mean /= static_cast<double>(K);
      double d = 0;
      for (double x : L) d += std::abs(x - mean);
      return d / static_cast<double>(K);
    };
    // ±1 refinement until no single move improves (each move strictly lowers the MAD: terminates).
    double cur = mad(b);
    for (bool improved = true; improved;) {
      improved = false;
      for (size_t i = 0; i + 1 < K; ++i)
        for (int d : {-1, +1}) {
          size_t lo = i ? b[i - 1] + 1 : 1, hi = b[i + 1] - 1;
          long nb = static_cast<long>(b[i]) + d;
          if (nb < static_cast<long>(lo) || nb > static_cast<long>(hi)) continue;
          auto trial = b;
          trial[i] = static_cast<size_t>(nb);
          double v = mad(trial);
          if (v < cur - 1e-12) {
            b = trial;
            cur = v;
            improved = true;
          }
        }
    }
    Plan plan;
    plan.model = &m;
    for (size_t i = 0; i < K; ++i) {
      size_t first = i ? b[i - 1] + 1 : 1;
      if (stage_weight_bytes(m, first, b[i]) > mem_limit(P.hosts[nodes[i]])) return Plan{nullptr, {}, "memory"};
      if (i && !P.reachable(nodes[i - 1], nodes[i])) return Plan{nullptr, {}, "route"};
      plan.stages.push_back({nodes[i], static_cast<uint32_t>(first), static_cast<uint32_t>(b[i])});
    }
    return plan;
  }

  Options o_;
  enum Pick { Largest, Smallest, Named } pick_ = Largest;
  PerModelCache<ModelFacts> facts_;
  std::vector<HostFacts> facts_h_;
};

}  // namespace

std::unique_ptr<Policy> make_carbonedge(const YamlSection& p, const PolicyContext& ctx) {
  p.allow_only({"mode", "weights", "w_C", "units", "t_avg", "power_w", "load_threshold", "max_latency", "hosts",
                "variant", "partition", "nodes"});
  Options o;
  const std::string mode = p.str_or("mode", p.has("weights") ? "custom" : "balanced");
  if (mode == "custom") {
    if (!p.has("weights")) p.fail("mode", "mode 'custom' needs weights: {R, L, P, B, C}");
    YamlSection w = p.child("weights");
    w.allow_only({"R", "L", "P", "B", "C"});
    if (p.has("w_C")) p.fail("w_C", "with custom weights set weights.C instead");
    o.w = {w.num("R"), w.num("L"), w.num("P"), w.num("B"), w.num("C")};
    for (double x : {o.w.R, o.w.L, o.w.P, o.w.B, o.w.C})
      if (x < 0) p.fail("weights", "weights must be >= 0");
  } else if (mode == "performance" || mode == "balanced" || mode == "green") {
    if (p.has("weights")) p.fail("weights", fmt::format("weights given with mode '{}'; use mode: custom", mode));
    o.w = mode_weights(mode);
    if (p.has("w_C")) o.w = with_carbon_weight(o.w, p.num("w_C"), p);
  } else {
    p.fail("mode", fmt::format("unknown mode '{}' (performance, balanced, green, custom)", mode));
  }
  const std::string units = p.str_or("units", "paper");
  if (units != "paper" && units != "kwh") p.fail("units", fmt::format("'{}' is not paper or kwh", units));
  o.paper_units = units == "paper";
  // t_avg: prior | history | {host: time} (the scheduler's own per-node estimates, e.g. the paper's
  // T_est ∝ 1/cpu_quota; hosts left out keep the predicted prior).
  o.t_prior.assign(ctx.platform->hosts.size(), std::numeric_limits<double>::quiet_NaN());
  if (p.has("t_avg") && p.raw("t_avg").IsMap()) {
    YamlSection ts = p.child("t_avg");
    const YAML::Node map = p.raw("t_avg");
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string name = it->first.as<std::string>();
      const int h = ctx.platform->host_index(name);
      if (h < 0) ts.fail(name, fmt::format("unknown host '{}'", name));
      const double t = ts.quantity(name, Unit::Duration);
      if (!(t > 0)) ts.fail(name, "must be a positive duration");
      o.t_prior[static_cast<size_t>(h)] = t;
    }
  } else {
    const std::string ta = p.str_or("t_avg", "prior");
    if (ta != "prior" && ta != "history")
      p.fail("t_avg", fmt::format("'{}' is not prior, history or a map host: time", ta));
    o.history = ta == "history";
  }
  o.load_threshold = p.num_or("load_threshold", 0.8);
  if (p.has("max_latency")) o.max_latency = p.quantity("max_latency", Unit::Duration);
  const PlatformSpec& P = *ctx.platform;
  o.power_w.assign(P.hosts.size(), std::numeric_limits<double>::quiet_NaN());
  if (p.has("power_w")) {
    YAML::Node n = p.raw("power_w");
    if (n.IsMap()) {
      YamlSection pw = p.child("power_w");
      for (auto it = n.begin(); it != n.end(); ++it) {
        std::string name = it->first.as<std::string>();
        int h = P.host_index(name);
        if (h < 0) pw.fail(name, fmt::format("unknown host '{}'", name));
        o.power_w[static_cast<size_t>(h)] = pw.num(name);
      }
    } else {
      double w = p.num("power_w");
      if (w < 0) p.fail("power_w", "must be >= 0");
      std::fill(o.power_w.begin(), o.power_w.end(), w);
    }
  }
  if (p.has("hosts"))
    for (const auto& name : p.str_list("hosts")) {
      int h = P.host_index(name);
      if (h < 0) p.fail("hosts", fmt::format("unknown host '{}' (not in {})", name, P.file));
      o.hosts.push_back(static_cast<uint32_t>(h));
    }
  o.variant = p.str_or("variant", "largest");
  if (o.variant != "largest" && o.variant != "smallest" && ctx.models && !ctx.models->find(o.variant))
    p.fail("variant", fmt::format("unknown model '{}' (use largest, smallest or a model name)", o.variant));
  const std::string part = p.str_or("partition", "none");
  if (part == "amp4ec") {
    long k = p.integer_or("nodes", 2);
    if (k < 1 || k > 1024) p.fail("nodes", "must be between 1 and 1024");
    o.nodes = static_cast<uint32_t>(k);
  } else if (part == "none") {
    if (p.has("nodes")) p.fail("nodes", "only with partition: amp4ec");
  } else {
    p.fail("partition", fmt::format("'{}' is not none or amp4ec", part));
  }
  return std::make_unique<CarbonEdge>(std::move(o), P);
}

}  // namespace ce
