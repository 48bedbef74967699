// Benchmark 1 and 4 (docs/performance.md): simulated requests per wall-second and peak RSS of one
// carbonedge run through the real code path — prepare() (the loaders `carbonedge run` uses), the
// policy registry, simulate() with the energy plugins and the carbon sampler — with per-request
// output off. One SimGrid engine per process, so one request count per invocation:
//   ce_bench_throughput EXPERIMENT REQUESTS      → one JSON line on stdout
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <iostream>

#include "accounting/run_accountant.hpp"
#include "cli/prepared.hpp"
#include "core/error.hpp"
#include "policy/policy.hpp"
#include "sim/simulation.hpp"

namespace {

// Stage 1 = rows 1..cut on the source device (cut: where half the MACs are done), stage 2 = the
// rest on server `first_server + source mod servers`. Precomputed per model: O(1) per decision.
class TwoStage : public ce::Policy {
 public:
  explicit TwoStage(uint32_t first_server, uint32_t servers) : first_server_(first_server), servers_(servers) {}
  ce::Plan decide(const ce::Request& req, const std::vector<const ce::ModelProfile*>& variants,
                  const ce::ClusterView&) const override {
    const ce::ModelProfile* m = variants.back();
    if (m != cached_model_) {  // single-threaded benchmark: a one-entry cache is enough
      double total = 0, run = 0;
      for (size_t k = 1; k < m->row_count(); ++k) total += static_cast<double>(m->layers[k].macs);
      uint32_t cut = 1;
      for (size_t k = 1; k + 1 < m->row_count(); ++k) {
        run += static_cast<double>(m->layers[k].macs);
        cut = static_cast<uint32_t>(k);
        if (run >= total / 2) break;
      }
      cached_model_ = m;
      cut_ = cut;
    }
    ce::Plan p;
    p.model = m;
    const uint32_t last = static_cast<uint32_t>(m->row_count() - 1);
    p.stages = {{req.source, 1, cut_}, {first_server_ + req.source % servers_, cut_ + 1, last}};
    return p;
  }

 private:
  uint32_t first_server_, servers_;
  mutable const ce::ModelProfile* cached_model_ = nullptr;
  mutable uint32_t cut_ = 1;
};

// User + system CPU seconds of this process: unlike wall time, not inflated when the machine is shared.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

double max_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: ce_bench_throughput EXPERIMENT REQUESTS\n";
    return 2;
  }
  const double requests = std::atof(argv[2]);
  try {
    ce::register_policy("bench-two-stage", [](const ce::YamlSection& p, const ce::PolicyContext& ctx) {
      p.allow_only({});
      // Devices are the hosts named dev-*, servers srv-*; platform_20hosts.yaml lists devices first.
      uint32_t first_server = 0;
      while (first_server < ctx.platform->hosts.size() && ctx.platform->hosts[first_server].name.rfind("dev-", 0) == 0)
        ++first_server;
      const uint32_t servers = static_cast<uint32_t>(ctx.platform->hosts.size()) - first_server;
      if (first_server == 0 || servers == 0) p.fail("type", "bench-two-stage needs dev-* hosts followed by servers");
      return std::make_unique<TwoStage>(first_server, servers);
    });
    // Peek at the rate to size the run, then load for real with carbon.duration = requests / rate.
    ce::LoadOptions opt;
    const double rate = ce::load_experiment(argv[1], opt).workload["rate"].as<double>();
    opt.overrides.push_back(fmt::format("carbon.duration={}s", requests / rate));
    auto t_load = std::chrono::steady_clock::now();
    std::unique_ptr<ce::Prepared> p = ce::prepare(argv[1], opt);
    auto arrivals = p->make_arrivals();
    ce::SimInput in;
    in.experiment = &p->exp;
    in.models = p->models.get();
    in.carbon = &p->carbon;
    in.policy = p->policies.at(0).get();
    in.arrivals = arrivals.get();
    in.requested_models = &p->requested_models;
    // The accountant (per-request energy, link charges, tallies) is part of every run.
    ce::RunAccountant accountant(p->exp.platform, p->carbon, p->requested_models);
    in.observers.push_back(&accountant);
    const double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    ce::SimResult r = ce::simulate(in);
    auto t1 = std::chrono::steady_clock::now();
    const double cpu = cpu_seconds() - c0;
    const double wall = std::chrono::duration<double>(t1 - t0).count();
    const double load = std::chrono::duration<double>(t0 - t_load).count();
    std::cout << fmt::format(
        "{{\"bench\": \"throughput\", \"requests\": {}, \"completed\": {}, \"simulated_s\": {:.3f}, "
        "\"load_wall_s\": {:.4f}, \"sim_wall_s\": {:.4f}, \"sim_cpu_s\": {:.4f}, \"req_per_s\": {:.0f}, "
        "\"req_per_cpu_s\": {:.0f}, \"max_rss_mb\": {:.1f}}}\n",
        r.arrived, accountant.tally().completed, r.end_s, load, wall, cpu, static_cast<double>(r.arrived) / wall,
        static_cast<double>(r.arrived) / cpu, max_rss_mb());
    return accountant.tally().completed == r.arrived ? 0 : 1;
  } catch (const ce::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
