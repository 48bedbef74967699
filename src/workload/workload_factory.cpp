#include "workload/workload_factory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "config/yaml_section.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/time_utc.hpp"
#include "workload/azure_trace_stream.hpp"
#include "workload/closed_loop_stream.hpp"
#include "workload/diurnal_stream.hpp"
#include "workload/merge_stream.hpp"
#include "workload/mix_stream.hpp"
#include "workload/mmpp_stream.hpp"
#include "workload/poisson_stream.hpp"
#include "workload/rate_envelope_stream.hpp"

namespace ce {

uint64_t workload_source_seed(uint64_t experiment_seed, size_t index) {
  return derive_seed(derive_seed(experiment_seed, 0x574F524B4C4F4144ULL /* "WORKLOAD" */), index);
}

namespace {

namespace fs = std::filesystem;

const char* const kTypes = "poisson, mmpp, diurnal, closed_loop, azure_trace, rate_envelope";

struct Builder {
  const WorkloadContext& ctx;
  std::vector<std::string>* input_files;
  uint32_t client_base = 0;
  // Requests each source is expected to produce over the run, with the key that sets its rate.
  std::vector<std::pair<double, std::string>> expected;

  // An arrival rate of one source (req/s): at most kMaxSourceRate.
  double rate(const YamlSection& s, const std::string& key, double v) const {
    if (v > kMaxSourceRate)
      s.fail(key, fmt::format("{} req/s is above the limit of {:.0e} req/s per source (arrival times would not "
                              "advance; split the load over several sources or hosts)", v, kMaxSourceRate));
    return v;
  }
  // Records rate × the source's arrival window [start, until) as its expected request count.
  void expect(const YamlSection& s, const std::string& key, double rate_v, double start, double stop) {
    const double span = std::max(0.0, std::min(stop, ctx.duration_s) - start);
    if (span > 0 && std::isfinite(span)) expected.emplace_back(rate_v * span, s.key_path(key));
  }

  // Absolute paths as given; relative ones next to the experiment file first, then under data_root.
  std::string find_file(const YamlSection& s, const std::string& key) const {
    const std::string p = s.str(key);
    if (p.empty()) s.fail(key, "must name a file");
    std::vector<fs::path> tries;
    if (fs::path(p).is_absolute()) {
      tries.push_back(p);
    } else {
      tries.push_back(fs::path(ctx.experiment_file).parent_path() / p);
      if (!ctx.data_root.empty()) tries.push_back(fs::path(ctx.data_root) / p);
    }
    std::error_code ec;
    for (const auto& t : tries)
      if (fs::is_regular_file(t, ec)) return t.lexically_normal().string();
    std::string looked;
    for (const auto& t : tries) looked += (looked.empty() ? "" : " and ") + t.lexically_normal().string();
    s.fail(key, fmt::format("file '{}' not found (looked for {}; relative paths are tried next to the "
                            "experiment file, then under the data root)", p, looked));
  }

  double duration_or(const YamlSection& s, const std::string& key, double def, bool allow_negative = false) const {
    double v = s.quantity_or(key, Unit::Duration, def);
    if (!std::isfinite(v) && s.has(key)) s.fail(key, "must be finite");
    if (!allow_negative && v < 0) s.fail(key, fmt::format("must be >= 0 (got {} s)", v));
    return v;
  }

  double utc(const YamlSection& s, const std::string& key) const {
    const std::string text = s.str(key);
    auto t = parse_utc(text);
    if (!t) s.fail(key, fmt::format("'{}' is not a UTC date-time (write YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)", text));
    return *t;
  }

  double weight(const YamlSection& s, const std::string& key, const YAML::Node& v) const {
    double w;
    if (!v.IsScalar() || !parse_double(v.Scalar(), w) || w < 0)
      fail_at_key(s.file(), key, "weight must be a number >= 0");
    return w;
  }

  // `single` (one name) or `many` (name: weight mapping, or a list of names with equal weights).
  WeightedChoice choice(const YamlSection& s, const char* single, const char* many, const WorkloadContext::Resolver& resolve,
                        const std::optional<uint32_t>& fallback, const char* what,
                        std::vector<std::string>* names = nullptr) const {
    WeightedChoice c;
    if (s.has(single) && s.has(many)) s.fail(many, fmt::format("give either '{}' or '{}', not both", single, many));
    auto add = [&](const std::string& name, double w, const std::string& key) {
      if (!resolve) fail_at_key(s.file(), key, fmt::format("no {} names are known in this context", what));
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
    m.sources = choice(s, "source", "sources", ctx.resolve_host, ctx.default_source, "source device");
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
    return m;
  }

  double until(const YamlSection& s) const { return std::min(ctx.duration_s, duration_or(s, "stop", kNever)); }

  std::unique_ptr<ArrivalStream> source(const YamlSection& s, size_t index, bool is_inline = false) {
    const std::string type = s.str("type");
    const uint64_t seed = workload_source_seed(ctx.seed, index);
    const uint64_t gen_seed = derive_seed(seed, 0);
    std::unique_ptr<ArrivalStream> gen;
#define CE_COMMON "type", "model", "models", "source", "sources", "slo", "stop", (is_inline ? "max_requests" : "")
    if (type == "poisson") {
      s.allow_only({CE_COMMON, "start", "rate"});
      if (!s.has("rate")) s.fail("rate", "missing (required): arrivals per second");
      const double r = rate(s, "rate", s.non_negative_or("rate", 0));
      const double start = duration_or(s, "start", 0);
      expect(s, "rate", r, start, until(s));
      gen = std::make_unique<PoissonStream>(r, start, until(s), gen_seed);
    } else if (type == "mmpp") {
      s.allow_only({CE_COMMON, "start", "states"});
      std::vector<MmppState> states;
      for (const auto& st : s.list("states")) {
        st.allow_only({"rate", "mean_sojourn"});
        MmppState m;
        if (!st.has("rate")) st.fail("rate", "missing (required): arrivals per second in this state");
        m.rate = rate(st, "rate", st.non_negative_or("rate", 0));
        m.mean_sojourn_s = st.quantity("mean_sojourn", Unit::Duration);
        if (!(m.mean_sojourn_s > 0)) st.fail("mean_sojourn", "must be > 0");
        states.push_back(m);
      }
      if (states.size() < 2) s.fail("states", "needs at least 2 states");
      if (MmppStream::mean_rate(states) <= 0) s.fail("states", "at least one state needs a rate > 0");
      expect(s, "states", MmppStream::mean_rate(states), duration_or(s, "start", 0), until(s));
      gen = std::make_unique<MmppStream>(states, duration_or(s, "start", 0), until(s), gen_seed);
    } else if (type == "diurnal") {
      s.allow_only({CE_COMMON, "start", "mean_rate", "amplitude", "period", "peak_hour", "start_hour"});
      DiurnalParams p;
      p.mean_rate = s.positive("mean_rate");
      p.amplitude = s.num_or("amplitude", p.amplitude);
      if (!(p.amplitude >= 0 && p.amplitude <= 1)) s.fail("amplitude", "must be between 0 and 1");
      p.period_s = duration_or(s, "period", p.period_s);
      if (!(p.period_s > 0)) s.fail("period", "must be > 0");
      p.peak_hour = s.num_or("peak_hour", p.peak_hour);
      if (!(p.peak_hour >= 0 && p.peak_hour <= 24)) s.fail("peak_hour", "must be between 0 and 24");
      p.start_hour = s.num_or("start_hour", p.start_hour);
      if (!(p.start_hour >= 0 && p.start_hour <= 24)) s.fail("start_hour", "must be between 0 and 24");
      rate(s, "mean_rate", p.mean_rate * (1 + p.amplitude));  // the peak rate
      expect(s, "mean_rate", p.mean_rate, duration_or(s, "start", 0), until(s));
      gen = std::make_unique<DiurnalStream>(p, duration_or(s, "start", 0), until(s), gen_seed);
    } else if (type == "closed_loop") {
      s.allow_only({CE_COMMON, "start", "clients", "think_time", "think_distribution", "requests_per_client"});
      ClosedLoopParams p;
      p.clients = static_cast<uint32_t>(s.integer_in("clients", 1, 10000000));
      if (!s.has("think_time")) s.fail("think_time", "missing (required): e.g. 1s");
      p.think_s = duration_or(s, "think_time", 0);
      const std::string dist = s.str_or("think_distribution", "exponential");
      if (dist == "exponential") p.dist = ThinkDist::Exponential;
      else if (dist == "constant") p.dist = ThinkDist::Constant;
      else s.fail("think_distribution", fmt::format("'{}' is not exponential or constant", dist));
      const long cap = s.integer_in("requests_per_client", 1, std::numeric_limits<long>::max(), 0);
      p.requests_per_client = static_cast<uint64_t>(cap);
      // Each client sends at most one request per think time (fewer while its requests are served).
      if (p.think_s > 0) {
        const double start = duration_or(s, "start", 0);
        const double span = std::max(0.0, std::min(until(s), ctx.duration_s) - start);
        double n = p.clients * std::floor(span / p.think_s + 1);
        if (cap > 0) n = std::min(n, static_cast<double>(p.clients) * static_cast<double>(cap));
        if (span > 0 && std::isfinite(n)) expected.emplace_back(n, s.key_path("clients"));
      }
      p.client_base = client_base;
      client_base += p.clients;
      gen = std::make_unique<ClosedLoopStream>(p, duration_or(s, "start", 0), until(s), gen_seed);
    } else if (type == "azure_trace") {
      s.allow_only({CE_COMMON, "file", "size_column", "time_scale", "offset"});
      AzureTraceOptions o;
      o.path = find_file(s, "file");
      const std::string col = s.str_or("size_column", "ContextTokens");
      if (col == "ContextTokens") o.size = TraceSize::ContextTokens;
      else if (col == "GeneratedTokens") o.size = TraceSize::GeneratedTokens;
      else if (col == "none") o.size = TraceSize::None;
      else s.fail("size_column", fmt::format("'{}' is not ContextTokens, GeneratedTokens or none", col));
      if (s.has("time_scale")) o.time_scale = s.positive("time_scale");
      o.offset_s = duration_or(s, "offset", 0, true);
      o.until_s = until(s);
      if (input_files) input_files->push_back(o.path);
      gen = std::make_unique<AzureTraceStream>(o);
    } else if (type == "rate_envelope") {
      s.allow_only({CE_COMMON, "file", "from", "to", "mean_rate", "time_scale", "day_length", "offset", "gaps",
                    "shape", "bin", "time_column", "count_column"});
      RateEnvelopeOptions o;
      o.path = find_file(s, "file");
      if (s.has("from")) o.from_utc = utc(s, "from");
      if (s.has("to")) o.to_utc = utc(s, "to");
      if (s.has("from") && s.has("to") && !(o.to_utc > o.from_utc)) s.fail("to", "must be after 'from'");
      o.mean_rate = rate(s, "mean_rate", s.positive("mean_rate"));
      if (s.has("time_scale") && s.has("day_length"))
        s.fail("day_length", "give either 'time_scale' or 'day_length', not both");
      if (s.has("time_scale")) o.time_scale = s.positive("time_scale");
      if (s.has("day_length")) {
        double d = duration_or(s, "day_length", 0);
        if (!(d > 0)) s.fail("day_length", "must be > 0");
        o.time_scale = 86400.0 / d;
      }
      o.offset_s = duration_or(s, "offset", 0, true);
      const std::string gaps = s.str_or("gaps", "interpolate");
      if (gaps == "interpolate") o.gaps = GapFill::Interpolate;
      else if (gaps == "zero") o.gaps = GapFill::Zero;
      else s.fail("gaps", fmt::format("'{}' is not interpolate or zero", gaps));
      const std::string shape = s.str_or("shape", "step");
      if (shape == "step") o.shape = EnvelopeShape::Step;
      else if (shape == "linear") o.shape = EnvelopeShape::Linear;
      else s.fail("shape", fmt::format("'{}' is not step or linear", shape));
      o.bin_s = duration_or(s, "bin", 60);
      if (!(o.bin_s > 0)) s.fail("bin", "must be > 0");
      o.time_column = s.str_or("time_column", o.time_column);
      o.count_column = s.str_or("count_column", o.count_column);
      o.until_s = until(s);
      expect(s, "mean_rate", o.mean_rate, 0, o.until_s);
      if (input_files) input_files->push_back(o.path);
      gen = std::make_unique<RateEnvelopeStream>(o, gen_seed);
    } else {
      s.fail("type", fmt::format("'{}' is not a workload source type (use one of: {})", type, kTypes));
    }
#undef CE_COMMON
    return std::make_unique<MixStream>(std::move(gen), mix(s), derive_seed(seed, 1));
  }
};

}  // namespace

static std::unique_ptr<ArrivalStream> make_workload_body(const YAML::Node& node, const WorkloadContext& ctx,
                                                         std::vector<std::string>* input_files) {
  const std::string& file = ctx.experiment_file;
  if (!node || node.IsNull()) fail_at_key(file, "workload", "missing (required): describe the request arrivals");
  if (!node.IsMap()) fail_at_key(file, "workload", "must be a mapping (type: ..., or sources: [...])");
  YamlSection w(node, file, "workload");
  Builder b{ctx, input_files, 0, {}};
  std::vector<std::unique_ptr<ArrivalStream>> streams;
  // Runs expected to make more requests than this need the key to say so (docs/inputs-workload.md).
  const double max_requests = w.has("max_requests") ? w.positive("max_requests") : kDefaultMaxRequests;
  if (max_requests > kMaxRequestsLimit)
    w.fail("max_requests", fmt::format("must be at most {:.0e}", kMaxRequestsLimit));
  if (w.has("type")) {  // one source written inline
    streams.push_back(b.source(w, 0, true));
  } else {
    if (!w.has("sources") || !w.raw("sources").IsSequence())
      w.fail("sources", fmt::format("give a list of sources ('sources: [- type: poisson ...]') or one source inline "
                                    "with 'type:' ({})", kTypes));
    w.allow_only({"sources", "max_requests"});
    auto list = w.list("sources");
    if (list.empty()) w.fail("sources", "must list at least one source");
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].has("type")) list[i].fail("type", fmt::format("missing (required): one of {}", kTypes));
      streams.push_back(b.source(list[i], i));
    }
  }
  double total = 0;
  const std::pair<double, std::string>* biggest = nullptr;
  for (const auto& e : b.expected) {
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
                                             std::vector<std::string>* input_files) {
  try {
    return make_workload_body(node, ctx, input_files);
  } catch (const YAML::Exception& e) {
    const std::string what = "unexpected YAML value in workload (" + e.msg + ")";
    if (e.mark.line >= 0) fail_at_line(ctx.experiment_file, e.mark.line + 1, what);
    fail_at_key(ctx.experiment_file, "workload", what);
  }
}

}  // namespace ce
