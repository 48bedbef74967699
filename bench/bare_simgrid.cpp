// Benchmark 2 (docs/performance.md): the activity pattern of bench 1 written directly against S4U —
// no policy, no request bookkeeping beyond what the pattern needs, no accounting. Same platform
// (built by ce::build_platform from the same YAML), same per-host FIFO with `cores` workers, same
// driving as carbonedge (kernel timers for arrivals, Activity::on_completion for completions, no
// actor), Poisson arrivals at the same rate, same flops and bytes:
//   exec(stage 1 on source) → comm(cut tensor → server) → exec(stage 2) → comm(result → source)
//   ce_bench_bare PLATFORM REQUESTS RATE [--energy] [--actor]   → one JSON line on stdout
// --energy turns on SimGrid's host-energy plugin (carbonedge always has it on; link energy it
// accounts itself from the transfers, and that cost is part of what bench 2 measures).
// --actor drives the same pattern from one controller actor blocking in wait_any_for, the design
// carbonedge used before (kept to show what the change bought).
#include <simgrid/plugins/energy.h>
#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <iostream>
#include <random>

#include "models/cost_model.hpp"
#include "models/zoo.hpp"
#include "sim/platform_builder.hpp"

namespace sg4 = simgrid::s4u;

namespace {

struct Job {
  uint32_t source = 0, server = 0;
  int step = 0;  // 0 exec1, 1 comm up, 2 exec2, 3 comm back
};

struct Bare {
  const ce::PlatformSpec* spec = nullptr;
  ce::BuiltPlatform plat;
  double flops1_dev = 0, flops2_srv = 0, cut_bytes = 0, result_bytes = 0;
  double rate = 0, duration = 0;
  uint32_t devices = 10, servers = 10;
  uint64_t arrived = 0, done = 0;

  std::vector<Job> jobs;
  std::vector<uint32_t> free_jobs;
  std::vector<uint32_t> busy;
  std::vector<std::deque<uint32_t>> queue;
  std::mt19937_64 rng{7};
  std::exponential_distribution<double> gap;
  std::uniform_int_distribution<uint32_t> pick;
  double next = 0;  // time of the next arrival

  bool actor = false;  // how activities are followed (see the file comment)
  // --actor: the pending activities and their jobs, waited on with wait_any_for.
  std::vector<sg4::ActivityPtr> acts;
  std::vector<uint32_t> act_job;
  // Default: each job's current activity (its job in the activity's data), kept alive until it
  // completes; completed ones are released outside their own completion callback.
  std::vector<sg4::ActivityPtr> live;
  std::vector<sg4::ActivityPtr> graveyard;

  void init(bool use_actor) {
    actor = use_actor;
    gap = std::exponential_distribution<double>(rate);
    pick = std::uniform_int_distribution<uint32_t>(0, devices - 1);
    next = gap(rng);
  }

  // Starts an activity of job j and follows it the way the driver needs.
  void launch(uint32_t j, sg4::ActivityPtr a) {
    if (actor) {
      a->start();
      acts.push_back(a);
      act_job.push_back(j);
      return;
    }
    a->set_data(reinterpret_cast<void*>(static_cast<uintptr_t>(j)));
    if (live.size() <= j) live.resize(j + 1);
    if (live[j]) graveyard.push_back(std::move(live[j]));
    live[j] = a;
    a->start();
  }
  void start_exec(uint32_t j, uint32_t host, double flops) {
    if (busy[host] >= spec->hosts[host].cores) {
      queue[host].push_back(j);
      return;
    }
    ++busy[host];
    sg4::ExecPtr e = sg4::Exec::init();
    e->set_flops_amount(flops);
    e->set_host(plat.hosts[host]);
    launch(j, e);
  }
  void send(uint32_t j, uint32_t from, uint32_t to, double bytes) {
    sg4::CommPtr c = sg4::Comm::sendto_init(plat.hosts[from], plat.hosts[to]);
    c->set_payload_size(static_cast<uint64_t>(bytes));
    launch(j, c);
  }
  void release(uint32_t host) {
    --busy[host];
    if (!queue[host].empty()) {
      uint32_t j = queue[host].front();
      queue[host].pop_front();
      start_exec(j, host, jobs[j].step == 0 ? flops1_dev : flops2_srv);
    }
  }
  // Job j's current activity completed: its next step.
  void step(uint32_t j) {
    Job& job = jobs[j];
    switch (job.step++) {
      case 0: release(job.source); send(j, job.source, job.server, cut_bytes); break;
      case 1: start_exec(j, job.server, flops2_srv); break;
      case 2: release(job.server); send(j, job.server, job.source, result_bytes); break;
      default: ++done; free_jobs.push_back(j); break;
    }
  }
  // Every arrival due by `now`.
  void arrive(double now) {
    while (next <= now && next < duration) {
      uint32_t j;
      if (!free_jobs.empty()) {
        j = free_jobs.back();
        free_jobs.pop_back();
      } else {
        j = static_cast<uint32_t>(jobs.size());
        jobs.emplace_back();
      }
      uint32_t src = pick(rng);
      jobs[j] = Job{src, devices + src % servers, 0};
      ++arrived;
      start_exec(j, src, flops1_dev);
      next += gap(rng);
    }
  }

  // Default driving: no actor at all. Arrivals are kernel timers, completions arrive through
  // Activity::on_completion in maestro, and the next activity starts right there.
  void on_timer() {
    graveyard.clear();
    arrive(sg4::Engine::get_clock());
    if (next < duration) simgrid::kernel::timer::Timer::set(next, [this] { on_timer(); });
  }
  void start_callbacks() {
    sg4::Activity::on_completion_cb(
        [this](const sg4::Activity& a) { step(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(a.get_data<void>()))); });
    simgrid::kernel::timer::Timer::set(next, [this] { on_timer(); });
  }

  // --actor: one controller actor blocking in wait_any_for.
  void operator()() {
    while (true) {
      const double now = sg4::Engine::get_clock();
      arrive(now);
      const double until = next < duration ? next : -1.0;
      if (acts.empty()) {
        if (until < 0) break;
        sg4::this_actor::sleep_until(until);
        continue;
      }
      ssize_t idx = sg4::Activity::wait_any_for(acts, until < 0 ? -1.0 : until - now);
      if (idx < 0 || static_cast<size_t>(idx) >= acts.size()) continue;
      uint32_t j = act_job[static_cast<size_t>(idx)];
      acts[static_cast<size_t>(idx)] = acts.back();
      acts.pop_back();
      act_job[static_cast<size_t>(idx)] = act_job.back();
      act_job.pop_back();
      step(j);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: ce_bench_bare PLATFORM REQUESTS RATE [--energy] [--actor]\n";
    return 2;
  }
  bool energy = false, actor = false;
  for (int i = 4; i < argc; ++i) {
    energy |= std::strcmp(argv[i], "--energy") == 0;
    actor |= std::strcmp(argv[i], "--actor") == 0;
  }
  // Reading the platform YAML is outside the timed span, as carbonedge's prepare() is; from the
  // Engine's creation on, the span is the one bench 1 times around simulate().
  ce::PlatformSpec spec = ce::load_platform(argv[1]);
  rusage r0{}, r1{};
  getrusage(RUSAGE_SELF, &r0);
  auto t0 = std::chrono::steady_clock::now();
  int sg_argc = 5;  // the network configuration of sim/simulation.cpp
  const char* sg_argv[] = {"bare", "--cfg=network/model:CM02", "--cfg=network/TCP-gamma:0",
                           "--cfg=network/crosstraffic:0", "--log=root.thres:critical", nullptr};
  sg4::Engine engine(&sg_argc, const_cast<char**>(sg_argv));
  if (energy) {
    sg_host_energy_plugin_init();
  }
  Bare b;
  b.spec = &spec;
  b.plat = ce::build_platform(spec);
  b.rate = std::atof(argv[3]);
  b.duration = std::atof(argv[2]) / b.rate;
  b.busy.assign(spec.hosts.size(), 0);
  b.queue.resize(spec.hosts.size());
  // The same cut as bench-two-stage: where half of ResNet-18's MACs are done.
  const ce::ModelProfile& m = *ce::find_model("resnet18");
  const size_t R = m.row_count() - 1;
  double total = 0, run = 0;
  for (size_t k = 1; k <= R; ++k) total += static_cast<double>(m.layers[k].macs);
  size_t cut = 1;
  for (size_t k = 1; k < R; ++k) {
    run += static_cast<double>(m.layers[k].macs);
    cut = k;
    if (run >= total / 2) break;
  }
  b.flops1_dev = ce::stage_flops(spec.hosts[0], m, 1, cut);
  b.flops2_srv = ce::stage_flops(spec.hosts[b.devices], m, cut + 1, R);
  b.cut_bytes = m.cut_bytes(cut);
  b.result_bytes = m.cut_bytes(R);
  b.init(actor);
  if (actor)
    sg4::Actor::create("controller", b.plat.hosts[0], std::ref(b));  // it only waits: any host will do
  else
    b.start_callbacks();
  engine.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  getrusage(RUSAGE_SELF, &r1);
  auto secs = [](const rusage& r) {
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
  };
  const double cpu = secs(r1) - secs(r0);
  std::cout << fmt::format(
      "{{\"bench\": \"bare\", \"driver\": \"{}\", \"energy_plugins\": {}, \"requests\": {}, \"completed\": {}, \"simulated_s\": {:.3f}, "
      "\"sim_wall_s\": {:.4f}, \"sim_cpu_s\": {:.4f}, \"req_per_s\": {:.0f}, \"req_per_cpu_s\": {:.0f}}}\n",
      actor ? "actor" : "callbacks", energy, b.arrived, b.done, sg4::Engine::get_clock(), wall, cpu, static_cast<double>(b.arrived) / wall,
      static_cast<double>(b.arrived) / cpu);
  return b.done == b.arrived ? 0 : 1;
}
