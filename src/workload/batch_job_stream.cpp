#include "workload/batch_job_stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "workload/batch_job.hpp"
#include "workload/source_builder.hpp"

namespace ce {

std::vector<double> linear_speedup(uint32_t max_workers) {
  std::vector<double> s(static_cast<size_t>(max_workers) + 1);
  for (size_t k = 0; k < s.size(); ++k) s[k] = static_cast<double>(k);
  return s;
}

std::vector<double> amdahl_speedup(uint32_t max_workers, double p) {
  std::vector<double> s(static_cast<size_t>(max_workers) + 1, 0.0);
  for (size_t k = 1; k < s.size(); ++k) s[k] = 1.0 / ((1.0 - p) + p / static_cast<double>(k));
  return s;
}

BatchJobStream::BatchJobStream(uint32_t first_id, double at_s, double every_s, uint64_t jobs, double items,
                               uint32_t chunk)
    : first_id_(first_id), at_(at_s), every_(jobs > 1 ? every_s : 0), jobs_(jobs), items_(items), chunk_(chunk) {
  if (!(items > 0) || chunk == 0) throw std::invalid_argument("BatchJobStream: items must be > 0 and chunk >= 1");
  requests_ = static_cast<uint64_t>(std::ceil(items / chunk));
}

Request BatchJobStream::pop() {
  if (job_ >= jobs_) throw std::logic_error("BatchJobStream::pop with no request left");
  Request r;
  r.id = next_id_++;
  r.arrival_s = job_time(at_, every_, job_);
  r.job = first_id_ + static_cast<uint32_t>(job_);
  r.work = part_ + 1 < requests_ ? chunk_
                                 : static_cast<uint32_t>(items_ - static_cast<double>(requests_ - 1) * chunk_);
  if (++part_ == requests_) {
    part_ = 0;
    ++job_;
  }
  return r;
}

namespace {

// The one name given by `single` or by a one-entry `many` (mapping or list), with its key path;
// nullopt when neither key is present. A batch job has one model and one source device.
std::optional<std::pair<std::string, std::string>> one_name(const YamlSection& s, const char* single,
                                                            const char* many, const char* what) {
  if (s.has(single) && s.has(many)) s.fail(many, fmt::format("give either '{}' or '{}', not both", single, many));
  if (s.has(single)) return std::make_pair(s.str(single), s.key_path(single));
  if (!s.has(many)) return std::nullopt;
  const YAML::Node n = s.raw(many);
  if (!n.IsMap() && !n.IsSequence())
    s.fail(many, fmt::format("must map {} names to weights ({{a: 3, b: 1}}) or list names", what));
  if (n.size() != 1)
    s.fail(many, fmt::format("a batch_job has one {0}: give '{1}: NAME' (this names {2} entries)", what, single,
                             n.size()));
  if (n.IsMap()) {
    const std::string name = n.begin()->first.as<std::string>();
    return std::make_pair(name, s.key_path(many) + "." + name);
  }
  const YAML::Node x = n[0];
  const std::string key = s.key_path(many) + "[0]";
  if (!x.IsScalar()) fail_at_key(s.file(), key, fmt::format("must be a {} name", what));
  return std::make_pair(x.Scalar(), key);
}

uint32_t resolve_model(SourceBuilder& b, const YamlSection& s) {
  const auto m = one_name(s, "model", "models", "model");
  if (!m) {
    if (b.ctx().default_model) return *b.ctx().default_model;
    s.fail("model", "missing: name the model with 'model: NAME'");
  }
  if (!b.ctx().resolve_model) fail_at_key(s.file(), m->second, "no model names are known in this context");
  return b.ctx().resolve_model(m->first, m->second);
}

uint32_t resolve_source(SourceBuilder& b, const YamlSection& s) {
  const auto h = one_name(s, "source", "sources", "source device");
  if (!h) {
    if (b.ctx().default_source) return *b.ctx().default_source;
    s.fail("source", "missing: name the source device with 'source: NAME'");
  }
  if (!b.ctx().resolve_host) fail_at_key(s.file(), h->second, "no source device names are known in this context");
  std::string name = h->first;
  if (b.ctx().hosts_matching && name.find_first_of("*?") != std::string::npos) {
    const std::vector<std::string> matched = b.ctx().hosts_matching(name);
    if (matched.size() != 1)
      fail_at_key(s.file(), h->second,
                  fmt::format("pattern '{}' matches {} hosts; a batch_job comes from one host", name, matched.size()));
    name = matched.front();
  }
  return b.ctx().resolve_host(name, h->second);
}

// `scaling`: linear (default), {amdahl: p} or {table: [1, s2, ..., s_max_workers]}.
std::vector<double> parse_scaling(const YamlSection& s, uint32_t max_workers, std::string& kind) {
  kind = "linear";
  if (!s.has("scaling")) return linear_speedup(max_workers);
  const YAML::Node n = s.raw("scaling");
  if (n.IsScalar()) {
    const std::string v = n.Scalar();
    if (v == "linear") return linear_speedup(max_workers);
    if (v == "amdahl" || v == "table")
      s.fail("scaling", fmt::format("'{0}' needs its parameter: write {{{0}: {1}}}", v,
                                    v == "amdahl" ? "P (the parallel fraction, 0 to 1)" : "[1, s2, ...]"));
    s.fail("scaling", fmt::format("'{}' is not a scaling profile (use linear, {{amdahl: P}} or {{table: [1, s2, ...]}})",
                                  v));
  }
  if (!n.IsMap()) s.fail("scaling", "must be linear, {amdahl: P} or {table: [1, s2, ...]}");
  const YamlSection sc = s.child("scaling");
  sc.allow_only({"amdahl", "table"});
  if (sc.has("amdahl") == sc.has("table")) s.fail("scaling", "give exactly one of amdahl: P or table: [1, s2, ...]");
  if (sc.has("amdahl")) {
    kind = "amdahl";
    const double p = sc.num("amdahl");
    if (!(p >= 0 && p <= 1)) sc.fail("amdahl", fmt::format("the parallel fraction must be from 0 to 1 (got {})", p));
    return amdahl_speedup(max_workers, p);
  }
  kind = "table";
  const YAML::Node t = sc.raw("table");
  if (!t.IsSequence())
    sc.fail("table", "must list the speed-up with 1, 2, ..., max_workers workers ([1, 1.9, 2.7, ...])");
  if (t.size() != max_workers)
    sc.fail("table", fmt::format("has {} entries but max_workers is {}: give the speed-up with 1..{} workers",
                                 t.size(), max_workers, max_workers));
  std::vector<double> out(static_cast<size_t>(max_workers) + 1, 0.0);
  for (size_t k = 1; k <= max_workers; ++k) {
    const YAML::Node x = t[k - 1];
    double v;
    if (!x.IsScalar() || !parse_double(x.Scalar(), v))
      sc.fail("table", fmt::format("entry {} ({} workers) is not a number", k - 1, k));
    if (!(v > 0) || !std::isfinite(v))
      sc.fail("table", fmt::format("entry {} ({} workers) must be a speed-up > 0 (got {})", k - 1, k, v));
    if (k == 1 && v != 1)
      sc.fail("table", fmt::format("the first entry (1 worker) must be 1: speed-ups are relative to one worker "
                                   "(got {})", v));
    if (k > 1 && v < out[k - 1])
      sc.fail("table", fmt::format("speed-ups must not decrease ({} after {})", v, out[k - 1]));
    out[k] = v;
  }
  return out;
}

}  // namespace

// type: batch_job (keys: at, items, chunk, max_workers, min_workers, scaling, length_known, every,
// name, hosts; deadline is required).
std::unique_ptr<ArrivalStream> build_batch_job(SourceBuilder& b, const YamlSection& s) {
  BatchJob job;
  job.where = s.path();
  if (!s.has("deadline"))
    s.fail("deadline", "missing (required for batch_job): the time by which each job must complete, relative "
                       "to its arrival (e.g. 6h)");
  job.deadline_s = s.quantity("deadline", Unit::Duration);
  if (!(job.deadline_s > 0) || !std::isfinite(job.deadline_s)) s.fail("deadline", "must be a duration > 0");

  // items: a whole number > 0 (1000000 or 1e6), exact in a double.
  if (!s.has("items")) s.fail("items", "missing (required): the number of inferences of each job");
  job.items = s.num("items");
  constexpr double kMaxItems = 9007199254740992.0;  // 2^53
  if (!(job.items > 0) || !std::isfinite(job.items))
    s.fail("items", fmt::format("must be a whole number > 0 (got {})", job.items));
  if (job.items != std::floor(job.items))
    s.fail("items", fmt::format("must be a whole number of inferences (got {})", job.items));
  if (job.items > kMaxItems) s.fail("items", fmt::format("must be at most 2^53 (got {})", job.items));
  job.chunk = static_cast<uint32_t>(s.integer_in("chunk", 1, std::numeric_limits<uint32_t>::max(), 1));
  const double requests = std::ceil(job.items / job.chunk);
  if (requests > std::numeric_limits<uint32_t>::max())
    s.fail("chunk", fmt::format("items / chunk makes {:.3g} requests per job, more than {}; raise chunk", requests,
                                std::numeric_limits<uint32_t>::max()));
  job.requests = static_cast<uint32_t>(requests);

  if (!s.has("max_workers")) s.fail("max_workers", "missing (required): the most workers the job may run on at once");
  job.max_workers = static_cast<uint32_t>(s.integer_in("max_workers", 1, kMaxBatchWorkers));
  job.min_workers = static_cast<uint32_t>(s.integer_in("min_workers", 1, kMaxBatchWorkers, 1));
  if (job.min_workers > job.max_workers)
    s.fail("min_workers", fmt::format("must be at most max_workers ({}) (got {})", job.max_workers, job.min_workers));
  job.speedup = parse_scaling(s, job.max_workers, job.scaling);
  job.length_known = s.boolean_or("length_known", true);

  // When: one job at `at`, or one every `every` from `at` until the source's stop.
  job.at_s = b.duration_or(s, "at", 0);
  const double until = b.until(s);
  if (!(job.at_s < until))
    s.fail("at", fmt::format("{} s is not before the end of this source's arrivals ({} s: the run's duration, or "
                             "stop if earlier)", job.at_s, until));
  double every = 0;
  uint64_t jobs = 1;
  if (s.has("every")) {
    every = b.duration_or(s, "every", 0);
    if (!(every > 0)) s.fail("every", "must be a duration > 0");
    if (!std::isfinite(until))
      s.fail("every", "repeats without end: give stop, or run for a finite carbon.duration");
    const double n = std::ceil((until - job.at_s) / every);
    if (n > kMaxBatchJobs) s.fail("every", fmt::format("makes {:.3g} jobs, more than the limit of {}", n, kMaxBatchJobs));
    jobs = static_cast<uint64_t>(std::max(1.0, n));
    while (jobs > 1 && !(BatchJobStream::job_time(job.at_s, every, jobs - 1) < until)) --jobs;
    while (BatchJobStream::job_time(job.at_s, every, jobs) < until) ++jobs;
  }
  if (b.job_count() + jobs > kMaxBatchJobs)
    s.fail(s.has("every") ? "every" : "at",
           fmt::format("the workload would have {} batch jobs, more than the limit of {}", b.job_count() + jobs,
                       kMaxBatchJobs));
  // Speed-up table entries over the workload's jobs so far: the table is held for the whole run.
  const double entries = static_cast<double>(b.job_count() + jobs) * (job.max_workers + 1.0);
  if (entries > kMaxBatchSpeedupEntries)
    s.fail("max_workers", fmt::format("{} jobs × (max_workers + 1) speed-up entries is more than the limit of {:.0e}; "
                                      "lower max_workers or make fewer jobs",
                                      b.job_count() + jobs, kMaxBatchSpeedupEntries));
  b.expect_count(s, s.has("every") ? "every" : "items", static_cast<double>(jobs) * job.requests);

  // The model and source device every request of the job gets (the mix of the common keys
  // resolves the same names again, to the same indices).
  job.model = resolve_model(b, s);
  job.source = resolve_source(b, s);
  if (s.has("hosts")) {  // where its workers run (names or glob patterns); default: the source
    const auto names = s.str_list("hosts");
    if (names.empty()) s.fail("hosts", "must name at least one host");
    if (!b.ctx().host_index || !b.ctx().hosts_matching)
      s.fail("hosts", "no host names are known in this context");
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string key = fmt::format("{}[{}]", s.key_path("hosts"), i);
      std::vector<std::string> matched{names[i]};
      if (names[i].find_first_of("*?") != std::string::npos) {
        matched = b.ctx().hosts_matching(names[i]);
        if (matched.empty()) fail_at_key(s.file(), key, fmt::format("pattern '{}' matches no host", names[i]));
      }
      for (const auto& m : matched) {
        const uint32_t h = b.ctx().host_index(m, key);
        if (std::find(job.hosts.begin(), job.hosts.end(), h) != job.hosts.end())
          fail_at_key(s.file(), key, fmt::format("host '{}' is listed twice", m));
        job.hosts.push_back(h);
      }
    }
  }

  std::string label = fmt::format("batch_job[{}]", b.source_index());
  if (s.has("name")) {
    label = s.str("name");
    if (label.empty()) s.fail("name", "must not be empty");
  }
  uint32_t first_id = 0;
  for (uint64_t j = 0; j < jobs; ++j) {
    BatchJob occ = job;
    occ.at_s = BatchJobStream::job_time(job.at_s, every, j);
    occ.name = fmt::format("{}#{}", label, j + 1);
    const uint32_t id = b.add_job(std::move(occ));
    if (j == 0) first_id = id;
  }
  return std::make_unique<BatchJobStream>(first_id, job.at_s, every, jobs, job.items, job.chunk);
}

}  // namespace ce
