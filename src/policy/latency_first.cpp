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
//  - per-(model, host) prefix sums of stage time are memoised (a pure function of the model and the
//    platform, so decide() stays a pure function of its arguments), looked up without a lock;
//  - the candidate-indexed transfer matrices are built once, in the constructor; hosts that are off
//    stay in them as dead slots (their values stay infinite), so candidate order — and so every
//    tie-break — is the same as when only the hosts that are on are listed;
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
#include <numeric>
#include <optional>

#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"
#include "policy/model_cache.hpp"

namespace ce {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSlack = 1e-15;  // > 4 ulp, relative: rounding room between a bound and the DP's value

struct ModelTable {
  std::vector<double> pre;   // pre[h * (R + 1) + k] = stage_seconds(h, rows 1..k) at pstate 0
  std::vector<double> wpre;  // wpre[k] = weight bytes of rows 1..k
  std::vector<double> cut;   // cut[k] = cut_bytes(k)
  std::vector<double> preR;  // per host: pre[h][R]
  // Per candidate (index c of the policy's `hosts`), contiguous for the passes over every candidate,
  // with the memory limits folded in (a time is +inf where the stage's weights do not fit on the
  // candidate): c_pre_r = the whole model, c_row1 = the first row alone, c_last_row = the last row
  // alone; c_rho = min over middle rows j of t_c(j) / r(j), r(j) = min over hosts of t_h(j), so the
  // middle rows cost ≥ c_rho·mid on c alone, mid = Σ r(j) over rows 2..R−1 (two_stage()'s bounds);
  // first_max[c] = the last row a first stage (rows 1..k) on c can end at, last_min[c] = the first
  // row k after which a last stage (rows k+1..R) fits on c.
  double mid = 0;
  std::vector<double> c_pre_r, c_row1, c_last_row, c_rho;
  std::vector<uint32_t> first_max, last_min;
};

ModelTable build_table(const ModelProfile& m, const PlatformSpec& P, const std::vector<uint32_t>& cands,
                       const std::vector<double>& cand_mem) {
  ModelTable t;
  const size_t R = m.row_count() - 1;
  t.pre.assign(P.hosts.size() * (R + 1), 0);
  for (size_t h = 0; h < P.hosts.size(); ++h)
    for (size_t k = 1; k <= R; ++k)
      t.pre[h * (R + 1) + k] = t.pre[h * (R + 1) + k - 1] + stage_seconds(P.hosts[h], m, k, k);
  t.wpre.assign(R + 1, 0);
  for (size_t k = 1; k <= R; ++k) t.wpre[k] = t.wpre[k - 1] + stage_weight_bytes(m, k, k);
  for (size_t k = 0; k <= R; ++k) t.cut.push_back(m.cut_bytes(k));
  for (size_t h = 0; h < P.hosts.size(); ++h) t.preR.push_back(t.pre[h * (R + 1) + R]);
  auto row = [&](size_t h, size_t j) { return t.pre[h * (R + 1) + j] - t.pre[h * (R + 1) + j - 1]; };
  std::vector<double> r(R + 1, kInf);
  for (size_t j = 2; j + 1 <= R; ++j)
    for (size_t h = 0; h < P.hosts.size(); ++h) r[j] = std::min(r[j], std::max(0.0, row(h, j)));
  for (size_t j = 2; j + 1 <= R; ++j) t.mid += r[j];
  for (size_t c = 0; c < cands.size(); ++c) {
    const uint32_t h = cands[c];
    const double mem = cand_mem[c];
    auto fits = [&](size_t a, size_t b) { return t.wpre[b] - t.wpre[a] <= mem; };
    t.c_pre_r.push_back(fits(0, R) ? t.preR[h] : kInf);
    t.c_row1.push_back(R >= 1 && fits(0, 1) ? row(h, 1) : kInf);
    t.c_last_row.push_back(R >= 1 && fits(R - 1, R) ? row(h, R) : kInf);
    double rho = kInf;
    for (size_t j = 2; j + 1 <= R; ++j)
      if (r[j] > 0) rho = std::min(rho, row(h, j) / r[j]);
    t.c_rho.push_back(rho == kInf ? 0.0 : rho);  // no middle row costs anything: the bound adds 0
    uint32_t k1 = 0, k2 = static_cast<uint32_t>(R);
    while (k1 + 1 < R && t.wpre[k1 + 1] - t.wpre[0] <= mem) ++k1;
    while (k2 > 1 && t.wpre[R] - t.wpre[k2 - 1] <= mem) --k2;
    t.first_max.push_back(k1);
    t.last_min.push_back(k2);
  }
  return t;
}

// Per-thread working arrays of decide(), grown on demand and never shrunk.
struct Scratch {
  std::vector<double> f, add, mem, D, A;
  std::vector<char> alive;
  std::vector<std::pair<double, uint32_t>> heap, sorted;  // (D, sender) for the transfer step
  std::vector<uint32_t> window;                           // start rows, for the memory-limited stages
  std::vector<double> base;
  std::vector<double> a0, back, u1, u2, theta, d1, x_min;  // two_stage()
  std::vector<uint32_t> v1, v2, rows;  // v1, v2: senders and receivers kept, the first n1 / n2
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
    lat_.assign(H * H, kInf);
    inv_bw_.assign(H * H, 0);
    for (size_t i = 0; i < H; ++i)
      for (size_t j = 0; j < H; ++j) {
        if (i == j) {
          lat_[i * H + j] = 0;
          continue;
        }
        if (!p.reachable[i][j]) continue;
        double lat = 0, bw = kInf;
        for (uint32_t l : p.routes[i][j]) {
          lat += p.links[l].latency;
          bw = std::min(bw, p.links[l].bandwidth);
        }
        lat_[i * H + j] = lat;
        inv_bw_[i * H + j] = p.routes[i][j].empty() ? 0 : 1.0 / bw;
      }
    // Transposed copies: one_stage() reads the way back to the source, h → src, for every h.
    lat_back_.assign(H * H, kInf);
    inv_bw_back_.assign(H * H, 0);
    for (size_t i = 0; i < H; ++i)
      for (size_t j = 0; j < H; ++j) {
        lat_back_[j * H + i] = lat_[i * H + j];
        inv_bw_back_[j * H + i] = inv_bw_[i * H + j];
      }
    if (hosts_.empty())
      for (uint32_t h = 0; h < H; ++h) hosts_.push_back(h);
    // Candidate-indexed transfer matrices, destination-major: [c * C + g] from cand g to cand c.
    // The diagonal is infinite: consecutive stages run on different candidates.
    const size_t C = hosts_.size();
    latC_.assign(C * C, kInf);
    ibwC_.assign(C * C, 0);
    min_lat_in_.assign(C, kInf);
    min_ibw_in_.assign(C, kInf);
    min_lat_out_.assign(C, kInf);
    for (size_t c = 0; c < C; ++c)
      for (size_t g = 0; g < C; ++g) {
        const size_t ij = hosts_[g] * H + hosts_[c];
        latC_[c * C + g] = g == c ? kInf : lat_[ij];
        ibwC_[c * C + g] = inv_bw_[ij];
        if (g == c) continue;
        min_lat_in_[c] = std::min(min_lat_in_[c], lat_[ij]);
        min_ibw_in_[c] = std::min(min_ibw_in_[c], inv_bw_[ij]);
        min_lat_out_[g] = std::min(min_lat_out_[g], lat_[ij]);
      }
    pick_ = variant_ == "smallest" ? Smallest : (variant_.empty() || variant_ == "largest") ? Largest : Named;
    // Per candidate, the platform facts decide() needs, contiguous (the same values it computed from
    // the HostSpec each time: a decision then reads no host's nested vectors).
    for (size_t c = 0; c < C; ++c) {
      const HostSpec& spec = p.hosts[hosts_[c]];
      cand_cores_.push_back(static_cast<double>(spec.cores));
      cand_cores_n_.push_back(spec.cores);
      cand_mem_.push_back(spec.memory_bytes > 0 ? spec.memory_bytes : kInf);
      cand_slow_at_.push_back(cand_slow_.size());
      for (size_t ps = 0; ps < spec.pstates.size(); ++ps)
        cand_slow_.push_back(spec.pstates.at(0).speed / spec.pstates.at(ps).speed);
    }
  }

  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants);
    const PlatformSpec& P = *view.platform;
    const size_t H = P.hosts.size();
    const ModelTable& tab = tables_.get(m, [&] { return build_table(*m, P, hosts_, cand_mem_); });
    const uint32_t R = static_cast<uint32_t>(m->row_count() - 1);
    const uint32_t src = req.source;
    const size_t C = hosts_.size();

    // Per candidate: alive (on), stage time factor f, additive wait, memory limit.
    // Stage cost on cand c for rows k+1..k2 = t + wait = add_c + (pre[k2] − pre[k])·f_c with
    // f_c = slow·(1 + q) and add_c = 0 without history, f_c = slow and add_c = q·hist with it,
    // slow = speed(p0)/speed(pstate), q = max(0, busy + queued − cores + 1)/cores.
    Scratch& w = scratch();
    const uint32_t S = std::min<uint32_t>(max_stages_, R);
    if (S == 2 && !exhaustive_)
      if (std::optional<Plan> plan = two_stage(m, tab, src, view, w)) return std::move(*plan);
    w.f.resize(C);
    w.add.resize(C);
    w.mem.resize(C);
    w.alive.resize(C);
    size_t n_alive = 0;
    for (size_t c = 0; c < C; ++c) {
      const HostState& hs = view.hosts[hosts_[c]];
      w.alive[c] = hs.on;
      if (!hs.on) continue;
      ++n_alive;
      load(c, hs, w.f[c], w.add[c]);
      w.mem[c] = cand_mem_[c];
    }
    if (n_alive == 0) return Plan{nullptr, {}, "every candidate host is off"};
    if (S == 1) return one_stage(m, tab, src, view, w);

    // D[s][k][c]: best latency with s stages done, rows 1..k done, tensor on cand c (ran stage s).
    // A[s][k][c]: best latency with rows 1..k done and the tensor arrived on cand c for stage s+1.
    // Only values are kept; the backtrack recomputes the argmins with the same expressions.
    const size_t KC = static_cast<size_t>(R + 1) * C;
    w.D.resize((S + 1) * KC);
    w.A.resize(S * KC);
    double* D = w.D.data();
    double* A = w.A.data();
    std::fill(D + KC, D + (S + 1) * KC, kInf);
    std::fill(A, A + S * KC, kInf);
    const double* f = w.f.data();
    const double* add = w.add.data();
    auto pre_of = [&](size_t c) { return &tab.pre[hosts_[c] * (R + 1)]; };
    auto base = [&](size_t c, double a, uint32_t k) { return a + add[c] - pre_of(c)[k] * f[c]; };
    double best = kInf;
    int best_s = -1, best_c = -1;
    for (uint32_t s = 0; s < S; ++s) {
      double* As = &A[s * KC];
      if (s == 0) {
        for (size_t c = 0; c < C; ++c) {
          if (!w.alive[c]) continue;
          double l = lat_[src * H + hosts_[c]];
          if (l < kInf) As[c] = l + tab.cut[0] * inv_bw_[src * H + hosts_[c]];
        }
      } else {
        for (uint32_t k = 1; k < R; ++k) arrivals(&D[s * KC + k * C], tab.cut[k], C, w, &As[k * C]);
      }
      double* Dn = &D[(s + 1) * KC];
      for (size_t c = 0; c < C; ++c) {
        if (!w.alive[c]) continue;
        const double* pre = pre_of(c);
        if (w.mem[c] == kInf) {  // running minimum over the start row
          double run = kInf;
          for (uint32_t k2 = 1; k2 <= R; ++k2) {
            const double a = As[(k2 - 1) * C + c];
            if (a != kInf) {
              double b = base(c, a, k2 - 1);
              run = b < run ? b : run;
            }
            if (run != kInf) Dn[k2 * C + c] = run + pre[k2] * f[c];
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
            const double a = As[k * C + c];
            if (a != kInf) {
              const double b = base(c, a, k);
              while (dq.size() > head && w.base[dq.back()] >= b) dq.pop_back();
              dq.push_back(k);
              w.base[k] = b;
            }
            while (head < dq.size() && tab.wpre[k2] - tab.wpre[dq[head]] > w.mem[c]) ++head;
            if (head < dq.size()) Dn[k2 * C + c] = w.base[dq[head]] + pre[k2] * f[c];
          }
        }
        double fin = Dn[R * C + c];
        const uint32_t h = hosts_[c];
        double l = lat_[h * H + src];
        if (fin == kInf || l == kInf) continue;
        fin += l + tab.cut[R] * inv_bw_[h * H + src];
        if (fin < best) {  // strict: fewer stages, then earlier candidates, win ties
          best = fin;
          best_s = static_cast<int>(s + 1);
          best_c = static_cast<int>(c);
        }
      }
    }
    if (best_s < 0) return Plan{nullptr, {}, fmt::format("no candidate host can hold and reach {}", m->name)};

    Plan plan;
    plan.model = m;
    plan.stages.resize(static_cast<size_t>(best_s));
    uint32_t k2 = R;
    size_t c = static_cast<size_t>(best_c);
    for (int s = best_s; s >= 1; --s) {
      // Start row of stage s on cand c: the first k reaching D[s][k2][c] (same order as above).
      const double* As = &A[static_cast<size_t>(s - 1) * KC];
      double bv = kInf;
      uint32_t bk = 0;
      for (uint32_t k = 0; k < k2; ++k) {
        const double a = As[k * C + c];
        if (a == kInf || tab.wpre[k2] - tab.wpre[k] > w.mem[c]) continue;
        double v = base(c, a, k) + pre_of(c)[k2] * f[c];
        if (v < bv) {
          bv = v;
          bk = k;
        }
      }
      plan.stages[static_cast<size_t>(s - 1)] = {hosts_[c], bk + 1, k2};
      if (s > 1) {  // the cand the tensor came from: the first g reaching A[s-1][bk][c]
        const double* Ds = &D[static_cast<size_t>(s - 1) * KC];
        double gv = kInf;
        size_t bg = 0;
        for (size_t g = 0; g < C; ++g) {
          double v = Ds[bk * C + g] + latC_[c * C + g] + tab.cut[bk] * ibwC_[c * C + g];
          if (v < gv) {
            gv = v;
            bg = g;
          }
        }
        c = bg;
      }
      k2 = bk;
    }
    return plan;
  }

 private:
  // Stage-time factor f and additive wait of candidate c in state hs (see decide()), written with
  // integer clamps and 0/1 factors instead of branches, which mispredict on mixed clusters. Same
  // values as q = n < cores ? 0 : (n − cores + 1)/cores, hist = HostState::mean_service_s(),
  // f = hist > 0 ? slow : slow·(1 + q), add = hist > 0 ? q·hist : 0 (multiplying by 1 or adding
  // 0 is exact; busy_seconds / 1 is discarded when nothing completed).
  void load(size_t c, const HostState& hs, double& f, double& add) const {
    const int64_t excess = static_cast<int64_t>(hs.busy) + hs.queued - cand_cores_n_[c] + 1;
    const double q = static_cast<double>(std::max<int64_t>(excess, 0)) / cand_cores_[c];
    const double slow = cand_slow_[cand_slow_at_[c] + hs.pstate];
    const int64_t done = static_cast<int64_t>(hs.completed);
    const double hist = hs.busy_seconds / static_cast<double>(std::max<int64_t>(done, 1)) *
                        static_cast<double>(std::min<int64_t>(done, 1));
    const double with = static_cast<double>(hist > 0);  // 1 with a history, else 0
    f = slow * (1 + q * (1 - with));
    add = q * hist * with;
  }

  // A request's two transfers from/to its source: the input to host h, the result back from h;
  // +inf where the route does not exist (its inverse bandwidth is 0 then).
  struct Ends {
    const double *lat_to, *ibw_to, *lat_back, *ibw_back;
    double cut_in, cut_out;
    double in(uint32_t h) const { return lat_to[h] + cut_in * ibw_to[h]; }
    double out(uint32_t h) const { return lat_back[h] + cut_out * ibw_back[h]; }
  };
  Ends ends(uint32_t src, size_t H, const ModelTable& tab, uint32_t R) const {
    return {&lat_[src * H], &inv_bw_[src * H], &lat_back_[src * H], &inv_bw_back_[src * H], tab.cut[0], tab.cut[R]};
  }
  // The DP's one-stage value on candidate c: base(c, in, 0) + pre[R]·f, then the way back (in + add
  // − 0·f is in + add exactly, f being finite and > 0); +inf where the model does not fit or a route
  // is missing.
  static double whole_model(const ModelTable& tab, size_t c, double in, double add, double f, double out) {
    double fin = (in + add) + tab.c_pre_r[c] * f;
    fin += out;
    return fin;
  }

  // max_stages 1: the whole model on one candidate. The DP below, with one stage, reads only row 0
  // of A and row R of D; this computes exactly those values with the same expressions (so the same
  // plan, ties included) in O(C) instead of filling and scanning (R + 1) × C tables.
  Plan one_stage(const ModelProfile* m, const ModelTable& tab, uint32_t src, const ClusterView& view,
                 const Scratch& w) const {
    const uint32_t R = static_cast<uint32_t>(m->row_count() - 1);
    const Ends e = ends(src, view.platform->hosts.size(), tab, R);
    double best = kInf;
    int best_c = -1;
    for (size_t c = 0; c < hosts_.size(); ++c) {
      if (!w.alive[c]) continue;
      const uint32_t h = hosts_[c];
      const double fin = whole_model(tab, c, e.in(h), w.add[c], w.f[c], e.out(h));
      if (fin < best) {
        best = fin;
        best_c = static_cast<int>(c);
      }
    }
    if (best_c < 0) return Plan{nullptr, {}, fmt::format("no candidate host can hold and reach {}", m->name)};
    Plan plan;
    plan.model = m;
    plan.stages = {{hosts_[static_cast<size_t>(best_c)], 1, R}};
    return plan;
  }

  // max_stages 2, exactly the plan the DP in decide() returns (ties included), by bounding before
  // searching. Every two-stage plan (c1 runs rows 1..k, c2 rows k+1..R) costs
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
  // nullopt (the caller runs the full DP): no one-stage plan to bound with, or too little pruned.
  std::optional<Plan> two_stage(const ModelProfile* m, const ModelTable& tab, uint32_t src, const ClusterView& view,
                                Scratch& w) const {
    const uint32_t R = static_cast<uint32_t>(m->row_count() - 1);
    const size_t C = hosts_.size();
    const Ends e = ends(src, view.platform->hosts.size(), tab, R);
    const double mid = tab.mid;
    for (auto* v : {&w.f, &w.add, &w.a0, &w.back, &w.u1, &w.u2, &w.theta}) v->resize(C);
    double* f = w.f.data();
    double* add = w.add.data();
    auto pre_of = [&](size_t c) { return &tab.pre[hosts_[c] * (R + 1)]; };
    auto base = [&](size_t c, double a, uint32_t k) { return a + add[c] - pre_of(c)[k] * f[c]; };

    // One pass over every candidate: its state, its one-stage latency (the DP's value, as in
    // one_stage(); an unreachable host or one too small gets +inf), U1, U2, θ, and the minima the
    // first round of bounds needs.
    double best = kInf, u1m = kInf, w1m = kInf, u2m = kInf, w2m = kInf;
    int best_c = -1;
    for (size_t c = 0; c < C; ++c) {
      const uint32_t h = hosts_[c];
      const HostState& hs = view.hosts[h];
      if (!hs.on) {
        w.u1[c] = w.u2[c] = kInf;
        w.theta[c] = 0;
        continue;
      }
      double fc, ac;
      load(c, hs, fc, ac);
      const double a = e.in(h), back = e.out(h);
      const double fin = whole_model(tab, c, a, ac, fc, back);
      if (fin < best) {
        best = fin;
        best_c = static_cast<int>(c);
      }
      const double th = tab.c_rho[c] * fc;
      const double u1 = a + ac + tab.c_row1[c] * fc;
      // The DP reaches a receiver's stage time as (... − pre[k]·f) + pre[R]·f, which can round
      // down by ~2 ulp of pre[R]·f: far below the 1e-9 margin unless the host is ~1e6 times slower
      // than the best plan; the slack keeps the bound below the DP's value even then.
      const double u2 = ac + tab.c_last_row[c] * fc + back - kSlack * tab.preR[h] * fc;
      w.u1[c] = u1;
      w.u2[c] = u2;
      w.theta[c] = th;
      u1m = std::min(u1m, u1);
      w1m = std::min(w1m, u1 + th * mid);
      u2m = std::min(u2m, u2);
      w2m = std::min(w2m, u2 + th * mid);
    }
    if (best_c < 0) return std::nullopt;

    // The bounds add in another order than T: a plan is dropped only when clearly worse (1e-9
    // relative, far above the rounding of either).
    const double limit = best * (1 + 1e-9);
    const double* th = w.theta.data();
    auto may_send = [&](uint32_t c, double w2, double u2) {
      return w.u1[c] + min_lat_out_[c] + std::min(w2, u2 + th[c] * mid) <= limit;
    };
    auto may_receive = [&](uint32_t c, double w1, double u1) {
      return w.u2[c] + min_lat_in_[c] + std::min(w1, u1 + th[c] * mid) <= limit;
    };
    if (w.v1.size() < C) w.v1.resize(C);
    if (w.v2.size() < C) w.v2.resize(C);
    uint32_t* v1 = w.v1.data();
    uint32_t* v2 = w.v2.data();
    std::iota(v1, v1 + C, 0u);
    std::iota(v2, v2 + C, 0u);
    size_t n1 = C, n2 = C;
    auto compact = [](uint32_t* v, size_t n, auto keep) {  // branch-free: most candidates are dropped
      size_t kept = 0;
      for (size_t i = 0; i < n; ++i) {
        v[kept] = v[i];
        kept += keep(v[i]);
      }
      return kept;
    };
    for (int round = 0; round < 3 && n1 > 0 && n2 > 0; ++round) {
      if (round > 0) {  // the first round's minima came with the pass over every candidate
        u1m = w1m = u2m = w2m = kInf;
        for (size_t i = 0; i < n1; ++i) {
          u1m = std::min(u1m, w.u1[v1[i]]);
          w1m = std::min(w1m, w.u1[v1[i]] + th[v1[i]] * mid);
        }
        for (size_t j = 0; j < n2; ++j) {
          u2m = std::min(u2m, w.u2[v2[j]]);
          w2m = std::min(w2m, w.u2[v2[j]] + th[v2[j]] * mid);
        }
      }
      const size_t before = n1 + n2;
      n1 = compact(v1, n1, [&](uint32_t c) { return may_send(c, w2m, u2m); });
      n2 = compact(v2, n2, [&](uint32_t c) { return may_receive(c, w1m, u1m); });
      if (n1 + n2 == before) break;
    }
    if (n1 * n2 > 8 * C) return std::nullopt;  // weak bounds: the full DP's pruned scan is cheaper
    Plan plan;
    plan.model = m;
    plan.stages = {{hosts_[static_cast<size_t>(best_c)], 1, R}};
    if (n1 == 0 || n2 == 0) return plan;  // no split can beat the best whole-model host
    // The pass above kept only the bounds; the few senders and receivers left get their facts
    // again (the same expressions, so the same values).
    auto facts = [&](uint32_t c) {
      const uint32_t h = hosts_[c];
      load(c, view.hosts[h], f[c], add[c]);
      w.a0[c] = e.in(h);
      w.back[c] = e.out(h);
    };
    for (size_t i = 0; i < n1; ++i) facts(v1[i]);
    for (size_t j = 0; j < n2; ++j) facts(v2[j]);

    // d1[k][i] = D[1][k][v1[i]] (the DP's value, +inf where rows 1..k do not fit), x_min[k] = its
    // minimum over the senders.
    if (w.d1.size() < R * n1) w.d1.resize(R * n1);
    if (w.x_min.size() < R) w.x_min.resize(R);
    if (w.rows.size() < R) w.rows.resize(R);
    double* x_min = w.x_min.data();
    std::fill(x_min, x_min + R, kInf);
    for (size_t i = 0; i < n1; ++i) {
      const uint32_t g = v1[i];
      const double b = base(g, w.a0[g], 0), fg = f[g];
      const double* pre = pre_of(g);
      const uint32_t k_max = tab.first_max[g];
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
      const double* l = &latC_[c * C];
      const double* ib = &ibwC_[c * C];
      const double cb = tab.cut[k];
      double bv = kInf;
      for (size_t i = 0; i < n1; ++i) {
        if (d1[i] > d1_limit) continue;
        const uint32_t g = v1[i];
        const double v = d1[i] + l[g] + cb * ib[g];
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
      const double pR = pre[R], fc = f[c], ibw = min_ibw_in_[c];
      const double room = limit - min_lat_in_[c] - add[c] - w.back[c] + kSlack * pR * fc;  // see u2
      const uint32_t lo = std::max(1u, tab.last_min[c]);
      uint32_t* rows = w.rows.data();
      size_t n = 0;
      for (uint32_t k = lo; k < R; ++k) {  // branch-free: most rows fail
        rows[n] = k;
        n += x_min[k] + (pR - pre[k]) * fc + tab.cut[k] * ibw <= room;
      }
      for (size_t r = 0; r < n; ++r) {
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
      double fin = run + pre_of(c)[R] * f[c];
      fin += w.back[c];
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
      const double v = base(c, a1, k) + pre_of(c)[R] * f[c];
      if (v < bv) {
        bv = v;
        bk = k;
        bg = g;
      }
    });
    plan.stages = {{hosts_[bg], 1, bk}, {hosts_[c], bk + 1, R}};
    return plan;
  }

  // out[c] = min_g Dk[g] + lat(g→c) + cb·ibw(g→c) for every alive c (dead c keep +inf).
  // Senders are visited in increasing Dk (a min-heap popped lazily into `sorted`, shared by every c),
  // and c stops at the first sender whose lower bound (Dk[g] + min_lat_in[c]) + cb·min_ibw_in[c]
  // reaches c's best so far: that bound is evaluated with the same association as the real
  // expression, and IEEE rounding is monotonic, so every later sender's value is ≥ it — the result
  // is the exact minimum a full scan would find, usually after a sender or two.
  void arrivals(const double* Dk, double cb, size_t C, Scratch& w, double* out) const {
    auto& heap = w.heap;
    heap.clear();
    for (size_t g = 0; g < C; ++g)
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
    for (size_t c = 0; c < C; ++c) {
      if (!w.alive[c]) continue;
      const double* l = &latC_[c * C];
      const double* b = &ibwC_[c * C];
      const double min_lat = min_lat_in_[c], min_cb = cb * min_ibw_in_[c];
      double best = kInf;
      for (size_t i = 0; have(i); ++i) {
        const double d = sorted[i].first;
        if ((d + min_lat) + min_cb >= best) break;
        const uint32_t g = sorted[i].second;
        const double v = d + l[g] + cb * b[g];
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
  bool exhaustive_;  // always the full DP: the reference two_stage() is tested against
  enum Pick { Largest, Smallest, Named } pick_ = Largest;
  std::vector<double> lat_, inv_bw_;   // [i * H + j]; lat = inf when j is unreachable from i
  std::vector<double> lat_back_, inv_bw_back_;  // [j * H + i] = lat_/inv_bw_[i * H + j]
  std::vector<double> cand_cores_, cand_mem_;    // per cand: cores; memory bytes (inf = unlimited)
  std::vector<int64_t> cand_cores_n_;            // per cand: cores, as an integer
  std::vector<double> cand_slow_;                // per cand and pstate: speed(p0) / speed(p)
  std::vector<size_t> cand_slow_at_;             // per cand: its first entry in cand_slow_
  std::vector<double> latC_, ibwC_;    // candidate-indexed, destination-major, see the constructor
  std::vector<double> min_lat_in_, min_ibw_in_;  // per cand c: min over other cands g of lat/ibw(g→c)
  std::vector<double> min_lat_out_;              // per cand g: min over other cands c of lat(g→c)
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
