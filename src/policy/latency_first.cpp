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
// consecutive stages on different hosts. O(S·R·H²) for the transfers + O(S·R²·H) for the stages;
// the per-(model, host) prefix sums of stage time are memoised (a pure function of the model and
// the platform, so decide() stays a pure function of its arguments).
#include <algorithm>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <mutex>

#include "models/cost_model.hpp"
#include "policy/builtin_policies.hpp"

namespace ce {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct ModelTable {
  std::vector<double> pre;  // pre[h * (R + 1) + k] = stage_seconds(h, rows 1..k) at pstate 0
  std::vector<double> wpre;  // wpre[k] = weight bytes of rows 1..k
  std::vector<double> cut;   // cut[k] = cut_bytes(k)
};

class LatencyFirst : public Policy {
 public:
  LatencyFirst(const PlatformSpec& p, uint32_t max_stages, std::vector<uint32_t> hosts, std::string variant)
      : max_stages_(max_stages), hosts_(std::move(hosts)), variant_(std::move(variant)) {
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
    if (hosts_.empty())
      for (uint32_t h = 0; h < H; ++h) hosts_.push_back(h);
  }

  Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
              const ClusterView& view) const override {
    const ModelProfile* m = pick_variant(variants);
    const PlatformSpec& P = *view.platform;
    const size_t H = P.hosts.size();
    const ModelTable& tab = table(*m, P);
    const uint32_t R = static_cast<uint32_t>(m->row_count() - 1);
    const uint32_t src = req.source;

    // Candidates that are on; per-candidate time factor and queueing.
    struct Cand {
      uint32_t h;
      double slow;   // speed(p0) / speed(pstate)
      double q;      // queue factor
      double hist;   // historical mean service (0 = none)
      double mem;    // memory limit (inf when unlimited)
    };
    std::vector<Cand> cands;
    cands.reserve(hosts_.size());
    for (uint32_t h : hosts_) {
      const HostState& hs = view.hosts[h];
      if (!hs.on) continue;
      const HostSpec& spec = P.hosts[h];
      double n = static_cast<double>(hs.busy + hs.queued);
      double c = static_cast<double>(spec.cores);
      double q = n < c ? 0.0 : (n - c + 1) / c;
      cands.push_back({h, spec.pstates.at(0).speed / spec.pstates.at(hs.pstate).speed, q, hs.mean_service_s(),
                       spec.memory_bytes > 0 ? spec.memory_bytes : kInf});
    }
    const size_t C = cands.size();
    if (C == 0) return Plan{nullptr, {}, "every candidate host is off"};
    const uint32_t S = std::min<uint32_t>(max_stages_, R);

    // Candidate-indexed transfer matrices, destination-major: T[c * C + g] from cand g to cand c.
    // The diagonal is infinite: consecutive stages run on different hosts.
    std::vector<double> latC(C * C), ibwC(C * C);
    for (size_t c = 0; c < C; ++c)
      for (size_t g = 0; g < C; ++g) {
        const size_t ij = cands[g].h * H + cands[c].h;
        latC[c * C + g] = g == c ? kInf : lat_[ij];
        ibwC[c * C + g] = inv_bw_[ij];
      }
    // D[s][k][c]: best latency with s stages done, rows 1..k done, tensor on cand c (ran stage s).
    // A[s][k][c]: best latency with rows 1..k done and the tensor arrived on cand c for stage s+1.
    // Only values are kept; the backtrack recomputes the argmins with the same expressions.
    const size_t KC = static_cast<size_t>(R + 1) * C;
    std::vector<double> D((S + 1) * KC, kInf), A(S * KC, kInf);
    // Stage cost on cand c for rows k+1..k2 = t + wait = add_c + (pre[k2] − pre[k])·f_c with
    // f_c = slow·(1 + q) and add_c = 0 without history, f_c = slow and add_c = q·hist with it.
    // Written as base(c, k) + pre[k2]·f_c so the best start row is a running minimum.
    std::vector<double> fC(C), addC(C);
    for (size_t c = 0; c < C; ++c) {
      const Cand& cd = cands[c];
      fC[c] = cd.hist > 0 ? cd.slow : cd.slow * (1 + cd.q);
      addC[c] = cd.hist > 0 ? cd.q * cd.hist : 0.0;
    }
    auto pre_of = [&](size_t c) { return &tab.pre[cands[c].h * (R + 1)]; };
    auto base = [&](size_t c, double a, uint32_t k) { return a + addC[c] - pre_of(c)[k] * fC[c]; };
    auto arrival = [&](const double* Ds, size_t c, uint32_t k) {
      const double cb = tab.cut[k];
      const double* d = &Ds[k * C];
      const double* l = &latC[c * C];
      const double* b = &ibwC[c * C];
      double best = kInf;
      for (size_t g = 0; g < C; ++g) {
        double v = d[g] + l[g] + cb * b[g];
        best = v < best ? v : best;
      }
      return best;
    };
    double best = kInf;
    int best_s = -1, best_c = -1;
    for (uint32_t s = 0; s < S; ++s) {
      double* As = &A[s * KC];
      if (s == 0) {
        for (size_t c = 0; c < C; ++c) {
          double l = lat_[src * H + cands[c].h];
          if (l < kInf) As[c] = l + tab.cut[0] * inv_bw_[src * H + cands[c].h];
        }
      } else {
        const double* Ds = &D[s * KC];
        for (uint32_t k = 1; k < R; ++k)
          for (size_t c = 0; c < C; ++c) As[k * C + c] = arrival(Ds, c, k);
      }
      double* Dn = &D[(s + 1) * KC];
      for (size_t c = 0; c < C; ++c) {
        const Cand& cd = cands[c];
        const double* pre = pre_of(c);
        if (cd.mem == kInf) {  // running minimum over the start row
          double run = kInf;
          for (uint32_t k2 = 1; k2 <= R; ++k2) {
            const double a = As[(k2 - 1) * C + c];
            if (a != kInf) {
              double b = base(c, a, k2 - 1);
              run = b < run ? b : run;
            }
            if (run != kInf) Dn[k2 * C + c] = run + pre[k2] * fC[c];
          }
        } else {
          for (uint32_t k = 0; k < R; ++k) {
            const double a = As[k * C + c];
            if (a == kInf) continue;
            const double b = base(c, a, k);
            for (uint32_t k2 = k + 1; k2 <= R; ++k2) {
              if (tab.wpre[k2] - tab.wpre[k] > cd.mem) break;
              double v = b + pre[k2] * fC[c];
              if (v < Dn[k2 * C + c]) Dn[k2 * C + c] = v;
            }
          }
        }
        double fin = Dn[R * C + c];
        double l = lat_[cd.h * H + src];
        if (fin == kInf || l == kInf) continue;
        fin += l + tab.cut[R] * inv_bw_[cd.h * H + src];
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
      const Cand& cd = cands[c];
      double bv = kInf;
      uint32_t bk = 0;
      for (uint32_t k = 0; k < k2; ++k) {
        const double a = As[k * C + c];
        if (a == kInf || tab.wpre[k2] - tab.wpre[k] > cd.mem) continue;
        double v = base(c, a, k) + pre_of(c)[k2] * fC[c];
        if (v < bv) {
          bv = v;
          bk = k;
        }
      }
      plan.stages[static_cast<size_t>(s - 1)] = {cd.h, bk + 1, k2};
      if (s > 1) {  // the cand the tensor came from
        const double* Ds = &D[static_cast<size_t>(s - 1) * KC];
        double gv = kInf;
        size_t bg = 0;
        for (size_t g = 0; g < C; ++g) {
          double v = Ds[bk * C + g] + latC[c * C + g] + tab.cut[bk] * ibwC[c * C + g];
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
  const ModelProfile* pick_variant(const std::vector<const ModelProfile*>& variants) const {
    if (variant_ == "smallest") return variants.front();
    if (!variant_.empty() && variant_ != "largest")
      for (auto* v : variants)
        if (v->name == variant_) return v;
    return variants.back();
  }

  const ModelTable& table(const ModelProfile& m, const PlatformSpec& P) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(&m);
    if (it != cache_.end()) return it->second;
    ModelTable t;
    const size_t R = m.row_count() - 1;
    t.pre.assign(P.hosts.size() * (R + 1), 0);
    for (size_t h = 0; h < P.hosts.size(); ++h)
      for (size_t k = 1; k <= R; ++k)
        t.pre[h * (R + 1) + k] = t.pre[h * (R + 1) + k - 1] + stage_seconds(P.hosts[h], m, k, k);
    t.wpre.assign(R + 1, 0);
    for (size_t k = 1; k <= R; ++k) t.wpre[k] = t.wpre[k - 1] + stage_weight_bytes(m, k, k);
    for (size_t k = 0; k <= R; ++k) t.cut.push_back(m.cut_bytes(k));
    return cache_.emplace(&m, std::move(t)).first->second;
  }

  uint32_t max_stages_;
  std::vector<uint32_t> hosts_;
  std::string variant_;
  std::vector<double> lat_, inv_bw_;  // [i * H + j]; lat = inf when j is unreachable from i
  mutable std::mutex mu_;
  mutable std::map<const ModelProfile*, ModelTable> cache_;
};

}  // namespace

std::unique_ptr<Policy> make_latency_first(const YamlSection& p, const PolicyContext& ctx) {
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
  return std::make_unique<LatencyFirst>(*ctx.platform, static_cast<uint32_t>(ms), hosts, variant);
}

}  // namespace ce
