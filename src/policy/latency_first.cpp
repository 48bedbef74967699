// latency-first: the plan with the lowest predicted end-to-end latency over candidate hosts and
// cut points (Neurosurgeon-style, papers.md §4.2, generalised to up to `max_stages` stages).
//
// Predicted latency of a plan with stages (h_1, rows a_1..b_1), ..., (h_S, rows a_S..b_S):
//   T = Σ_s [ transfer(h_{s-1} → h_s, cut_bytes(a_s − 1)) + wait(h_s) + t(h_s, a_s..b_s) ]
//       + transfer(h_S → source, cut_bytes(last row))            with h_0 = the request's source
//   t(h, rows) = stage_seconds(h, rows) × speed(pstate 0) / speed(current pstate)
//   wait(h)    = q_h × S_h,  q_h = max(0, busy + queued − cores + 1) / cores  (0 while a worker is free)
//   S_h        = HostState::mean_service_s() when the host has history, else t(h, rows) itself.
// Transfers use PlatformSpec::transfer_time (idle network). Constraints: host on, in `hosts`,
// routes reachable, and stage_weight_bytes ≤ memory_bytes when memory_bytes > 0.
//
// Search: dynamic programming over (stages used, last row done, host holding the tensor), with
// consecutive stages on different hosts. O(S·R·H²) for the transfers + O(S·R²·H) for the stages in
// the worst case. What keeps decide() fast (docs/performance.md):
//  - max_stages 1 evaluates the one DP row it needs (one_stage()); max_stages 2 (the default)
//    bounds every candidate as sender and receiver against the best one-stage plan first and runs
//    the DP's expressions on the few (sender, cut, receiver) triples that can beat it
//    (two_stage()): O(H + R·few) instead of O(R·H log H), with the same plans;
//  - nothing is kept per pair of hosts (O(H) memory): transfers come from each host's arm and site
//    (the sums PlatformSpec::path() makes), flattened into one record per candidate (Cand, with
//    its cores and spec class), so a pair's transfer is a few adds and maxes (between(),
//    one_way()), and on a flat star (one site or none, no shared arm) source ↔ candidate is one add
//    and one max; per-(model, spec class) prefix sums of stage time are memoised (a pure function
//    of the model and the platform), looked up without a lock;
//  - without the index, one_stage() and two_stage() walk the candidates directly (all_, skipping
//    those that are off); Q is built only for the full DP;
//  - with 1–2 stages on a star and a tracked view, the class index (select()) narrows the search
//    to the source and the few least-loaded hosts of each class, a set that provably holds the full
//    DP's plan (docs/policies.md "latency-first"); candidates are searched in ascending index, so
//    every tie-break is the DP's;
//  - the transfer step min_g D[g] + lat(g→c) + cut·ibw(g→c) visits senders in increasing D[g] and
//    stops at a lower bound (see arrivals()): the exact same minimum as a full scan (same
//    expression for the same g), so the plans are identical, in O(H log H + H·few) per row
//    instead of O(H²);
//  - stages on hosts with a memory limit use a sliding-window minimum over the start row (O(R), not
//    O(R²)), with the same values as trying every pair (see the comment there);
//  - scratch arrays are per-thread and reused: no allocation but the plan's own.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/rng.hpp"
#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/model_cache.hpp"

namespace ce {
namespace {

// The per-candidate helpers of the hot loops must be inlined (the compiler's heuristics sometimes
// decline, for a loop that is then ~1.5 times slower).
#if defined(__GNUC__)
#define CE_HOT_INLINE __attribute__((always_inline)) inline
#else
#define CE_HOT_INLINE inline
#endif

// two_stage()'s pass over every candidate: on its own (not inlined, so that the loop gets the
// registers), and without GCC's SLP vectoriser, which packs the running minima two by two into
// vector registers and turns them into one loop-carried chain of shuffles (~1.5 times slower).
#if defined(__GNUC__) && !defined(__clang__)
#define CE_LOOP_FN __attribute__((noinline, optimize("no-tree-slp-vectorize")))
#elif defined(__GNUC__)
#define CE_LOOP_FN __attribute__((noinline))
#else
#define CE_LOOP_FN
#endif

constexpr double kInf = std::numeric_limits<double>::infinity();

// A cheap hash of the figures that set a host's stage times, to bucket hosts before comparing
// their specs in full (the comparison decides; collisions only cost a compare). Wraps on purpose.
CE_INTENDED_WRAPAROUND uint64_t spec_bucket_key(const HostSpec& s) {
  uint64_t key = std::hash<double>()(s.pstates.empty() ? 0 : s.pstates[0].speed) * 31 + s.cores;
  key = key * 31 + std::hash<double>()(s.memory_bytes);
  return key * 31 + s.rates.size() * 7 + s.op_costs.size();
}
constexpr double kSlack = 1e-15;  // > 4 ulp, relative: rounding room between a bound and the DP's value
constexpr double kNear = 1e-9;    // relative margin under which two wait keys of a class count as close
constexpr size_t kSmallSite = 64;  // sites up to this size are merged into classes across sites (1 stage)

// Per (model, spec class): a spec class is a set of candidates with the same compute spec (pstate
// speeds, cores, rates, op costs, layer overhead, memory), whose stage times are therefore equal.
// Everything is per class, never per host: O(classes × rows) per model.
struct ModelTable {
  size_t R = 0;
  std::vector<double> pre;   // pre[s * (R + 1) + k] = stage_seconds(class s, rows 1..k) at pstate 0
  std::vector<double> wpre;  // wpre[k] = weight bytes of rows 1..k
  std::vector<double> cut;   // cut[k] = cut_bytes(k)
  std::vector<double> preR;  // per class: pre[s][R]
  // Per class, with the memory limits folded in (a time is +inf where the stage's weights do not
  // fit): c_pre_r = the whole model, c_row1 = the first row alone, c_last_row = the last row alone;
  // c_rho = min over middle rows j of t_s(j) / r(j), r(j) = min over classes of t(j), so the middle
  // rows cost ≥ c_rho·mid on s alone, mid = Σ r(j) over rows 2..R−1 (two_stage()'s bounds);
  // first_max = the last row a first stage (rows 1..k) can end at, last_min = the first row k after
  // which a last stage (rows k+1..R) fits.
  double mid = 0;
  std::vector<double> c_pre_r, c_row1, c_last_row, c_rho;
  std::vector<uint32_t> first_max, last_min;
  // The same per class, in one record for two_stage()'s pass over every candidate; slack_r =
  // kSlack·pre[R] (the product two_stage() takes first).
  struct Row {
    double pre_r, row1, last_row, rho, slack_r;
  };
  std::vector<Row> rows;
};

ModelTable build_table(const ModelProfile& m, const PlatformSpec& P, const std::vector<uint32_t>& class_host,
                       const std::vector<double>& class_mem) {
  ModelTable t;
  const size_t R = m.row_count() - 1, K = class_host.size();
  t.R = R;
  t.pre.assign(K * (R + 1), 0);
  for (size_t s = 0; s < K; ++s)
    for (size_t k = 1; k <= R; ++k)
      t.pre[s * (R + 1) + k] = t.pre[s * (R + 1) + k - 1] + stage_seconds(P.hosts[class_host[s]], m, k, k);
  t.wpre.assign(R + 1, 0);
  for (size_t k = 1; k <= R; ++k) t.wpre[k] = t.wpre[k - 1] + stage_weight_bytes(m, k, k);
  for (size_t k = 0; k <= R; ++k) t.cut.push_back(m.cut_bytes(k));
  for (size_t s = 0; s < K; ++s) t.preR.push_back(t.pre[s * (R + 1) + R]);
  auto row = [&](size_t s, size_t j) { return t.pre[s * (R + 1) + j] - t.pre[s * (R + 1) + j - 1]; };
  std::vector<double> r(R + 1, kInf);
  for (size_t j = 2; j + 1 <= R; ++j)
    for (size_t s = 0; s < K; ++s) r[j] = std::min(r[j], std::max(0.0, row(s, j)));
  for (size_t j = 2; j + 1 <= R; ++j) t.mid += r[j];
  for (size_t s = 0; s < K; ++s) {
    const double mem = class_mem[s];
    auto fits = [&](size_t a, size_t b) { return t.wpre[b] - t.wpre[a] <= mem; };
    t.c_pre_r.push_back(fits(0, R) ? t.preR[s] : kInf);
    t.c_row1.push_back(R >= 1 && fits(0, 1) ? row(s, 1) : kInf);
    t.c_last_row.push_back(R >= 1 && fits(R - 1, R) ? row(s, R) : kInf);
    double rho = kInf;
    for (size_t j = 2; j + 1 <= R; ++j)
      if (r[j] > 0) rho = std::min(rho, row(s, j) / r[j]);
    t.c_rho.push_back(rho == kInf ? 0.0 : rho);  // no middle row costs anything: the bound adds 0
    uint32_t k1 = 0, k2 = static_cast<uint32_t>(R);
    while (k1 + 1 < R && t.wpre[k1 + 1] - t.wpre[0] <= mem) ++k1;
    while (k2 > 1 && t.wpre[R] - t.wpre[k2 - 1] <= mem) --k2;
    t.first_max.push_back(k1);
    t.last_min.push_back(k2);
    t.rows.push_back({t.c_pre_r[s], t.c_row1[s], t.c_last_row[s], t.c_rho[s], kSlack * t.preR[s]});
  }
  return t;
}

// Per-thread working arrays of decide(), grown on demand and never shrunk. Indexed by position in
// the decision's candidate list Q (ascending candidate index).
struct Scratch {
  std::vector<uint32_t> q;                                // candidate indices, ascending
  std::vector<double> f, add, D, A;
  std::vector<std::pair<double, uint32_t>> heap, sorted;  // (D, sender) for the transfer step
  std::vector<uint32_t> window;                           // start rows, for the memory-limited stages
  std::vector<double> base;
  std::vector<double> d1, x_min;  // two_stage()
  struct Cell {  // two_stage(): a candidate's state, transfers and bounds (pass1())
    double f, add, in, back, u1, u2, th, s1, s2;
  };
  std::vector<Cell> cell;
  std::vector<uint32_t> v1, v2, rows;  // v1, v2: senders and receivers kept, the first n1 / n2
  std::vector<uint32_t> on;            // two_stage(): the positions of the candidates that are on
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

class LatencyFirst : public Policy {
 public:
  LatencyFirst(const PlatformSpec& p, uint32_t max_stages, std::vector<uint32_t> hosts, std::string variant,
               bool exhaustive)
      : max_stages_(max_stages), hosts_(std::move(hosts)), variant_(std::move(variant)), exhaustive_(exhaustive) {
    const size_t H = p.hosts.size();
    if (hosts_.empty())
      for (uint32_t h = 0; h < H; ++h) hosts_.push_back(h);
    const size_t C = hosts_.size();
    pick_ = variant_ == "smallest" ? Smallest : (variant_.empty() || variant_ == "largest") ? Largest : Named;
    // The network in O(hosts + links): what PlatformSpec::path() reads, flattened. With the
    // distance model on (network.distance) every estimate goes through PlatformSpec::path(), which
    // adds the pairs' distance latency (correct; slower than the flattened star).
    star_ = p.explicit_routes.empty() && !p.distance.on;
    harm_.assign(H, -1);
    hsite_.assign(H, -1);
    for (size_t h = 0; h < H && h < p.arm.size(); ++h) harm_[h] = p.arm[h];
    for (size_t h = 0; h < H && h < p.site.size(); ++h) hsite_[h] = p.site[h];
    for (const LinkSpec& l : p.links) {
      llat_.push_back(l.latency);
      lib_.push_back(1.0 / l.bandwidth);  // 1/min(b) = max(1/b) exactly (rounding is monotonic); 1/inf = 0
    }
    for (const SiteSpec& s : p.sites) {
      ulat_.push_back(p.links[s.uplink].latency);
      uib_.push_back(1.0 / p.links[s.uplink].bandwidth);
    }
    {
      flat_ = star_;
      std::vector<char> used(llat_.size(), 0);
      for (size_t h = 0; h < H; ++h) {
        if (hsite_[h] != hsite_.front()) flat_ = false;
        if (harm_[h] >= 0 && used[static_cast<size_t>(harm_[h])]++) flat_ = false;
      }
    }
    // Per candidate, the platform facts decide() needs, contiguous.
    for (size_t c = 0; c < C; ++c) {
      const HostSpec& spec = p.hosts[hosts_[c]];
      Cand k;
      k.net = host_net(hosts_[c]);
      k.cores = static_cast<double>(spec.cores);
      k.host = hosts_[c];
      k.cores_n = spec.cores;
      k.slow_at = static_cast<uint32_t>(cand_slow_.size());
      for (size_t ps = 0; ps < spec.pstates.size(); ++ps)
        cand_slow_.push_back(spec.pstates.at(0).speed / spec.pstates.at(ps).speed);
      cand_.push_back(k);
      all_.push_back(static_cast<uint32_t>(c));
    }
    build_spec_classes(p);
    for (size_t c = 0; c < C; ++c) cand_[c].sc = sc_[c];
    build_transfer_bounds(p);
    for (size_t c = 0; c < C; ++c) {
      cand_[c].min_lat_in = min_lat_in_[c];
      cand_[c].min_lat_out = min_lat_out_[c];
    }
    build_index_classes(p);
  }

  bool uses_change_log() const override { return true; }  // its per-class wait order

  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants);
    const PlatformSpec& P = *view.platform;
    const ModelTable& tab = tables_.get(m, [&] { return build_table(*m, P, class_host_, class_mem_); });
    const uint32_t R = static_cast<uint32_t>(m->row_count() - 1);
    const uint32_t src = req.source;
    Scratch& w = scratch();
    const uint32_t S = std::min<uint32_t>(max_stages_, R);

    // Q: the candidates the search looks at, ascending. With the class index (max_stages ≤ 2, a
    // tracked view): the source's neighbourhood and the few best hosts of each class, a set that
    // provably holds the full DP's plan (see select()); else every candidate that is on.
    // one_stage() and two_stage() take Q as a list of candidates, skipping those that are off:
    // without the index that list is every candidate (all_), so Q is only built for the DP.
    auto& q = w.q;
    q.clear();
    const bool indexed = S <= 2 && !exhaustive_ && index_ok_ && view.changes_epoch != 0;
    if (indexed) {
      select(view, src, S, tab, q);
      if (q.empty()) return Plan{nullptr, {}, "every candidate host is off"};
    }
    {
      const uint32_t* list = indexed ? q.data() : all_.data();
      const size_t len = indexed ? q.size() : all_.size();
      if (S == 1)
        return flat_ ? one_stage<true>(m, tab, src, view, list, len) : one_stage<false>(m, tab, src, view, list, len);
      if (S == 2 && !exhaustive_)
        if (std::optional<Plan> plan = flat_ ? two_stage<true>(m, tab, src, view, w, list, len)
                                             : two_stage<false>(m, tab, src, view, w, list, len))
          return std::move(*plan);
    }
    if (!indexed) {  // branch-free: q[n] is written always, kept when on
      const size_t C = hosts_.size();
      q.resize(C);
      uint32_t* out = q.data();
      const HostState* hs = view.hosts.data();
      const uint32_t* hosts = hosts_.data();
      size_t kept = 0;
      for (uint32_t c = 0; c < C; ++c) {
        out[kept] = c;
        kept += hs[hosts[c]].on;
      }
      q.resize(kept);
    }
    if (q.empty()) return Plan{nullptr, {}, "every candidate host is off"};
    const size_t n = q.size();
    w.f.resize(n);
    w.add.resize(n);
    for (size_t i = 0; i < n; ++i) load(q[i], view.hosts[hosts_[q[i]]], w.f[i], w.add[i]);

    // D[s][k][i]: best latency with s stages done, rows 1..k done, tensor on Q[i] (ran stage s).
    // A[s][k][i]: best latency with rows 1..k done and the tensor arrived on Q[i] for stage s+1.
    // Only values are kept; the backtrack recomputes the argmins with the same expressions.
    const size_t KC = static_cast<size_t>(R + 1) * n;
    w.D.resize((S + 1) * KC);
    w.A.resize(S * KC);
    double* D = w.D.data();
    double* A = w.A.data();
    std::fill(D + KC, D + (S + 1) * KC, kInf);
    std::fill(A, A + S * KC, kInf);
    const double* f = w.f.data();
    const double* add = w.add.data();
    auto pre_of = [&](size_t i) { return &tab.pre[sc_[q[i]] * (R + 1)]; };
    auto base = [&](size_t i, double a, uint32_t k) { return a + add[i] - pre_of(i)[k] * f[i]; };
    double best = kInf;
    int best_s = -1, best_i = -1;
    for (uint32_t s = 0; s < S; ++s) {
      double* As = &A[s * KC];
      if (s == 0) {
        for (size_t i = 0; i < n; ++i) {
          const Hop h = hop(P, src, hosts_[q[i]]);
          if (h.lat < kInf) As[i] = h.lat + tab.cut[0] * h.ib;
        }
      } else {
        for (uint32_t k = 1; k < R; ++k) arrivals(P, &D[s * KC + k * n], tab.cut[k], w, &As[k * n]);
      }
      double* Dn = &D[(s + 1) * KC];
      for (size_t i = 0; i < n; ++i) {
        const double* pre = pre_of(i);
        const double mem = class_mem_[sc_[q[i]]];
        if (mem == kInf) {  // running minimum over the start row
          double run = kInf;
          for (uint32_t k2 = 1; k2 <= R; ++k2) {
            const double a = As[(k2 - 1) * n + i];
            if (a != kInf) {
              double b = base(i, a, k2 - 1);
              run = b < run ? b : run;
            }
            if (run != kInf) Dn[k2 * n + i] = run + pre[k2] * f[i];
          }
        } else {
          // Start rows k whose stage k+1..k2 fits in memory form a window [k_min(k2), k2−1] that only
          // slides right as k2 grows (weights are ≥ 0): a sliding-window minimum of base() over it,
          // O(R) instead of O(R²). min_k fl(b_k + p) = fl(min_k b_k + p) since rounding is monotonic,
          // so the values are those of trying every (k, k2) pair.
          auto& dq = w.window;
          dq.clear();
          size_t head = 0;
          w.base.resize(R + 1);
          for (uint32_t k2 = 1; k2 <= R; ++k2) {
            const uint32_t k = k2 - 1;
            const double a = As[k * n + i];
            if (a != kInf) {
              const double b = base(i, a, k);
              while (dq.size() > head && w.base[dq.back()] >= b) dq.pop_back();
              dq.push_back(k);
              w.base[k] = b;
            }
            while (head < dq.size() && tab.wpre[k2] - tab.wpre[dq[head]] > mem) ++head;
            if (head < dq.size()) Dn[k2 * n + i] = w.base[dq[head]] + pre[k2] * f[i];
          }
        }
        double fin = Dn[R * n + i];
        const Hop h = hop(P, hosts_[q[i]], src);
        if (fin == kInf || h.lat == kInf) continue;
        fin += h.lat + tab.cut[R] * h.ib;
        if (fin < best) {  // strict: fewer stages, then earlier candidates, win ties
          best = fin;
          best_s = static_cast<int>(s + 1);
          best_i = static_cast<int>(i);
        }
      }
    }
    if (best_s < 0) return Plan{nullptr, {}, fmt::format("no candidate host can hold and reach {}", m->name)};

    Plan plan;
    plan.model = m;
    plan.stages.resize(static_cast<size_t>(best_s));
    uint32_t k2 = R;
    size_t i = static_cast<size_t>(best_i);
    for (int s = best_s; s >= 1; --s) {
      // Start row of stage s on Q[i]: the first k reaching D[s][k2][i] (same order as above).
      const double* As = &A[static_cast<size_t>(s - 1) * KC];
      const double mem = class_mem_[sc_[q[i]]];
      double bv = kInf;
      uint32_t bk = 0;
      for (uint32_t k = 0; k < k2; ++k) {
        const double a = As[k * n + i];
        if (a == kInf || tab.wpre[k2] - tab.wpre[k] > mem) continue;
        double v = base(i, a, k) + pre_of(i)[k2] * f[i];
        if (v < bv) {
          bv = v;
          bk = k;
        }
      }
      plan.stages[static_cast<size_t>(s - 1)] = {hosts_[q[i]], bk + 1, k2};
      if (s > 1) {  // where the tensor came from: the first g reaching A[s-1][bk][i]
        const double* Ds = &D[static_cast<size_t>(s - 1) * KC];
        double gv = kInf;
        size_t bg = 0;
        for (size_t g = 0; g < n; ++g) {
          const Hop h = link(P, g, i, q.data());
          double v = Ds[bk * n + g] + h.lat + tab.cut[bk] * h.ib;
          if (v < gv) {
            gv = v;
            bg = g;
          }
        }
        i = bg;
      }
      k2 = bk;
    }
    return plan;
  }

 private:
  // Idle-network route figures from host i to host j: the same values PlatformSpec::path() gives
  // (latencies added in route order; inverse bottleneck bandwidth, 0 for a route without links),
  // lat = +inf when unreachable. O(1) on star platforms, without a table per pair.
  struct Hop {
    double lat, ib;
  };
  // A host's side of a star route, flattened: its arm's latency and 1/bandwidth (+inf and 0 without
  // an arm: every route from or to it then adds up to +inf, as PlatformSpec::reachable() says), its
  // site's uplink's (0 and 0 without a site), the arm and site ids (−1: none). O(1) per host, stored
  // per candidate (Cand), so a pair's figures are a few adds and maxes on two records.
  struct Net {
    double arm_lat = kInf, arm_ib = 0, up_lat = 0, up_ib = 0;
    int32_t arm = -1, site = -1;
  };
  // Per candidate, what decide() reads of the platform, in one record.
  struct Cand {
    Net net;            // its host's side of star routes
    double cores = 1;   // cores, as a double
    uint32_t host = 0;  // its host
    uint32_t cores_n = 1;
    uint32_t slow_at = 0;  // its first entry in cand_slow_
    uint32_t sc = 0;       // spec class
    double min_lat_in = kInf, min_lat_out = kInf;  // min_lat_in_[c], min_lat_out_[c]
  };
  Net host_net(uint32_t h) const {
    Net n;
    n.arm = harm_[h];
    n.site = hsite_[h];
    if (n.arm >= 0) {
      n.arm_lat = llat_[static_cast<size_t>(n.arm)];
      n.arm_ib = lib_[static_cast<size_t>(n.arm)];
    }
    if (n.site >= 0) {
      n.up_lat = ulat_[static_cast<size_t>(n.site)];
      n.up_ib = uib_[static_cast<size_t>(n.site)];
    }
    return n;
  }
  // Star route figures between two different hosts, both ways at once (the inverse bottleneck
  // bandwidth is the same): lat_ij = i's arm [+ i's uplink + j's uplink, other sites] [+ j's arm,
  // another arm], added in route order as PlatformSpec::path() does; a term left out is added as
  // +0 instead, which changes nothing (x + 0 = x); the max of ≥ 0 figures with 0 likewise. Within
  // a site both ways are i's arm + j's arm, the same sum (a shared arm is one link: one latency).
  // A host without an arm makes lat +inf, and so every transfer over it (ib stays finite).
  struct Both {
    double lat_ij, lat_ji, ib;
  };
  CE_HOT_INLINE static Both between(const Net& i, const Net& j) {
    const bool arms = i.arm != j.arm;
    const double aj = arms ? j.arm_lat : 0.0, ibj = arms ? j.arm_ib : 0.0;
    if (i.site == j.site) {
      const double lat = i.arm_lat + aj;
      return {lat, lat, std::max(i.arm_ib, ibj)};
    }
    const double ai = arms ? i.arm_lat : 0.0;
    const double ib = std::max(std::max(i.arm_ib, std::max(i.up_ib, j.up_ib)), ibj);
    return {((i.arm_lat + i.up_lat) + j.up_lat) + aj, ((j.arm_lat + j.up_lat) + i.up_lat) + ai, ib};
  }
  // One way only (the transfer steps between candidates).
  CE_HOT_INLINE static Hop one_way(const Net& i, const Net& j) {
    const bool arms = i.arm != j.arm;
    const double aj = arms ? j.arm_lat : 0.0, ibj = arms ? j.arm_ib : 0.0;
    if (i.site == j.site) return {i.arm_lat + aj, std::max(i.arm_ib, ibj)};
    return {((i.arm_lat + i.up_lat) + j.up_lat) + aj, std::max(std::max(i.arm_ib, std::max(i.up_ib, j.up_ib)), ibj)};
  }
  Hop hop(const PlatformSpec& P, uint32_t i, uint32_t j) const {
    if (i == j) return {0, 0};
    if (!star_) {
      if (!P.reachable(i, j)) return {kInf, 0};
      const PlatformSpec::Path path = P.path(i, j);
      return {path.latency, std::isinf(path.bandwidth) ? 0 : 1.0 / path.bandwidth};
    }
    return one_way(host_net(i), host_net(j));
  }
  // Between two positions of Q: +inf on the diagonal (consecutive stages run on different candidates).
  Hop link(const PlatformSpec& P, size_t g, size_t c, const uint32_t* q) const {
    if (g == c) return {kInf, 0};
    const Cand &kg = cand_[q[g]], &kc = cand_[q[c]];
    if (star_ && kg.host != kc.host) return one_way(kg.net, kc.net);
    return hop(P, kg.host, kc.host);
  }
  // The request's two transfers between its source (`sn` = host_net(src)) and candidate c: the
  // input to c (cut[0] bytes) and the result back (cut[R]); +inf where a route is missing.
  // kFlat (flat_): between() always takes its one-site path with two different arms.
  // cut0, cutR: the model's input and output bytes (tab.cut[0], tab.cut[R]).
  template <bool kFlat>
  CE_HOT_INLINE void in_out(const PlatformSpec& P, uint32_t src, const Net& sn, const Cand& k, double cut0,
                            double cutR, double& in, double& out) const {
    const uint32_t h = k.host;
    if (kFlat && h != src) {
      const double lat = sn.arm_lat + k.net.arm_lat, ib = std::max(sn.arm_ib, k.net.arm_ib);
      in = lat + cut0 * ib;
      out = lat + cutR * ib;
      return;
    }
    if (!star_ || h == src) {
      const Hop x = hop(P, src, h), y = hop(P, h, src);
      in = x.lat + cut0 * x.ib;
      out = y.lat + cutR * y.ib;
      return;
    }
    const Both b = between(sn, k.net);
    in = b.lat_ij + cut0 * b.ib;
    out = b.lat_ji + cutR * b.ib;
  }

  // Spec classes: candidates whose stage times are equal (same HostSpec compute figures).
  static bool same_compute(const HostSpec& a, const HostSpec& b) {
    if (a.cores != b.cores || a.memory_bytes != b.memory_bytes || a.layer_overhead_s != b.layer_overhead_s ||
        a.rates != b.rates || a.pstates.size() != b.pstates.size() || a.op_costs.size() != b.op_costs.size())
      return false;
    for (size_t i = 0; i < a.pstates.size(); ++i)
      if (a.pstates[i].speed != b.pstates[i].speed) return false;
    for (auto ia = a.op_costs.begin(), ib = b.op_costs.begin(); ia != a.op_costs.end(); ++ia, ++ib)
      if (ia->first != ib->first || ia->second.per_mac != ib->second.per_mac ||
          ia->second.per_byte != ib->second.per_byte || ia->second.fixed != ib->second.fixed)
        return false;
    return true;
  }
  void build_spec_classes(const PlatformSpec& p) {
    std::unordered_map<uint64_t, std::vector<uint32_t>> buckets;  // cheap hash → classes
    std::vector<int32_t> host_class(p.hosts.size(), -1);
    sc_.resize(hosts_.size());
    for (size_t c = 0; c < hosts_.size(); ++c) {
      const uint32_t h = hosts_[c];
      if (host_class[h] < 0) {
        const HostSpec& s = p.hosts[h];
        auto& bucket = buckets[spec_bucket_key(s)];
        for (uint32_t k : bucket)
          if (same_compute(p.hosts[class_host_[k]], s)) host_class[h] = static_cast<int32_t>(k);
        if (host_class[h] < 0) {
          host_class[h] = static_cast<int32_t>(class_host_.size());
          bucket.push_back(static_cast<uint32_t>(class_host_.size()));
          class_host_.push_back(h);
          class_mem_.push_back(s.memory_bytes > 0 ? s.memory_bytes : kInf);
        }
      }
      sc_[c] = static_cast<uint32_t>(host_class[h]);
    }
  }

  // Lower bounds of the transfers into and out of each candidate from/to any other candidate, for
  // the pruning of two_stage() and arrivals() (a bound below the true minimum only prunes less).
  // Star: lat(g→c) = fl(fl(arm_g [+ uplinks]) + arm_c) ≥ fl(min arm + arm_c) (rounding is monotonic,
  // every term ≥ 0) unless c's arm is shared with g (then it is crossed once: ≥ arm_c); the inverse
  // bandwidth is ≥ that of c's own arm. Explicit routes (hand-built platforms): exact minima.
  void build_transfer_bounds(const PlatformSpec& p) {
    const size_t C = hosts_.size();
    min_lat_in_.assign(C, kInf);
    min_ibw_in_.assign(C, kInf);
    min_lat_out_.assign(C, kInf);
    if (!star_) {
      for (size_t c = 0; c < C; ++c)
        for (size_t g = 0; g < C; ++g) {
          if (g == c) continue;
          const Hop h = hop(p, hosts_[g], hosts_[c]);
          min_lat_in_[c] = std::min(min_lat_in_[c], h.lat);
          min_ibw_in_[c] = std::min(min_ibw_in_[c], h.ib);
          min_lat_out_[g] = std::min(min_lat_out_[g], h.lat);
        }
      return;
    }
    std::vector<uint32_t> arm_users(llat_.size(), 0);
    for (int32_t a : harm_)
      if (a >= 0) ++arm_users[static_cast<size_t>(a)];
    double lmin = kInf;
    for (size_t c = 0; c < C; ++c)
      if (harm_[hosts_[c]] >= 0) lmin = std::min(lmin, llat_[static_cast<size_t>(harm_[hosts_[c]])]);
    for (size_t c = 0; c < C; ++c) {
      const int32_t a = harm_[hosts_[c]];
      if (a < 0) continue;  // no arm: nothing reaches it, nothing leaves it
      const double la = llat_[static_cast<size_t>(a)];
      const double lo = arm_users[static_cast<size_t>(a)] > 1 ? la : std::min(la, la + lmin);
      min_lat_in_[c] = lo;
      min_lat_out_[c] = lo;
      min_ibw_in_[c] = lib_[static_cast<size_t>(a)];
    }
  }

  // ---- The class index (max_stages ≤ 2 on star platforms; docs/policies.md "latency-first") ----
  // Index classes: candidates that are interchangeable for every transfer that matters. Key: spec
  // class, arm latency and bandwidth, and the site: its identity, or — with one stage, for sites of
  // at most kSmallSite hosts — only its uplink's figures (a one-stage plan only moves data between
  // the source and the host; the source's own site is then evaluated host by host). A candidate
  // whose arm is shared or missing, or a host listed twice, gets no index (the index is off).
  void build_index_classes(const PlatformSpec& p) {
    index_ok_ = star_ && max_stages_ <= 2 && !hosts_.empty();
    if (!index_ok_) return;
    const size_t H = p.hosts.size(), C = hosts_.size();
    cand_of_host_.assign(H, -1);
    std::vector<uint32_t> arm_users(llat_.size(), 0), site_size(ulat_.size(), 0);
    for (int32_t a : harm_)
      if (a >= 0) ++arm_users[static_cast<size_t>(a)];
    for (int32_t s : hsite_)
      if (s >= 0) ++site_size[static_cast<size_t>(s)];
    for (size_t c = 0; c < C; ++c) {
      const uint32_t h = hosts_[c];
      const int32_t a = harm_[h];
      if (cand_of_host_[h] >= 0 || a < 0 || arm_users[static_cast<size_t>(a)] > 1) {
        index_ok_ = false;
        return;
      }
      cand_of_host_[h] = static_cast<int32_t>(c);
    }
    using Key = std::tuple<uint32_t, double, double, int64_t, double, double>;
    std::map<Key, uint32_t> ids;
    ic_.resize(C);
    small_site_.assign(ulat_.size(), 0);
    for (size_t s = 0; s < ulat_.size(); ++s) small_site_[s] = max_stages_ == 1 && site_size[s] <= kSmallSite;
    for (size_t c = 0; c < C; ++c) {
      const uint32_t h = hosts_[c];
      const auto a = static_cast<size_t>(harm_[h]);
      const int32_t s = hsite_[h];
      Key key = s >= 0 && small_site_[static_cast<size_t>(s)]
                    ? Key{sc_[c], llat_[a], lib_[a], -2, ulat_[static_cast<size_t>(s)], uib_[static_cast<size_t>(s)]}
                    : Key{sc_[c], llat_[a], lib_[a], s, 0.0, 0.0};
      auto it = ids.emplace(key, static_cast<uint32_t>(ids.size())).first;
      ic_[c] = it->second;
      if (index_sc_.size() <= ic_[c]) index_sc_.resize(ic_[c] + 1);
      index_sc_[ic_[c]] = sc_[c];
    }
    for (double s : cand_slow_) max_slow_ = std::max(max_slow_, s);
    // One list per (class, kind): kind 0 holds the hosts with no additive wait (key f), kind 1 + p
    // those with one at pstate p (key add; their f is the pstate's slow-down).
    const size_t K = ids.size();
    list_at_.assign(K + 1, 0);
    std::vector<uint32_t> kinds(K, 1);
    for (size_t c = 0; c < C; ++c)
      kinds[ic_[c]] = std::max<uint32_t>(kinds[ic_[c]], 1 + static_cast<uint32_t>(p.hosts[hosts_[c]].pstates.size()));
    for (size_t k = 0; k < K; ++k) list_at_[k + 1] = list_at_[k] + kinds[k];
    // Hosts of each site (small sites only: the one-stage neighbourhood of a source).
    if (max_stages_ == 1) {
      site_members_at_.assign(ulat_.size() + 1, 0);
      for (size_t c = 0; c < C; ++c) {
        const int32_t s = hsite_[hosts_[c]];
        if (s >= 0 && small_site_[static_cast<size_t>(s)]) ++site_members_at_[static_cast<size_t>(s) + 1];
      }
      for (size_t s = 0; s < ulat_.size(); ++s) site_members_at_[s + 1] += site_members_at_[s];
      site_members_.resize(site_members_at_.back());
      std::vector<uint32_t> fill(site_members_at_.begin(), site_members_at_.end() - 1);
      for (size_t c = 0; c < C; ++c) {  // ascending candidate index within each site
        const int32_t s = hsite_[hosts_[c]];
        if (s >= 0 && small_site_[static_cast<size_t>(s)]) site_members_[fill[static_cast<size_t>(s)]++] = static_cast<uint32_t>(c);
      }
    }
  }

  // Where candidate c stands in the index given its state: (list, key), list −1 while it is off.
  std::pair<int64_t, double> placement(uint32_t c, const HostState& hs) const {
    if (!hs.on) return {-1, 0};
    double f, add;
    load(c, hs, f, add);
    const size_t base = list_at_[ic_[c]];
    if (add == 0) return {static_cast<int64_t>(base), f};
    return {static_cast<int64_t>(base + 1 + hs.pstate), add};
  }
  struct Index {
    const ClusterView* view = nullptr;
    uint64_t epoch = 0;
    size_t pos = 0;
    std::vector<std::set<std::pair<double, uint32_t>>> lists;  // (key, candidate), ascending
    std::vector<std::pair<int64_t, double>> at;                // per candidate: its placement now
  };
  void place(uint32_t c, const HostState& hs) const {
    const auto now = placement(c, hs);
    auto& old = idx_.at[c];
    if (old == now) return;
    if (old.first >= 0) idx_.lists[static_cast<size_t>(old.first)].erase({old.second, c});
    if (now.first >= 0) idx_.lists[static_cast<size_t>(now.first)].insert({now.second, c});
    old = now;
  }
  // Brings the index up to the view: replays the change log since the last call, or rebuilds it
  // (another view, or the log was restarted).
  void sync(const ClusterView& view) const {
    if (idx_.view != &view || idx_.epoch != view.changes_epoch || idx_.pos > view.changes.size()) {
      if (idx_.view != &view) {  // another view: start empty
        idx_.lists.assign(list_at_.back(), {});
        idx_.at.assign(hosts_.size(), {-1, 0});
      }
      // Same view, log restarted: re-place every candidate; place() leaves unchanged ones alone,
      // so this is O(H) state reads plus the moves, not a rebuild of every list.
      idx_.view = &view;
      idx_.epoch = view.changes_epoch;
      for (uint32_t c = 0; c < hosts_.size(); ++c) place(c, view.hosts[hosts_[c]]);
    } else {
      for (size_t i = idx_.pos; i < view.changes.size(); ++i) {
        const uint32_t h = view.changes[i];
        if (h < cand_of_host_.size() && cand_of_host_[h] >= 0)
          place(static_cast<uint32_t>(cand_of_host_[h]), view.hosts[h]);
      }
    }
    idx_.pos = view.changes.size();
  }

  // Q for max_stages ≤ 2 (why it holds the full DP's plan: docs/policies.md and the comment here).
  // Within one list, hosts differ only in one of (f, add), the other being equal, and every
  // transfer to, from or between them is the same (same index class, none of them the source or,
  // with merged sites, in the source's site): so a host with a larger key is no better in any
  // role of any plan. Kept per list: the first `need` hosts (1 for one stage; 2 for two, so that a
  // plan using two hosts of a list keeps both), and every later host whose key is within kNear of
  // the need-th one's — farther ones are worse by more than the DP's rounding, at least as long as
  // a stage takes more than ~1e-6 of the plan's time (the margin two_stage() already relies on).
  // Hosts with exactly equal keys are interchangeable; of each run of equal keys only the first
  // `need` by candidate index are kept, which is what the DP's tie-break (earlier candidate) picks.
  void select(const ClusterView& view, uint32_t src, uint32_t S, const ModelTable& tab, std::vector<uint32_t>& q) const {
    std::lock_guard<std::mutex> lock(idx_mu_);
    sync(view);
    const uint32_t need = S == 1 ? 1 : 2;
    const int32_t src_c = src < cand_of_host_.size() ? cand_of_host_[src] : -1;
    const int32_t src_site = src < hsite_.size() ? hsite_[src] : -1;
    const bool merged_site = src_site >= 0 && !small_site_.empty() && small_site_[static_cast<size_t>(src_site)];
    auto skip = [&](uint32_t c) {
      return static_cast<int32_t>(c) == src_c || (merged_site && hsite_[hosts_[c]] == src_site);
    };
    if (src_c >= 0 && view.hosts[src].on) q.push_back(static_cast<uint32_t>(src_c));
    if (merged_site)
      for (uint32_t i = site_members_at_[static_cast<size_t>(src_site)];
           i < site_members_at_[static_cast<size_t>(src_site) + 1]; ++i) {
        const uint32_t c = site_members_[i];
        if (static_cast<int32_t>(c) != src_c && view.hosts[hosts_[c]].on) q.push_back(c);
      }
    const size_t K = list_at_.size() - 1;
    for (size_t k = 0; k < K; ++k)
      for (size_t l = list_at_[k]; l < list_at_[k + 1]; ++l) {
        const auto& set = idx_.lists[l];
        if (set.empty()) continue;
        // The need-th host that is not skipped sets the threshold.
        uint32_t seen = 0;
        double kth = kInf;
        for (auto it = set.begin(); it != set.end(); ++it) {
          if (skip(it->second)) continue;
          if (++seen == need) {
            kth = it->first;
            break;
          }
        }
        if (seen == 0) continue;
        double thr = kInf;  // fewer than `need` hosts: take them all
        if (seen == need) {
          // add lists: an absolute margin too, at the class's whole-model time (keys may be ~0).
          const double abs = l == list_at_[k] ? 0 : kNear * tab.preR[index_sc_[k]] * max_slow_;
          thr = kth * (1 + kNear) + abs;
        }
        for (auto it = set.begin(); it != set.end() && it->first <= thr;) {
          const double key = it->first;
          uint32_t took = 0;
          for (; it != set.end() && it->first == key && took < need; ++it)
            if (!skip(it->second)) {
              q.push_back(it->second);
              ++took;
            }
          if (it != set.end() && it->first == key) it = set.upper_bound({key, std::numeric_limits<uint32_t>::max()});
        }
      }
    std::sort(q.begin(), q.end());
    q.erase(std::unique(q.begin(), q.end()), q.end());
  }

  // Stage-time factor f and additive wait of candidate c in state hs (see decide()), written with
  // integer clamps and selects instead of branches, which mispredict on mixed clusters. Same
  // values as q = n < cores ? 0 : (n − cores + 1)/cores, hist = HostState::mean_service_s(),
  // f = hist > 0 ? slow : slow·(1 + q), add = hist > 0 ? q·hist : 0 (the earlier 0/1-factor form
  // of the same expressions gave the same values; busy_seconds / 1 is discarded when nothing
  // completed).
  void load(size_t c, const HostState& hs, double& f, double& add) const { load(cand_[c], hs, f, add); }
  CE_HOT_INLINE void load(const Cand& k, const HostState& hs, double& f, double& add) const {
    const int64_t excess = static_cast<int64_t>(hs.busy) + hs.queued - static_cast<int64_t>(k.cores_n) + 1;
    const double slow = cand_slow_[k.slow_at + hs.pstate];
    const int64_t done = static_cast<int64_t>(hs.completed);
    const double waiting = static_cast<double>(std::max<int64_t>(excess, 0));
    const double done1 = static_cast<double>(std::max<int64_t>(done, 1));  // 1 (unused) when done = 0
#if defined(__SSE2__)
    // Both divisions in one instruction (they bound a candidate's cost); each lane is the same
    // correctly rounded IEEE quotient as the scalar division.
    const __m128d quo = _mm_div_pd(_mm_set_pd(hs.busy_seconds, waiting), _mm_set_pd(done1, k.cores));
    const double q = _mm_cvtsd_f64(quo);
    const double mean = _mm_cvtsd_f64(_mm_unpackhi_pd(quo, quo));
#else
    const double q = waiting / k.cores;
    const double mean = hs.busy_seconds / done1;
#endif
    // hist = mean · min(done, 1); with a history (hist > 0): f = slow·(1 + q·0) = slow and
    // add = q·hist·1 = q·hist; without: f = slow·(1 + q·1) = slow·(1 + q), add = q·hist·0 = 0.
    const double hist = done > 0 ? mean : 0.0;
    const bool with = hist > 0;
    f = with ? slow : slow * (1 + q);
    add = with ? q * hist : 0.0;
  }

  // The DP's one-stage value: base(c, in, 0) + pre[R]·f, then the way back (in + add − 0·f is in +
  // add exactly, f being finite and > 0); +inf where the model does not fit or a route is missing.
  static double whole_model(double pre_r, double in, double add, double f, double out) {
    double fin = (in + add) + pre_r * f;
    fin += out;
    return fin;
  }

  // max_stages 1: the whole model on one candidate. The DP, with one stage, reads only row 0 of A
  // and row R of D; this computes exactly those values with the same expressions (so the same plan,
  // ties included) in O(|Q|).
  template <bool kFlat>
  Plan one_stage(const ModelProfile* m, const ModelTable& tab, uint32_t src, const ClusterView& view,
                 const uint32_t* q, size_t n) const {
    const uint32_t R = static_cast<uint32_t>(m->row_count() - 1);
    const PlatformSpec& P = *view.platform;
    const Net sn = host_net(src);
    double best = kInf;
    int best_i = -1;
    bool any_on = false;
    const Cand* cand = cand_.data();
    const HostState* hs = view.hosts.data();
    const double* pre_r = tab.c_pre_r.data();
    const double cut0 = tab.cut[0], cutR = tab.cut[R];
    for (size_t i = 0; i < n; ++i) {
      const Cand& k = cand[q[i]];
      if (!hs[k.host].on) continue;
      any_on = true;
      double f, add, a, back;
      load(k, hs[k.host], f, add);
      in_out<kFlat>(P, src, sn, k, cut0, cutR, a, back);
      const double fin = whole_model(pre_r[k.sc], a, add, f, back);
      if (fin < best) {
        best = fin;
        best_i = static_cast<int>(i);
      }
    }
    if (!any_on) return Plan{nullptr, {}, "every candidate host is off"};
    if (best_i < 0) return Plan{nullptr, {}, fmt::format("no candidate host can hold and reach {}", m->name)};
    Plan plan;
    plan.model = m;
    plan.stages = {{hosts_[q[static_cast<size_t>(best_i)]], 1, R}};
    return plan;
  }

  // max_stages 2, exactly the plan the DP in decide() returns over Q (ties included), by bounding
  // before searching. Every two-stage plan (c1 runs rows 1..k, c2 rows k+1..R) costs
  //   T(c1, k, c2) ≥ U1(c1) + U2(c2) + lat(c1→c2) + min(θ1, θ2)·mid
  //   U1 = in(src→c1) + add + t(c1, row 1)·f       U2 = add + t(c2, row R)·f + back(c2→src)
  //   θ_c = rho_c·f_c, mid (ModelTable): the middle rows 2..R−1 run on c1 or c2, at no less than
  //   min(θ1, θ2) times the ideal; lat(c1→c2) ≥ min_lat_out[c1] and ≥ min_lat_in[c2].
  // A split can matter only if it may beat the best one-stage plan (which wins ties anyway): c1 is
  // kept if U1(c1) + min_lat_out[c1] + min(W2, U2min + θ1·mid) ≤ best, W2 = min over receivers of
  // U2 + θ2·mid, U2min = min U2 (the same for receivers, with min_lat_in); each round takes the
  // minima over what the round before kept. Then, per cut row k, a (sender, receiver) pair is
  // evaluated only if D1(sender, k) + Lmin(receiver, k) + Y(receiver, k) ≤ best (see scan). What
  // is evaluated goes through the DP's own expressions, so values, argmins and ties are the full
  // DP's: whatever is dropped costs more than the plan returned. The reference test
  // (tests/unit/test_policy_reference.cpp) checks plan-for-plan equality with the full DP.
  // nullopt (the caller runs the full DP over Q): no one-stage plan to bound with, or too little pruned.
  template <bool kFlat>
  std::optional<Plan> two_stage(const ModelProfile* m, const ModelTable& tab, uint32_t src, const ClusterView& view,
                                Scratch& w, const uint32_t* q, size_t n) const {
    const uint32_t R = static_cast<uint32_t>(m->row_count() - 1);
    const PlatformSpec& P = *view.platform;
    const double mid = tab.mid;
    if (w.cell.size() < n) w.cell.resize(n);
    if (w.on.size() < n) w.on.resize(n);
    const Scratch::Cell* cell = w.cell.data();
    auto sc = [&](size_t i) { return sc_[q[i]]; };
    auto pre_of = [&](size_t i) { return &tab.pre[sc(i) * (R + 1)]; };
    auto base = [&](size_t i, double a, uint32_t k) { return a + cell[i].add - pre_of(i)[k] * cell[i].f; };

    // One pass over Q (pass1()): each candidate's state and transfers, its one-stage latency (the
    // DP's value, as in one_stage(); an unreachable host or one too small gets +inf), U1, U2, θ,
    // U1 + the cheapest link out (s1) and U2 + the cheapest link in (s2), and the minima the first
    // round of bounds needs.
    const Net sn = host_net(src);
    const HostState* hs = view.hosts.data();
    const Pass1 p1 = q == all_.data() ? pass1<kFlat, true>(P, tab, src, sn, hs, q, n, w)
                                      : pass1<kFlat, false>(P, tab, src, sn, hs, q, n, w);
    double best = p1.best, u1m = p1.u1m, w1m = p1.w1m, u2m = p1.u2m, w2m = p1.w2m;
    int best_i = p1.best_i;
    const size_t n_on = p1.n_on;
    if (best_i < 0) return std::nullopt;

    // The bounds add in another order than T: a plan is dropped only when clearly worse (1e-9
    // relative, far above the rounding of either).
    const double limit = best * (1 + 1e-9);
    auto may_send = [&](uint32_t i, double w2, double u2) {  // U1 + min link out + the rest
      return cell[i].s1 + std::min(w2, u2 + cell[i].th * mid) <= limit;
    };
    auto may_receive = [&](uint32_t i, double w1, double u1) {
      return cell[i].s2 + std::min(w1, u1 + cell[i].th * mid) <= limit;
    };
    if (w.v1.size() < n) w.v1.resize(n);
    if (w.v2.size() < n) w.v2.resize(n);
    uint32_t* v1 = w.v1.data();
    uint32_t* v2 = w.v2.data();
    size_t n1 = 0, n2 = 0;
    const uint32_t* on = w.on.data();
    for (size_t j = 0; j < n_on; ++j) {  // the first round, over every candidate that is on; branch-free
      const uint32_t i = on[j];
      v1[n1] = i;
      n1 += may_send(i, w2m, u2m);
      v2[n2] = i;
      n2 += may_receive(i, w1m, u1m);
    }
    auto compact = [](uint32_t* v, size_t cnt, auto keep) {  // branch-free: most candidates are dropped
      size_t kept = 0;
      for (size_t i = 0; i < cnt; ++i) {
        v[kept] = v[i];
        kept += keep(v[i]);
      }
      return kept;
    };
    for (int round = 1; round < 3 && n1 > 0 && n2 > 0 && n1 + n2 < 2 * n_on; ++round) {
      u1m = w1m = u2m = w2m = kInf;
      for (size_t i = 0; i < n1; ++i) {
        u1m = std::min(u1m, cell[v1[i]].u1);
        w1m = std::min(w1m, cell[v1[i]].u1 + cell[v1[i]].th * mid);
      }
      for (size_t j = 0; j < n2; ++j) {
        u2m = std::min(u2m, cell[v2[j]].u2);
        w2m = std::min(w2m, cell[v2[j]].u2 + cell[v2[j]].th * mid);
      }
      const size_t before = n1 + n2;
      n1 = compact(v1, n1, [&](uint32_t i) { return may_send(i, w2m, u2m); });
      n2 = compact(v2, n2, [&](uint32_t i) { return may_receive(i, w1m, u1m); });
      if (n1 + n2 == before) break;
    }
    if (n1 * n2 > 8 * n_on) return std::nullopt;  // weak bounds: the full DP's pruned scan is cheaper
    Plan plan;
    plan.model = m;
    plan.stages = {{hosts_[q[static_cast<size_t>(best_i)]], 1, R}};
    if (n1 == 0 || n2 == 0) return plan;  // no split can beat the best whole-model host

    // d1[k][i] = D[1][k][v1[i]] (the DP's value, +inf where rows 1..k do not fit), x_min[k] = its
    // minimum over the senders.
    if (w.d1.size() < R * n1) w.d1.resize(R * n1);
    if (w.x_min.size() < R) w.x_min.resize(R);
    if (w.rows.size() < R) w.rows.resize(R);
    double* x_min = w.x_min.data();
    std::fill(x_min, x_min + R, kInf);
    for (size_t i = 0; i < n1; ++i) {
      const uint32_t g = v1[i];
      const double b = base(g, cell[g].in, 0), fg = cell[g].f;
      const double* pre = pre_of(g);
      const uint32_t k_max = tab.first_max[sc(g)];
      for (uint32_t k = 1; k < R; ++k) {
        const double v = k <= k_max ? b + pre[k] * fg : kInf;
        w.d1[k * n1 + i] = v;
        x_min[k] = std::min(x_min[k], v);
      }
    }
    // A[1][k][c] over the senders that can still beat `best` through this (k, c): the DP's value
    // where it matters, and the first sender reaching it.
    auto arrive = [&](uint32_t k, uint32_t c, double d1_limit, uint32_t* first) {
      const double* d1 = &w.d1[k * n1];
      const double cb = tab.cut[k];
      double bv = kInf;
      for (size_t i = 0; i < n1; ++i) {
        if (d1[i] > d1_limit) continue;
        const uint32_t g = v1[i];
        const Hop h = link(P, g, c, q);
        const double v = d1[i] + h.lat + cb * h.ib;
        if (v < bv) {
          bv = v;
          if (first) *first = g;
        }
      }
      return bv;
    };
    // Per receiver c and cut row k, the sender's d1 must stay within
    //   limit − Lmin(c, k) − Y(c, k),  Lmin = min_lat_in[c] + cut[k]·min_ibw_in[c] ≤ the transfer,
    //   Y = add + (pre[R] − pre[k])·f + back  (the receiver's stage and the way back)
    // (rows k+1..R fit on c from k ≥ last_min[c] on). `scan` visits the rows where some sender
    // can, and hands each one's A[1][k][c] (the DP's value) and its first sender to `use`.
    auto scan = [&](uint32_t c, auto use) {
      const double* pre = pre_of(c);
      const double pR = pre[R], fc = cell[c].f, ibw = min_ibw_in_[q[c]];
      const double room = limit - min_lat_in_[q[c]] - cell[c].add - cell[c].back + kSlack * pR * fc;  // see u2
      const uint32_t lo = std::max(1u, tab.last_min[sc(c)]);
      uint32_t* rows = w.rows.data();
      size_t cnt = 0;
      for (uint32_t k = lo; k < R; ++k) {  // branch-free: most rows fail
        rows[cnt] = k;
        cnt += x_min[k] + (pR - pre[k]) * fc + tab.cut[k] * ibw <= room;
      }
      for (size_t r = 0; r < cnt; ++r) {
        const uint32_t k = rows[r];
        uint32_t g = 0;
        const double a1 = arrive(k, c, room - (pR - pre[k]) * fc - tab.cut[k] * ibw, &g);
        if (a1 != kInf) use(k, a1, g);
      }
    };
    int best_j = -1;
    for (size_t j = 0; j < n2; ++j) {
      const uint32_t c = v2[j];
      double run = kInf;  // D[2][R][c] − pre[R]·f: the minimum of base() over the start rows
      scan(c, [&](uint32_t k, double a1, uint32_t) {
        const double b = base(c, a1, k);
        run = b < run ? b : run;
      });
      if (run == kInf) continue;
      double fin = run + pre_of(c)[R] * cell[c].f;
      fin += cell[c].back;
      if (fin < best) {
        best = fin;
        best_j = static_cast<int>(j);
      }
    }
    if (best_j < 0) return plan;
    // Backtrack as decide() does: the first start row, then the first sender, reaching the minimum.
    const uint32_t c = v2[static_cast<size_t>(best_j)];
    double bv = kInf;
    uint32_t bk = 0, bg = 0;
    scan(c, [&](uint32_t k, double a1, uint32_t g) {
      const double v = base(c, a1, k) + pre_of(c)[R] * cell[c].f;
      if (v < bv) {
        bv = v;
        bk = k;
        bg = g;
      }
    });
    plan.stages = {{hosts_[q[bg]], 1, bk}, {hosts_[q[c]], bk + 1, R}};
    return plan;
  }

  // two_stage()'s pass over every candidate (see CE_LOOP_FN).
  struct Pass1 {
    double best, u1m, w1m, u2m, w2m;
    int best_i;
    size_t n_on;
  };
  // kAll: q is all_ (q[i] = i).
  template <bool kFlat, bool kAll>
  CE_LOOP_FN Pass1 pass1(const PlatformSpec& P, const ModelTable& tab, uint32_t src, const Net& sn,
                         const HostState* hs, const uint32_t* q, size_t n, Scratch& w) const {
    const Cand* cand = cand_.data();
    const ModelTable::Row* crow = tab.rows.data();
    const double mid = tab.mid, cut0 = tab.cut[0], cutR = tab.cut[tab.R];
    Scratch::Cell* cell = w.cell.data();
    uint32_t* on = w.on.data();
    // Two loops, each with a short chain per candidate, so that the processor overlaps more of them:
    // the state and the transfers of the candidates that are on (listed in `on`), then the bounds.
    size_t n_on = 0;
    for (size_t i = 0; i < n; ++i) {
      const Cand& k = cand[kAll ? i : q[i]];
      const HostState& h = hs[k.host];
      if (!h.on) continue;
      on[n_on++] = static_cast<uint32_t>(i);
      Scratch::Cell& x = cell[i];
      load(k, h, x.f, x.add);
      in_out<kFlat>(P, src, sn, k, cut0, cutR, x.in, x.back);
    }
    double best = kInf, u1m = kInf, w1m = kInf, u2m = kInf, w2m = kInf;
    int best_i = -1;
    for (size_t j = 0; j < n_on; ++j) {
      const uint32_t i = on[j];
      const Cand& k = cand[kAll ? i : q[i]];
      Scratch::Cell& x = cell[i];
      const double fi = x.f, ai = x.add, a = x.in, b = x.back;
      const ModelTable::Row& r = crow[k.sc];
      const double fin = whole_model(r.pre_r, a, ai, fi, b);
      if (fin < best) {
        best = fin;
        best_i = static_cast<int>(i);
      }
      const double th = r.rho * fi;
      const double u1 = a + ai + r.row1 * fi;
      // The DP reaches a receiver's stage time as (... − pre[k]·f) + pre[R]·f, which can round
      // down by ~2 ulp of pre[R]·f: far below the 1e-9 margin unless the host is ~1e6 times slower
      // than the best plan; the slack (kSlack·pre[R], then ·f) keeps the bound below the DP's value.
      const double u2 = ai + r.last_row * fi + b - r.slack_r * fi;
      x.u1 = u1;
      x.u2 = u2;
      x.th = th;
      x.s1 = u1 + k.min_lat_out;
      x.s2 = u2 + k.min_lat_in;
      u1m = std::min(u1m, u1);
      w1m = std::min(w1m, u1 + th * mid);
      u2m = std::min(u2m, u2);
      w2m = std::min(w2m, u2 + th * mid);
    }
    return {best, u1m, w1m, u2m, w2m, best_i, n_on};
  }

  // out[c] = min_g Dk[g] + lat(g→c) + cb·ibw(g→c) for every position c of Q.
  // Senders are visited in increasing Dk (a min-heap popped lazily into `sorted`, shared by every c),
  // and c stops at the first sender whose lower bound (Dk[g] + min_lat_in[c]) + cb·min_ibw_in[c]
  // reaches c's best so far: that bound is evaluated with the same association as the real
  // expression, and IEEE rounding is monotonic, so every later sender's value is ≥ it — the result
  // is the exact minimum a full scan would find, usually after a sender or two.
  void arrivals(const PlatformSpec& P, const double* Dk, double cb, Scratch& w, double* out) const {
    const auto& q = w.q;
    const size_t n = q.size();
    auto& heap = w.heap;
    heap.clear();
    for (size_t g = 0; g < n; ++g)
      if (Dk[g] != kInf) heap.push_back({Dk[g], static_cast<uint32_t>(g)});
    if (heap.empty()) return;  // no tensor can be anywhere with rows 1..k done
    auto later = [](const std::pair<double, uint32_t>& a, const std::pair<double, uint32_t>& b) {
      return a.first > b.first;
    };
    std::make_heap(heap.begin(), heap.end(), later);
    auto& sorted = w.sorted;
    sorted.clear();
    auto have = [&](size_t i) {  // makes sorted[i] exist if there are that many senders
      while (sorted.size() <= i && !heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        sorted.push_back(heap.back());
        heap.pop_back();
      }
      return i < sorted.size();
    };
    for (size_t c = 0; c < n; ++c) {
      const double min_lat = min_lat_in_[q[c]], min_cb = cb * min_ibw_in_[q[c]];
      double best = kInf;
      for (size_t i = 0; have(i); ++i) {
        const double d = sorted[i].first;
        if ((d + min_lat) + min_cb >= best) break;
        const uint32_t g = sorted[i].second;
        const Hop h = link(P, g, c, q.data());
        const double v = d + h.lat + cb * h.ib;
        best = v < best ? v : best;
      }
      out[c] = best;
    }
  }

  const ModelProfile* pick_variant(const std::vector<const ModelProfile*>& variants) const {
    if (pick_ == Smallest) return variants.front();
    if (pick_ == Named)
      for (auto* v : variants)
        if (v->name == variant_) return v;
    return variants.back();
  }

  uint32_t max_stages_;
  std::vector<uint32_t> hosts_;
  std::string variant_;
  bool exhaustive_;  // always the full DP over every candidate that is on: the reference
  enum Pick { Largest, Smallest, Named } pick_ = Largest;
  // Network, O(hosts + links): per host its arm link and site; per link latency and 1/bandwidth;
  // per site its uplink's. star_: no explicit routes (else hop() asks PlatformSpec::path()).
  bool star_ = true;
  bool flat_ = false;  // a star with every host in the same site (or none) and no arm shared by two hosts
  std::vector<int32_t> harm_, hsite_;
  std::vector<double> llat_, lib_, ulat_, uib_;
  std::vector<Cand> cand_;
  std::vector<uint32_t> all_;                    // 0, 1, ..., candidates − 1
  std::vector<double> cand_slow_;                // per cand and pstate: speed(p0) / speed(p)
  std::vector<uint32_t> sc_;                     // per cand: spec class
  std::vector<uint32_t> class_host_;             // per spec class: a host of it (for stage times)
  std::vector<double> class_mem_;                // per spec class: memory bytes (inf = unlimited)
  std::vector<double> min_lat_in_, min_ibw_in_;  // per cand c: lower bounds of lat/ibw(g→c), g ≠ c
  std::vector<double> min_lat_out_;              // per cand g: lower bound of lat(g→c), c ≠ g
  // The class index (select()).
  bool index_ok_ = false;
  std::vector<uint32_t> ic_;              // per cand: index class
  std::vector<uint32_t> index_sc_;        // per index class: its spec class
  double max_slow_ = 1;                   // max over candidates and pstates of speed(p0)/speed(p)
  std::vector<size_t> list_at_;           // per index class: its first list; list_at_[K] = lists
  std::vector<int32_t> cand_of_host_;     // per host: its candidate index, −1 if not a candidate
  std::vector<char> small_site_;          // per site: merged into classes across sites (1 stage)
  std::vector<uint32_t> site_members_, site_members_at_;  // candidates of each small site, CSR
  mutable std::mutex idx_mu_;
  mutable Index idx_;
  PerModelCache<ModelTable> tables_;
};

}  // namespace

namespace {
std::unique_ptr<Policy> build_latency_first(const YamlSection& p, const PolicyContext& ctx, bool exhaustive) {
  p.allow_only({"max_stages", "hosts", "variant"});
  long ms = p.integer_or("max_stages", 2);
  if (ms < 1 || ms > 64) p.fail("max_stages", fmt::format("must be between 1 and 64 (got {})", ms));
  std::vector<uint32_t> hosts;
  if (p.has("hosts"))
    for (const auto& name : p.str_list("hosts")) {
      int h = ctx.platform->host_index(name);
      if (h < 0) p.fail("hosts", fmt::format("unknown host '{}' (not in {})", name, ctx.platform->file));
      hosts.push_back(static_cast<uint32_t>(h));
    }
  std::string variant = p.str_or("variant", "largest");
  if (variant != "largest" && variant != "smallest" && ctx.models && !ctx.models->find(variant))
    p.fail("variant", fmt::format("unknown model '{}' (use largest, smallest or a model name)", variant));
  return std::make_unique<LatencyFirst>(*ctx.platform, static_cast<uint32_t>(ms), hosts, variant, exhaustive);
}
}  // namespace

std::unique_ptr<Policy> make_latency_first(const YamlSection& p, const PolicyContext& ctx) {
  return build_latency_first(p, ctx, false);
}

std::unique_ptr<Policy> make_latency_first_exhaustive(const YamlSection& p, const PolicyContext& ctx) {
  return build_latency_first(p, ctx, true);
}

}  // namespace ce
