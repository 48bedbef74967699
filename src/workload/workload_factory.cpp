#include "workload/workload_factory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <utility>

#include "config/yaml_section.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "workload/merge_stream.hpp"
#include "workload/mix_stream.hpp"
#include "workload/source_builder.hpp"
#include "workload/source_weights.hpp"

namespace ce {

uint64_t workload_source_seed(uint64_t experiment_seed, size_t index) {
  return derive_seed(derive_seed(experiment_seed, 0x574F524B4C4F4144ULL /* "WORKLOAD" */), index);
}

// The built-in source types: each parser lives next to its stream (src/workload/<type>_stream.cpp).
SourceParser build_poisson, build_mmpp, build_diurnal, build_closed_loop, build_azure_trace, build_rate_envelope,
    build_batch_job;

namespace {

// Keys every source reads (the factory applies model/models, source/sources/source_weights, slo and
// deadline; the parser reads stop through SourceBuilder::until()); an inline source may also give
// workload.max_requests.
constexpr const char* kCommonKeys[] = {"type", "model",    "models", "source",        "sources",      "source_weights",
                                       "slo",  "deadline", "stop",   "prompt_tokens", "output_tokens",
                                       "ttft_slo", "tpot_slo"};

struct SourceType {
  const char* name;                  // the value of `type:`
  SourceParser* build;               // parses the source's own keys, returns its arrival times
  std::array<const char*, 16> keys;  // the keys it reads besides kCommonKeys (unused entries: null)
};

// The table of workload source types, in the order error messages list them: one line each.
constexpr SourceType kSourceTypes[] = {
    {"poisson", build_poisson, {"start", "rate"}},
    {"mmpp", build_mmpp, {"start", "states"}},
    {"diurnal", build_diurnal, {"start", "mean_rate", "amplitude", "period", "peak_hour", "start_hour"}},
    {"closed_loop", build_closed_loop, {"start", "clients", "think_time", "think_distribution", "requests_per_client"}},
    {"azure_trace", build_azure_trace, {"file", "tokens", "size_column", "time_scale", "offset"}},
    {"rate_envelope", build_rate_envelope, {"file", "from", "to", "mean_rate", "time_scale", "day_length", "offset",
                                            "gaps", "shape", "bin", "time_column", "count_column"}},
    {"batch_job", build_batch_job, {"at", "items", "chunk", "max_workers", "min_workers", "scaling", "length_known",
                                    "every", "name", "hosts"}},
};

// "poisson, mmpp, ..." from the table.
std::string type_list() {
  std::string out;
  for (const auto& t : kSourceTypes) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
}


// allow_only() over a fixed-size list: kCommonKeys, max_requests when inline, then the type's keys
// ("" entries stand for no key).
constexpr size_t kAllowedSlots = std::size(kCommonKeys) + 1 + std::tuple_size_v<decltype(SourceType::keys)>;
template <size_t... I>
void allow_only_slots(const YamlSection& s, const std::array<const char*, kAllowedSlots>& keys,
                      std::index_sequence<I...>) {
  s.allow_only({keys[I]...});
}
void allow_source_keys(const YamlSection& s, const SourceType& type, bool is_inline) {
  std::array<const char*, kAllowedSlots> keys;
  size_t n = 0;
  for (const char* k : kCommonKeys) keys[n++] = k;
  keys[n++] = is_inline ? "max_requests" : "";
  for (const char* k : type.keys) keys[n++] = k ? k : "";
  allow_only_slots(s, keys, std::make_index_sequence<kAllowedSlots>());
}

// The model/device/SLO draws of the common keys, applied to every source's arrivals.
struct MixParser {
  SourceBuilder& b;  // finds and records the source_weights file
  const WorkloadContext& ctx;

  double weight(const YamlSection& s, const std::string& key, const YAML::Node& v) const {
    double w;
    if (!v.IsScalar() || !parse_double(v.Scalar(), w) || w < 0)
      fail_at_key(s.file(), key, "weight must be a number >= 0");
    return w;
  }

  // `single` (one name) or `many` (name: weight mapping, or a list of names with equal weights).
  WeightedChoice choice(const YamlSection& s, const char* single, const char* many, const WorkloadContext::Resolver& resolve,
                        const std::optional<uint32_t>& fallback, const char* what,
                        std::vector<std::string>* names = nullptr,
                        const std::function<std::vector<std::string>(const std::string&)>* glob = nullptr) const {
    WeightedChoice c;
    if (s.has(single) && s.has(many)) s.fail(many, fmt::format("give either '{}' or '{}', not both", single, many));
    auto add = [&](const std::string& name, double w, const std::string& key) {
      if (!resolve) fail_at_key(s.file(), key, fmt::format("no {} names are known in this context", what));
      if (glob && *glob && name.find_first_of("*?") != std::string::npos) {  // every matching host, weight w each
        const std::vector<std::string> matched = (*glob)(name);
        if (matched.empty()) fail_at_key(s.file(), key, fmt::format("pattern '{}' matches no host", name));
        for (const auto& m : matched) c.add(resolve(m, key), w);
        return;
      }
      c.add(resolve(name, key), w);
      if (names) names->push_back(name);
    };
    if (s.has(single)) {
      add(s.str(single), 1, s.key_path(single));
    } else if (s.has(many)) {
      const YAML::Node n = s.raw(many);
      const std::string base = s.key_path(many);
      if (n.IsMap()) {
        for (auto it = n.begin(); it != n.end(); ++it) {
          const std::string name = it->first.as<std::string>(), key = base + "." + name;
          add(name, weight(s, key, it->second), key);
        }
      } else if (n.IsSequence()) {
        size_t i = 0;
        for (const auto& x : n) {
          const std::string key = fmt::format("{}[{}]", base, i++);
          if (!x.IsScalar()) fail_at_key(s.file(), key, fmt::format("must be a {} name", what));
          add(x.Scalar(), 1, key);
        }
      } else {
        s.fail(many, fmt::format("must map {} names to weights ({{a: 3, b: 1}}) or list names", what));
      }
      if (c.empty()) s.fail(many, "must name at least one entry");
      if (!(c.total() > 0)) s.fail(many, "weights must not all be 0");
    } else if (fallback) {
      c.add(*fallback, 1);
    } else {
      s.fail(single, fmt::format("missing: name the {} with '{}: NAME' or '{}: {{NAME: weight, ...}}'", what,
                                 single, many));
    }
    return c;
  }

  MixSpec mix(const YamlSection& s) const {
    MixSpec m;
    std::vector<std::string> model_names;
    m.models = choice(s, "model", "models", ctx.resolve_model, ctx.default_model, "model", &model_names);
    if (s.has("source_weights")) {  // a host,weight table instead of source/sources
      for (const char* k : {"source", "sources"})
        if (s.has(k)) s.fail("source_weights", fmt::format("give either '{}' or 'source_weights', not both", k));
      if (!ctx.resolve_host) s.fail("source_weights", "no source device names are known in this context");
      const std::string path = b.find_file(s, "source_weights");
      b.add_input_file(path);
      m.sources = read_source_weights(path, ctx);
    } else {
      m.sources = choice(s, "source", "sources", ctx.resolve_host, ctx.default_source, "source device", nullptr,
                         &ctx.hosts_matching);
    }
    if (s.has("slo")) {
      const YAML::Node n = s.raw("slo");
      if (n.IsMap()) {
        m.slo_by_model.assign(m.models.size(), m.slo_s);
        for (auto it = n.begin(); it != n.end(); ++it) {
          const std::string name = it->first.as<std::string>(), key = s.key_path("slo") + "." + name;
          auto pos = std::find(model_names.begin(), model_names.end(), name);
          if (pos == model_names.end())
            fail_at_key(s.file(), key, "not one of this source's models (model/models)");
          if (!it->second.IsScalar()) fail_at_key(s.file(), key, "must be a duration such as 500ms");
          double v = parse_quantity_or_fail(it->second.Scalar(), Unit::Duration, s.file(), key);
          if (!(v > 0)) fail_at_key(s.file(), key, "must be > 0");
          m.slo_by_model[static_cast<size_t>(pos - model_names.begin())] = v;
        }
      } else {
        m.slo_s = s.quantity("slo", Unit::Duration);
        if (!(m.slo_s > 0)) s.fail("slo", "must be > 0");
      }
    }
    if (s.has("deadline")) {
      m.deadline_s = s.quantity("deadline", Unit::Duration);
      if (!(m.deadline_s > 0) || !std::isfinite(m.deadline_s)) s.fail("deadline", "must be a duration > 0");
      double slo = 0;  // the longest finite slo of the source's requests
      for (double v : m.slo_by_model)
        if (std::isfinite(v)) slo = std::max(slo, v);
      if (std::isfinite(m.slo_s)) slo = std::max(slo, m.slo_s);
      if (m.deadline_s < slo)
        s.fail("deadline", fmt::format("{} s is shorter than the slo ({} s): the deadline bounds completion "
                                       "including any deferral, so it must be at least the slo",
                                       m.deadline_s, slo));
    }
    for (const char* k : {"ttft_slo", "tpot_slo"}) {
      if (!s.has(k)) continue;
      const double v = s.quantity(k, Unit::Duration);
      if (!(v > 0) || !std::isfinite(v)) s.fail(k, "must be a duration > 0, e.g. 500ms");
      (k[1] == 't' ? m.ttft_slo_s : m.tpot_slo_s) = v;
    }
    m.prompt_tokens = tokens(s, "prompt_tokens");
    m.output_tokens = tokens(s, "output_tokens");
    return m;
  }

  // `key: N` (every request) or `key: {median: M, p99: Q, max: X}` (lognormal; max default 32768).
  TokenDraw tokens(const YamlSection& s, const char* key) const {
    if (!s.has(key)) return {};
    if (s.str("type") == "azure_trace")
      s.fail(key, "an azure_trace carries its own token counts (ContextTokens, GeneratedTokens); remove this key");
    const YAML::Node n = s.raw(key);
    const std::string path = s.key_path(key);
    auto whole = [&](const YAML::Node& v, const std::string& k, double lo) {
      double x;
      if (!v.IsScalar() || !parse_double(v.Scalar(), x) || x != std::floor(x) || x < lo || x > 4294967295.0)
        fail_at_key(s.file(), k, fmt::format("must be a whole number of tokens >= {:g}", lo));
      return x;
    };
    if (n.IsScalar()) return TokenDraw::fixed(static_cast<uint32_t>(whole(n, path, 1)));
    if (!n.IsMap())
      s.fail(key, "must be a token count (512) or a lognormal {median: 1020, p99: 4142, max: 32768}");
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string k = it->first.as<std::string>();
      if (k != "median" && k != "p99" && k != "max")
        fail_at_key(s.file(), path + "." + k, "unknown key (a lognormal takes median, p99 and max)");
    }
    if (!n["median"] || !n["p99"]) s.fail(key, "a lognormal needs both median and p99");
    const double median = whole(n["median"], path + ".median", 1), p99 = whole(n["p99"], path + ".p99", 1);
    if (p99 < median) fail_at_key(s.file(), path + ".p99", fmt::format("{:g} is below the median {:g}", p99, median));
    const double max = n["max"] ? whole(n["max"], path + ".max", 1) : 32768;
    return TokenDraw::lognormal(median, p99, static_cast<uint32_t>(max));
  }
};

std::unique_ptr<ArrivalStream> make_source(SourceBuilder& b, const YamlSection& s, size_t index,
                                           bool is_inline = false) {
  const std::string type = s.str("type");
  const SourceType* t = nullptr;
  for (const auto& x : kSourceTypes)
    if (type == x.name) t = &x;
  if (!t) s.fail("type", fmt::format("'{}' is not a workload source type (use one of: {})", type, type_list()));
  allow_source_keys(s, *t, is_inline);
  // A batch job's requests all come from its one source device: there is nothing to draw.
  if (t->build == build_batch_job && s.has("source_weights"))
    s.fail("source_weights", "a batch_job comes from one host: give 'source: NAME' instead");
  b.begin_source(index);
  std::unique_ptr<ArrivalStream> gen = t->build(b, s);
  const uint64_t seed = workload_source_seed(b.ctx().seed, index);
  return std::make_unique<MixStream>(std::move(gen), MixParser{b, b.ctx()}.mix(s), derive_seed(seed, 1));
}

}  // namespace

std::vector<std::string> workload_source_types() {
  std::vector<std::string> out;
  for (const auto& t : kSourceTypes) out.push_back(t.name);
  return out;
}

static std::unique_ptr<ArrivalStream> make_workload_body(const YAML::Node& node, const WorkloadContext& ctx,
                                                         std::vector<std::string>* input_files,
                                                         std::vector<BatchJob>* jobs) {
  const std::string& file = ctx.experiment_file;
  if (!node || node.IsNull()) fail_at_key(file, "workload", "missing (required): describe the request arrivals");
  if (!node.IsMap()) fail_at_key(file, "workload", "must be a mapping (type: ..., or sources: [...])");
  YamlSection w(node, file, "workload");
  if (jobs) jobs->clear();
  SourceBuilder b(ctx, input_files, jobs);
  std::vector<std::unique_ptr<ArrivalStream>> streams;
  // Runs expected to make more requests than this need the key to say so (docs/inputs-workload.md).
  const double max_requests = w.has("max_requests") ? w.positive("max_requests") : kDefaultMaxRequests;
  if (max_requests > kMaxRequestsLimit)
    w.fail("max_requests", fmt::format("must be at most {:.0e}", kMaxRequestsLimit));
  if (w.has("type")) {  // one source written inline
    streams.push_back(make_source(b, w, 0, true));
  } else {
    if (!w.has("sources") || !w.raw("sources").IsSequence())
      w.fail("sources", fmt::format("give a list of sources ('sources: [- type: poisson ...]') or one source inline "
                                    "with 'type:' ({})", type_list()));
    w.allow_only({"sources", "max_requests"});
    auto list = w.list("sources");
    if (list.empty()) w.fail("sources", "must list at least one source");
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].has("type")) list[i].fail("type", fmt::format("missing (required): one of {}", type_list()));
      streams.push_back(make_source(b, list[i], i));
    }
  }
  double total = 0;
  const std::pair<double, std::string>* biggest = nullptr;
  for (const auto& e : b.expected()) {
    total += e.first;
    if (!biggest || e.first > biggest->first) biggest = &e;
  }
  if (biggest && total > max_requests)
    fail_at_key(file, biggest->second,
                fmt::format("the workload would make about {:.3g} requests over the run (rate x duration), more than "
                            "{:.3g}; lower the rate or carbon.duration, or raise the bound with "
                            "workload.max_requests: N (at most {:.0e})",
                            total, max_requests, kMaxRequestsLimit));
  return std::make_unique<MergeStream>(std::move(streams));
}

// Safety net: a value of an unexpected YAML type that no explicit check caught (yaml-cpp throws
// BadConversion / InvalidNode) is a one-line input error naming the file and line.
std::unique_ptr<ArrivalStream> make_workload(const YAML::Node& node, const WorkloadContext& ctx,
                                             std::vector<std::string>* input_files, std::vector<BatchJob>* jobs) {
  try {
    return make_workload_body(node, ctx, input_files, jobs);
  } catch (const YAML::Exception& e) {
    const std::string what = "unexpected YAML value in workload (" + e.msg + ")";
    if (e.mark.line >= 0) fail_at_line(ctx.experiment_file, e.mark.line + 1, what);
    fail_at_key(ctx.experiment_file, "workload", what);
  }
}

}  // namespace ce
