// The workload: section: schema, strict keys, model/device/SLO mix, merging, trace paths.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "workload/merge_stream.hpp"
#include "workload/mix_stream.hpp"
#include "workload/poisson_stream.hpp"
#include "workload/workload_factory.hpp"

using namespace ce;

namespace {

const std::map<std::string, uint32_t> kModels = {{"mobilenet_v2", 0}, {"resnet50", 1}, {"yolov5s", 2}};
const std::map<std::string, uint32_t> kHosts = {{"rpi4-1", 3}, {"rpi4-2", 4}, {"jetson", 7}};

WorkloadContext context(double duration = 3600) {
  WorkloadContext ctx;
  ctx.experiment_file = "experiments/exp.yaml";
  ctx.seed = 2024;
  ctx.duration_s = duration;
  ctx.data_root = std::string(CE_TEST_SOURCE_DIR) + "/../shared/data";
  auto lookup = [](const std::map<std::string, uint32_t>& table, const char* what) {
    return [&table, what](const std::string& name, const std::string& key) -> uint32_t {
      auto it = table.find(name);
      if (it == table.end()) fail_at_key("experiments/exp.yaml", key, std::string("unknown ") + what + " '" + name + "'");
      return it->second;
    };
  };
  ctx.resolve_model = lookup(kModels, "model");
  ctx.resolve_host = lookup(kHosts, "host");
  return ctx;
}

std::vector<Request> all(const std::string& yaml, const WorkloadContext& ctx) {
  auto s = make_workload(YAML::Load(yaml), ctx);
  std::vector<Request> out;
  while (std::isfinite(s->peek_time())) out.push_back(s->pop());
  return out;
}

std::string error_of(const std::string& yaml, const WorkloadContext& ctx = context()) {
  try {
    all(yaml, ctx);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST_CASE("Factory: inline poisson with model and device weights and an SLO", "[workload]") {
  auto reqs = all(R"(
type: poisson
rate: 5
models: {mobilenet_v2: 0.7, resnet50: 0.3}
sources: {rpi4-1: 1, rpi4-2: 1}
slo: 500ms
)", context(4000));
  const double n = static_cast<double>(reqs.size());
  CHECK(std::fabs(n - 20000) < 4 * std::sqrt(20000.0));
  double m0 = 0, h3 = 0;
  bool ok = true;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const auto& r = reqs[i];
    ok = ok && r.id == i && (r.model == 0 || r.model == 1) && (r.source == 3 || r.source == 4) && r.slo_s == 0.5 &&
         r.client == 0 && r.arrival_s < 4000;
    m0 += r.model == 0;
    h3 += r.source == 3;
  }
  CHECK(ok);
  CHECK(std::fabs(m0 / n - 0.7) < 4 * std::sqrt(0.21 / n));
  CHECK(std::fabs(h3 / n - 0.5) < 4 * std::sqrt(0.25 / n));
}

TEST_CASE("Factory: sources list, merged by time with fresh ids, per-model SLO", "[workload]") {
  auto ctx = context(600);
  auto reqs = all(R"(
sources:
  - type: poisson
    rate: 2
    model: yolov5s
    source: jetson
  - type: diurnal
    mean_rate: 3
    amplitude: 0.5
    period: 10min
    models: [mobilenet_v2, resnet50]
    source: rpi4-1
    slo: {mobilenet_v2: 200ms, resnet50: 1s}
    start: 60s
    stop: 300s
)", ctx);
  bool ok = true;
  size_t from_diurnal = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const auto& r = reqs[i];
    ok = ok && r.id == i && (i == 0 || r.arrival_s >= reqs[i - 1].arrival_s);
    if (r.model == 2) {
      ok = ok && r.source == 7 && std::isinf(r.slo_s);
    } else {
      ++from_diurnal;
      ok = ok && r.source == 3 && r.arrival_s >= 60 && r.arrival_s < 300 &&
           r.slo_s == (r.model == 0 ? 0.2 : 1.0);
    }
  }
  CHECK(ok);
  CHECK(from_diurnal > 400);
  CHECK(from_diurnal < 1100);
}

TEST_CASE("Factory: adding a source does not change the others' arrivals", "[workload]") {
  auto ctx = context(300);
  auto one = all("sources: [{type: poisson, rate: 4, model: resnet50, source: rpi4-1}]", ctx);
  auto two = all(R"(
sources:
  - {type: poisson, rate: 4, model: resnet50, source: rpi4-1}
  - {type: poisson, rate: 4, model: mobilenet_v2, source: rpi4-2}
)", ctx);
  std::vector<double> a, b;
  for (auto& r : one) a.push_back(r.arrival_s);
  for (auto& r : two)
    if (r.model == 1) b.push_back(r.arrival_s);
  CHECK(a == b);
}

TEST_CASE("Factory: closed loop clients get distinct ids, completions route back", "[workload]") {
  auto ctx = context(1000);
  auto s = make_workload(YAML::Load(R"(
sources:
  - {type: closed_loop, clients: 3, think_time: 1s, requests_per_client: 2, model: resnet50, source: rpi4-1}
  - {type: closed_loop, clients: 2, think_time: 2s, think_distribution: constant, model: yolov5s, source: jetson}
  - {type: poisson, rate: 1, model: mobilenet_v2, source: rpi4-2, stop: 20s}
)"),
                         ctx);
  std::map<uint32_t, int> per_client;
  std::vector<Request> in_flight;
  uint64_t expect_id = 0;
  int closed = 0;
  for (int step = 0; step < 100000 && !s->finished(); ++step) {
    double t = s->peek_time();
    if (std::isfinite(t) && (in_flight.empty() || t <= in_flight.front().arrival_s + 0.5)) {
      Request r = s->pop();
      REQUIRE(r.id == expect_id++);
      if (r.client) {
        ++per_client[r.client];
        in_flight.push_back(r);
        CHECK(r.model == (r.client <= 3 ? 1u : 2u));
      }
    } else if (!in_flight.empty()) {
      Request r = in_flight.front();
      in_flight.erase(in_flight.begin());
      s->on_completion(r, r.arrival_s + 0.5);
      ++closed;
    } else {
      break;
    }
    CHECK(in_flight.size() <= 5);
  }
  REQUIRE(per_client.size() == 5);
  for (uint32_t c = 1; c <= 3; ++c) CHECK(per_client[c] == 2);  // capped
  CHECK(per_client[4] > 100);                                  // uncapped, runs to the duration
  CHECK(per_client[5] > 100);
}

TEST_CASE("Factory: traces resolved under data_root — input files reported", "[workload]") {
  auto ctx = context(600);
  std::vector<std::string> files;
  auto s = make_workload(YAML::Load(R"(
sources:
  - type: azure_trace
    file: requests/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv
    tokens: false
    time_scale: 2
    model: resnet50
    source: rpi4-1
  - type: rate_envelope
    file: requests/worldcup98/invocation_count.csv
    from: 1998-05-01
    to: 1998-05-02
    day_length: 10min
    mean_rate: 10
    gaps: zero
    shape: linear
    model: mobilenet_v2
    source: rpi4-2
)"),
                         ctx, &files);
  REQUIRE(files.size() == 2);
  CHECK(files[0].find("AzureLLMInferenceTrace_code.csv") != std::string::npos);
  size_t azure = 0, wc = 0;
  double last = 0;
  while (!s->finished()) {
    Request r = s->pop();
    CHECK(r.arrival_s >= last);
    last = r.arrival_s;
    if (r.model == 1) ++azure;
    else ++wc;
  }
  CHECK(last < 600);
  CHECK(azure > 3000);  // ~half the hour at double speed inside 10 min: ~2.57*2*600
  CHECK(std::fabs(static_cast<double>(wc) - 6000) < 4 * std::sqrt(6000.0) + 60);
}

TEST_CASE("Factory: strict keys and helpful errors", "[workload]") {
  auto has = [](const std::string& msg, const std::string& part) {
    INFO(msg);
    CHECK(msg.find(part) != std::string::npos);
  };
  has(error_of("sources: [{type: poisson, rat: 5, model: resnet50, source: jetson}]"), "workload.sources[0].rat");
  has(error_of("sources: [{type: poisson, rat: 5, model: resnet50, source: jetson}]"), "unknown key");
  has(error_of("{type: poisson, rate: 5, model: resnet50, source: jetson, extra: 1}"), "workload.extra");
  has(error_of("{type: posson, rate: 5, model: resnet50, source: jetson}"), "not a workload source type");
  has(error_of("{type: poisson, rate: 5, model: resnet5, source: jetson}"), "unknown model 'resnet5'");
  has(error_of("{type: poisson, rate: 5, models: {resnet50: 1}, source: jets}"), "workload.source");
  has(error_of("{type: poisson, rate: 5, source: jetson}"), "workload.model");
  has(error_of("{type: poisson, rate: -1, model: resnet50, source: jetson}"), "workload.rate");
  has(error_of("{type: poisson, model: resnet50, source: jetson}"), "missing");
  has(error_of("{type: poisson, rate: 1, model: resnet50, models: {resnet50: 1}, source: jetson}"), "not both");
  has(error_of("{type: poisson, rate: 1, models: {resnet50: 0}, source: jetson}"), "not all be 0");
  has(error_of("{type: poisson, rate: 1, models: {resnet50: -1}, source: jetson}"), "workload.models.resnet50");
  has(error_of("{type: poisson, rate: 1, model: resnet50, source: jetson, slo: fast}"), "workload.slo");
  has(error_of("{type: poisson, rate: 1, model: resnet50, source: jetson, slo: {yolov5s: 1s}}"), "workload.slo.yolov5s");
  has(error_of("{type: mmpp, states: [{rate: 1, mean_sojourn: 1s}], model: resnet50, source: jetson}"), "at least 2");
  has(error_of("{type: mmpp, states: [{rate: 1, sojourn: 1s}, {rate: 2, mean_sojourn: 1s}], model: resnet50, source: jetson}"),
      "workload.states[0].sojourn");
  has(error_of("{type: diurnal, mean_rate: 1, amplitude: 1.5, model: resnet50, source: jetson}"), "workload.amplitude");
  has(error_of("{type: closed_loop, clients: 0, think_time: 1s, model: resnet50, source: jetson}"), "workload.clients");
  has(error_of("{type: closed_loop, clients: 2, think_time: 1s, think_distribution: gamma, model: resnet50, source: jetson}"),
      "think_distribution");
  has(error_of("{type: azure_trace, file: nope.csv, model: resnet50, source: jetson}"), "not found");
  has(error_of("{type: azure_trace, file: requests/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv, "
               "size_column: ContextTokens, model: resnet50, source: jetson}"),
      "replaced by `tokens: true|false`");
  has(error_of("{type: rate_envelope, file: requests/worldcup98/invocation_count.csv, from: May 1, mean_rate: 1, "
               "model: resnet50, source: jetson}"),
      "workload.from");
  has(error_of("{type: rate_envelope, file: requests/worldcup98/invocation_count.csv, time_scale: 2, day_length: 1h, "
               "mean_rate: 1, model: resnet50, source: jetson}"),
      "not both");
  has(error_of("{type: rate_envelope, file: requests/worldcup98/invocation_count.csv, gaps: skip, mean_rate: 1, "
               "model: resnet50, source: jetson}"),
      "workload.gaps");
  has(error_of("sources: []"), "at least one");
  has(error_of("sources: [{rate: 1}]"), "workload.sources[0].type");
  has(error_of("{rate: 1}"), "workload.sources");
  has(error_of("{sources: [{type: poisson, rate: 1, model: resnet50, source: jetson}], seed: 3}"), "workload.seed");
  has(error_of("~"), "workload");
}

TEST_CASE("Factory: generator token counts — constant, lognormal median and p99, seeded, errors", "[workload]") {
  auto ctx = context(20000);
  auto draw = [&](const std::string& yaml) {
    auto s = make_workload(YAML::Load(yaml), ctx);
    std::vector<Request> out;
    while (!s->finished()) out.push_back(s->pop());
    return out;
  };
  const auto fixed = draw("{type: poisson, rate: 1, model: resnet50, source: jetson, prompt_tokens: 512, output_tokens: 64}");
  REQUIRE(fixed.size() > 1000);
  for (const Request& r : fixed) REQUIRE((r.prompt_tokens == 512 && r.output_tokens == 64));
  // Lognormal: the sample's median and p99 land on the given ones (20 k draws), within [1, max].
  const std::string ln = "{type: poisson, rate: 1, model: resnet50, source: jetson, "
                         "prompt_tokens: {median: 1020, p99: 4142}, output_tokens: {median: 129, p99: 601, max: 500}}";
  const auto a = draw(ln), b = draw(ln);
  REQUIRE(a.size() > 15000);
  std::vector<double> in, out;
  bool same = a.size() == b.size();
  for (size_t i = 0; i < a.size(); ++i) {
    in.push_back(a[i].prompt_tokens);
    out.push_back(a[i].output_tokens);
    same = same && a[i].prompt_tokens == b[i].prompt_tokens && a[i].output_tokens == b[i].output_tokens;
    CHECK((a[i].output_tokens >= 1 && a[i].output_tokens <= 500));
  }
  CHECK(same);  // seeded: the same draws
  std::sort(in.begin(), in.end());
  std::sort(out.begin(), out.end());
  CHECK(in[in.size() / 2] == Approx(1020).epsilon(0.03));
  CHECK(in[in.size() * 99 / 100] == Approx(4142).epsilon(0.08));
  CHECK(out[out.size() / 2] == Approx(129).epsilon(0.03));
  CHECK(out.back() == 500);  // clamped at max
  // Token draws do not disturb the other draws: same arrivals, models and sources as without them.
  const auto plain = draw("{type: poisson, rate: 1, models: {resnet50: 1, mobilenet_v2: 1}, sources: [jetson, rpi4-1]}");
  const auto tok = draw("{type: poisson, rate: 1, models: {resnet50: 1, mobilenet_v2: 1}, sources: [jetson, rpi4-1], "
                        "prompt_tokens: {median: 100, p99: 900}}");
  REQUIRE(plain.size() == tok.size());
  bool untouched = true;
  for (size_t i = 0; i < plain.size(); ++i)
    untouched = untouched && plain[i].arrival_s == tok[i].arrival_s && plain[i].model == tok[i].model &&
                plain[i].source == tok[i].source;
  CHECK(untouched);
  auto has = [](const std::string& msg, const std::string& part) {
    INFO(msg);
    CHECK(msg.find(part) != std::string::npos);
  };
  has(error_of("{type: poisson, rate: 1, model: resnet50, source: jetson, prompt_tokens: 0}"), "workload.prompt_tokens");
  has(error_of("{type: poisson, rate: 1, model: resnet50, source: jetson, prompt_tokens: 1.5}"), "whole number");
  has(error_of("{type: poisson, rate: 1, model: resnet50, source: jetson, output_tokens: {median: 10}}"),
      "needs both median and p99");
  has(error_of("{type: poisson, rate: 1, model: resnet50, source: jetson, output_tokens: {median: 10, p99: 5}}"),
      "workload.output_tokens.p99");
  has(error_of("{type: poisson, rate: 1, model: resnet50, source: jetson, output_tokens: {median: 10, p99: 50, sd: 3}}"),
      "workload.output_tokens.sd");
  has(error_of("{type: azure_trace, file: requests/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv, "
               "model: resnet50, source: jetson, prompt_tokens: 5}"),
      "carries its own token counts");
}

TEST_CASE("Factory: an unknown type's error lists every registered source type", "[workload]") {
  const std::vector<std::string> types = workload_source_types();  // from the table in workload_factory.cpp
  for (const char* t : {"poisson", "mmpp", "diurnal", "closed_loop", "azure_trace", "rate_envelope"})
    CHECK(std::find(types.begin(), types.end(), t) != types.end());
  std::string list;
  for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
  auto has = [](const std::string& msg, const std::string& part) {
    INFO(msg);
    CHECK(msg.find(part) != std::string::npos);
  };
  has(error_of("{type: posson, rate: 5, model: resnet50, source: jetson}"),
      "key 'workload.type': 'posson' is not a workload source type (use one of: " + list + ")");
  has(error_of("sources: [{type: 3, rate: 5}]"), "'3' is not a workload source type (use one of: " + list + ")");
  has(error_of("sources: [{rate: 1}]"), "missing (required): one of " + list);
  has(error_of("{rate: 1}"), "with 'type:' (" + list + ")");
  // Each registered type is dispatched to its parser, which is preceded by the strict key check.
  for (const auto& t : types) {
    const std::string msg = error_of("{type: " + t + ", bogus: 1}");
    has(msg, "key 'workload.bogus': unknown key (allowed here: type, model, models, source, sources, "
             "source_weights, slo, deadline, stop, prompt_tokens, output_tokens, ttft_slo, tpot_slo, max_requests, ");
    CHECK(msg.find("not a workload source type") == std::string::npos);
  }
}

TEST_CASE("Factory: defaults from the context when model/source are omitted", "[workload]") {
  auto ctx = context(100);
  ctx.default_model = 2;
  ctx.default_source = 7;
  auto reqs = all("{type: poisson, rate: 3}", ctx);
  REQUIRE(!reqs.empty());
  CHECK(reqs.front().model == 2);
  CHECK(reqs.front().source == 7);
  CHECK(std::isinf(reqs.front().slo_s));
}

TEST_CASE("MergeStream: ties go to the earlier stream", "[workload]") {
  // Two identical Poisson streams (same seed): every time appears twice, first from stream 0.
  std::vector<std::unique_ptr<ArrivalStream>> v;
  MixSpec tag;
  tag.models.add(9, 1);
  v.push_back(std::make_unique<MixStream>(std::make_unique<PoissonStream>(1, 0, 50, 5), tag, 1));
  v.push_back(std::make_unique<PoissonStream>(1, 0, 50, 5));
  MergeStream m(std::move(v));
  std::vector<Request> t;
  while (!m.finished()) t.push_back(m.pop());
  REQUIRE(t.size() % 2 == 0);
  REQUIRE(t.size() > 20);
  bool pairs = true;
  for (size_t i = 0; i < t.size(); i += 2)
    pairs = pairs && t[i].arrival_s == t[i + 1].arrival_s && t[i].model == 9 && t[i + 1].model == 0 &&
            t[i].id == i && t[i + 1].id == i + 1;
  CHECK(pairs);
}

TEST_CASE("Factory: deadline gives every request of the source a completion deadline beyond its SLO",
          "[workload][deadline]") {
  auto reqs = all(R"(
type: poisson
rate: 2
model: resnet50
source: jetson
slo: 500ms
deadline: 6h
)", context(600));
  REQUIRE(reqs.size() > 100);
  for (const auto& r : reqs) {
    CHECK(r.slo_s == 0.5);
    CHECK(r.deadline_s == 6 * 3600);
  }
  // Without the key: no deadline.
  auto plain = all("type: poisson\nrate: 2\nmodel: resnet50\nsource: jetson\n", context(60));
  REQUIRE_FALSE(plain.empty());
  CHECK(std::isinf(plain.front().deadline_s));
  // Per-model SLOs: the deadline must cover the longest.
  CHECK(error_of(R"(
type: poisson
rate: 2
models: {resnet50: 1, yolov5s: 1}
source: jetson
slo: {resnet50: 200ms, yolov5s: 2s}
deadline: 1s
)") == "experiments/exp.yaml: line 7: key 'workload.deadline': 1 s is shorter than the slo (2 s): the deadline bounds "
       "completion including any deferral, so it must be at least the slo");
  CHECK(error_of("type: poisson\nrate: 2\nmodel: resnet50\nsource: jetson\ndeadline: 0s\n") ==
        "experiments/exp.yaml: line 5: key 'workload.deadline': must be a duration > 0");
}
