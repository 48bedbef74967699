// The `batch_job` workload source: its requests (chunks), the jobs table, scaling profiles, the
// strict checks of its keys, and laziness.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "workload/batch_job.hpp"
#include "workload/batch_job_stream.hpp"
#include "workload/workload_factory.hpp"

using namespace ce;

namespace {

const std::map<std::string, uint32_t> kModels = {{"mobilenet_v2", 0}, {"resnet50", 1}, {"yolov5s", 2}};
const std::map<std::string, uint32_t> kHosts = {{"rpi4-1", 3}, {"rpi4-2", 4}, {"jetson", 7}};

WorkloadContext context(double duration = 86400) {
  WorkloadContext ctx;
  ctx.experiment_file = "experiments/exp.yaml";
  ctx.seed = 7;
  ctx.duration_s = duration;
  auto lookup = [](const std::map<std::string, uint32_t>& table, const char* what) {
    return [&table, what](const std::string& name, const std::string& key) -> uint32_t {
      auto it = table.find(name);
      if (it == table.end()) fail_at_key("experiments/exp.yaml", key, std::string("unknown ") + what + " '" + name + "'");
      return it->second;
    };
  };
  ctx.resolve_model = lookup(kModels, "model");
  ctx.resolve_host = lookup(kHosts, "host");
  ctx.hosts_matching = [](const std::string& pattern) {
    std::vector<std::string> out;
    for (const auto& [name, index] : kHosts)
      if (pattern == "rpi4-*" ? name.rfind("rpi4-", 0) == 0 : pattern == "jet*" && name == "jetson")
        out.push_back(name);
    return out;
  };
  return ctx;
}

struct Built {
  std::vector<Request> requests;
  std::vector<BatchJob> jobs;
  double max_deadline_s = 0;
};

Built build(const std::string& yaml, const WorkloadContext& ctx = context()) {
  Built out;
  auto s = make_workload(YAML::Load(yaml), ctx, nullptr, &out.jobs);
  out.max_deadline_s = s->max_deadline_s();
  while (std::isfinite(s->peek_time())) out.requests.push_back(s->pop());
  CHECK(s->finished());
  return out;
}

std::string error_of(const std::string& yaml, const WorkloadContext& ctx = context()) {
  try {
    build(yaml, ctx);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

void has(const std::string& msg, const std::string& part) {
  INFO(msg);
  CHECK(msg.find(part) != std::string::npos);
}

}  // namespace

TEST_CASE("batch_job: one job as ceil(items/chunk) requests at its arrival", "[workload][batch_job]") {
  auto b = build(R"(
type: batch_job
at: 2h
items: 10
chunk: 3
max_workers: 4
model: resnet50
source: jetson
deadline: 6h
slo: 10s
)");
  REQUIRE(b.requests.size() == 4);
  const uint32_t work[] = {3, 3, 3, 1};
  for (size_t i = 0; i < 4; ++i) {
    const Request& r = b.requests[i];
    CHECK(r.id == i);
    CHECK(r.arrival_s == 7200);
    CHECK(r.job == 1);
    CHECK(r.work == work[i]);
    CHECK(r.model == 1);
    CHECK(r.source == 7);
    CHECK(r.deadline_s == 6 * 3600);
    CHECK(r.slo_s == 10);
    CHECK(r.client == 0);
  }
  CHECK(b.max_deadline_s == 6 * 3600);
  REQUIRE(b.jobs.size() == 1);
  const BatchJob& j = b.jobs[0];
  CHECK(j.id == 1);
  CHECK(j.name == "batch_job[0]#1");
  CHECK(j.where == "workload");
  CHECK(j.at_s == 7200);
  CHECK(j.deadline_s == 6 * 3600);
  CHECK(j.items == 10);
  CHECK(j.chunk == 3);
  CHECK(j.requests == 4);
  CHECK(j.model == 1);
  CHECK(j.source == 7);
  CHECK(j.min_workers == 1);
  CHECK(j.max_workers == 4);
  CHECK(j.scaling == "linear");
  CHECK(j.length_known);
}

TEST_CASE("batch_job: defaults, exact multiples and large item counts", "[workload][batch_job]") {
  auto b = build("{type: batch_job, items: 5, max_workers: 1, model: yolov5s, source: rpi4-1, deadline: 1h}");
  REQUIRE(b.requests.size() == 5);  // chunk 1
  for (const auto& r : b.requests) CHECK((r.work == 1 && r.arrival_s == 0 && r.job == 1));
  b = build("{type: batch_job, items: 12, chunk: 4, max_workers: 1, model: yolov5s, source: rpi4-1, deadline: 1h}");
  REQUIRE(b.requests.size() == 3);
  for (const auto& r : b.requests) CHECK(r.work == 4);
  for (const char* items : {"1000000", "1e6", "1.0e+6"}) {
    b = build(std::string("{type: batch_job, items: ") + items +
              ", chunk: 300000, max_workers: 2, model: resnet50, source: jetson, deadline: 1h}");
    REQUIRE(b.requests.size() == 4);
    CHECK(b.requests.back().work == 100000);
    CHECK(b.jobs.at(0).items == 1e6);
  }
}

TEST_CASE("batch_job: job ids over two sources and repeats", "[workload][batch_job]") {
  auto b = build(R"(
sources:
  - type: poisson
    rate: 0.001
    model: mobilenet_v2
    source: rpi4-2
  - type: batch_job
    name: nightly
    at: 1h
    every: 6h
    items: 4
    chunk: 2
    max_workers: 2
    models: {resnet50: 1}
    sources: [rpi4-1]
    deadline: 5h
  - type: batch_job
    at: 90min
    stop: 3h
    every: 1h
    items: 3
    max_workers: 3
    min_workers: 2
    model: yolov5s
    source: "jet*"
    deadline: 30min
    length_known: false
)");
  // nightly: 1h, 7h, 13h, 19h (4 jobs, ids 1-4); the third source: 1.5h, 2.5h (ids 5, 6).
  REQUIRE(b.jobs.size() == 6);
  for (size_t i = 0; i < b.jobs.size(); ++i) CHECK(b.jobs[i].id == i + 1);
  const double at[] = {3600, 25200, 46800, 68400, 5400, 9000};
  for (size_t i = 0; i < 6; ++i) CHECK(b.jobs[i].at_s == at[i]);
  CHECK(b.jobs[0].name == "nightly#1");
  CHECK(b.jobs[3].name == "nightly#4");
  CHECK(b.jobs[3].where == "workload.sources[1]");
  CHECK(b.jobs[4].name == "batch_job[2]#1");
  CHECK(b.jobs[5].name == "batch_job[2]#2");
  CHECK(b.jobs[5].where == "workload.sources[2]");
  CHECK((b.jobs[0].model == 1 && b.jobs[0].source == 3));
  CHECK((b.jobs[4].model == 2 && b.jobs[4].source == 7));
  CHECK((b.jobs[4].min_workers == 2 && b.jobs[4].max_workers == 3 && !b.jobs[4].length_known));
  CHECK(b.max_deadline_s == 5 * 3600);

  // Every request of job id J arrives at its at_s, with the job's model, source and deadline.
  std::map<uint32_t, uint32_t> work_of;
  std::vector<uint32_t> order;
  double last = 0;
  for (const auto& r : b.requests) {
    CHECK(r.arrival_s >= last);
    last = r.arrival_s;
    if (r.job == 0) {
      CHECK(r.work == 1);
      continue;
    }
    REQUIRE(r.job <= b.jobs.size());
    const BatchJob& j = b.jobs[r.job - 1];
    CHECK(r.arrival_s == j.at_s);
    CHECK(r.model == j.model);
    CHECK(r.source == j.source);
    CHECK(r.deadline_s == j.deadline_s);
    work_of[r.job] += r.work;
    if (order.empty() || order.back() != r.job) order.push_back(r.job);
  }
  CHECK(order == std::vector<uint32_t>{1, 5, 6, 2, 3, 4});  // time order over the sources
  for (const auto& j : b.jobs) CHECK(work_of[j.id] == j.items);
}

TEST_CASE("batch_job: speed-up profiles", "[workload][batch_job]") {
  const std::string base = "{type: batch_job, items: 8, max_workers: 4, model: resnet50, source: jetson, deadline: 1h";
  auto lin = build(base + "}").jobs.at(0);
  CHECK(lin.scaling == "linear");
  CHECK(lin.speedup == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(build(base + ", scaling: linear}").jobs.at(0).speedup == lin.speedup);

  auto am = build(base + ", scaling: {amdahl: 0.5}}").jobs.at(0);
  CHECK(am.scaling == "amdahl");
  REQUIRE(am.speedup.size() == 5);
  CHECK(am.speedup[0] == 0);
  CHECK(am.speedup[1] == Approx(1));
  CHECK(am.speedup[2] == Approx(4.0 / 3));
  CHECK(am.speedup[4] == Approx(1 / (0.5 + 0.125)));
  CHECK(build(base + ", scaling: {amdahl: 0}}").jobs.at(0).speedup[4] == Approx(1));
  CHECK(build(base + ", scaling: {amdahl: 1}}").jobs.at(0).speedup[4] == Approx(4));

  auto tb = build(base + ", scaling: {table: [1, 1.8, 2.4, 2.4]}}").jobs.at(0);
  CHECK(tb.scaling == "table");
  CHECK(tb.speedup == std::vector<double>{0, 1, 1.8, 2.4, 2.4});
}

TEST_CASE("batch_job: bad inputs name the key", "[workload][batch_job]") {
  const std::string m = "model: resnet50, source: jetson, ";
  const std::string ok = "{type: batch_job, items: 10, max_workers: 4, " + m;
  has(error_of(ok + "}"), "workload.deadline");
  has(error_of(ok + "}"), "required for batch_job");
  has(error_of(ok + "deadline: 0s}"), "workload.deadline");
  has(error_of("{type: batch_job, max_workers: 4, deadline: 1h, " + m + "}"), "workload.items");
  for (const char* items : {"0", "-5", "2.5", "1.5e0", "inf", ".nan", "abc"})
    has(error_of(std::string("{type: batch_job, items: ") + items + ", max_workers: 4, deadline: 1h, " + m + "}"),
        "workload.items");
  has(error_of(ok + "deadline: 1h, chunk: 0}"), "workload.chunk");
  has(error_of(ok + "deadline: 1h, chunk: 2.5}"), "workload.chunk");
  has(error_of("{type: batch_job, items: 10, deadline: 1h, " + m + "}"), "workload.max_workers");
  has(error_of("{type: batch_job, items: 10, max_workers: 0, deadline: 1h, " + m + "}"), "workload.max_workers");
  has(error_of(ok + "deadline: 1h, min_workers: 0}"), "workload.min_workers");
  has(error_of(ok + "deadline: 1h, min_workers: 5}"), "key 'workload.min_workers': must be at most max_workers (4)");
  has(error_of(ok + "deadline: 1h, scaling: quadratic}"), "workload.scaling");
  has(error_of(ok + "deadline: 1h, scaling: amdahl}"), "workload.scaling");
  has(error_of(ok + "deadline: 1h, scaling: {amdahl: 1.5}}"), "workload.scaling.amdahl");
  has(error_of(ok + "deadline: 1h, scaling: {amdahl: -0.1}}"), "workload.scaling.amdahl");
  has(error_of(ok + "deadline: 1h, scaling: {gustafson: 0.5}}"), "workload.scaling.gustafson");
  has(error_of(ok + "deadline: 1h, scaling: {amdahl: 0.5, table: [1, 2, 3, 4]}}"), "workload.scaling");
  has(error_of(ok + "deadline: 1h, scaling: {table: [1, 2, 3]}}"), "workload.scaling.table");
  has(error_of(ok + "deadline: 1h, scaling: {table: [1.5, 2, 3, 4]}}"), "workload.scaling.table");
  has(error_of(ok + "deadline: 1h, scaling: {table: [1, 2.4, 2.1, 3]}}"),
      "workload.scaling.table': speed-ups must not decrease (2.1 after 2.4)");
  has(error_of(ok + "deadline: 1h, scaling: {table: [1, 2, x, 3]}}"), "workload.scaling.table");
  has(error_of(ok + "deadline: 1h, scaling: {table: [1, 0, 0, 0]}}"), "workload.scaling.table");
  has(error_of(ok + "deadline: 1h, length_known: maybe}"), "workload.length_known");
  has(error_of(ok + "deadline: 1h, every: 0s}"), "workload.every");
  has(error_of(ok + "deadline: 1h, every: -1h}"), "workload.every");
  has(error_of(ok + "deadline: 1h, at: 25h}"), "workload.at");            // after the run (24 h)
  has(error_of(ok + "deadline: 1h, at: 2h, stop: 1h}"), "workload.at");  // after its stop
  has(error_of(ok + "deadline: 1h, at: -1h}"), "workload.at");
  has(error_of(ok + "deadline: 1h, name: \"\"}"), "workload.name");
  has(error_of(ok + "deadline: 1h, every: 1s}", context(1e7)), "workload.every");  // 1e7 jobs: too many
  has(error_of(ok + "deadline: 1h, every: 1h}", context(kNever)), "workload.every");
  has(error_of(ok + "deadline: 1h, bogus: 1}"), "workload.bogus");
  // One model and one source device per job.
  const std::string nm = "{type: batch_job, items: 10, max_workers: 4, deadline: 1h, ";
  has(error_of(nm + "models: {resnet50: 1, yolov5s: 1}, source: jetson}"), "workload.models");
  has(error_of(nm + "models: [resnet50, yolov5s], source: jetson}"), "workload.models");
  has(error_of(nm + "model: resnet50, sources: {rpi4-1: 1, rpi4-2: 1}}"), "workload.sources");
  has(error_of(nm + "model: resnet50, source: \"rpi4-*\"}"), "pattern 'rpi4-*' matches 2 hosts");
  has(error_of(nm + "source: jetson}"), "workload.model");
  has(error_of(nm + "model: resnet50}"), "workload.source");
  has(error_of(nm + "model: vgg, source: jetson}"), "unknown model 'vgg'");
  // In a list, the path of the entry.
  has(error_of("sources: [{type: poisson, rate: 1, " + m + "}, {type: batch_job, items: 1, " + m +
               "deadline: 1h, max_workers: 2, scaling: {table: [1, 0.5]}}]"),
      "workload.sources[1].scaling.table");
  // A deadline shorter than the slo is the common keys' error.
  has(error_of(ok + "deadline: 1s, slo: 2s}"), "workload.deadline");
}

TEST_CASE("batch_job: defaults from the context", "[workload][batch_job]") {
  auto ctx = context();
  ctx.default_model = 2;
  ctx.default_source = 4;
  auto b = build("{type: batch_job, items: 2, max_workers: 1, deadline: 1h}", ctx);
  REQUIRE(b.jobs.size() == 1);
  CHECK((b.jobs[0].model == 2 && b.jobs[0].source == 4));
  REQUIRE(b.requests.size() == 2);
  CHECK((b.requests[0].model == 2 && b.requests[0].source == 4));
}

TEST_CASE("batch_job: the stream is lazy", "[workload][batch_job]") {
  // Hourly jobs over a year, 1000 requests each: 8.76 million requests, built at once.
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<BatchJob> jobs;
  auto s = make_workload(YAML::Load("{type: batch_job, every: 1h, items: 1e6, chunk: 1000, max_workers: 8, "
                                    "model: resnet50, source: jetson, deadline: 12h}"),
                         context(365 * 86400.0), nullptr, &jobs);
  CHECK(jobs.size() == 365 * 24);
  CHECK(jobs.back().at_s == (365 * 24 - 1) * 3600.0);
  for (int i = 0; i < 1001; ++i) {
    Request r = s->pop();
    CHECK(r.job == (i < 1000 ? 1u : 2u));
    CHECK(r.work == 1000);
  }
  CHECK(s->peek_time() == 3600);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(secs < 2);

  // The request-count check counts every job's requests.
  has(error_of("{type: batch_job, every: 1h, items: 1e6, max_workers: 8, model: resnet50, source: jetson, "
               "deadline: 12h}",
               context(365 * 86400.0)),
      "workload.every': the workload would make about 8.76e+09 requests");
}

TEST_CASE("batch_job: BatchJobStream on its own", "[workload][batch_job]") {
  BatchJobStream s(5, 10, 100, 2, 7, 4);
  std::vector<Request> out;
  while (!s.finished()) out.push_back(s.pop());
  REQUIRE(out.size() == 4);
  CHECK((out[0].job == 5 && out[0].work == 4 && out[0].arrival_s == 10));
  CHECK((out[1].job == 5 && out[1].work == 3 && out[1].arrival_s == 10));
  CHECK((out[2].job == 6 && out[2].work == 4 && out[2].arrival_s == 110));
  CHECK((out[3].job == 6 && out[3].work == 3 && out[3].arrival_s == 110));
  CHECK(std::isinf(s.peek_time()));
}
