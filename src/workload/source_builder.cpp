#include "workload/source_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/time_utc.hpp"

namespace ce {

namespace fs = std::filesystem;

void SourceBuilder::begin_source(size_t index) {
  source_index_ = index;
  arrival_seed_ = derive_seed(workload_source_seed(ctx_.seed, index), 0);
}

double SourceBuilder::rate(const YamlSection& s, const std::string& key, double v) const {
  if (v > kMaxSourceRate)
    s.fail(key, fmt::format("{} req/s is above the limit of {:.0e} req/s per source (arrival times would not "
                            "advance; split the load over several sources or hosts)", v, kMaxSourceRate));
  return v;
}

void SourceBuilder::expect(const YamlSection& s, const std::string& key, double rate_v, double start, double stop) {
  const double span = std::max(0.0, std::min(stop, ctx_.duration_s) - start);
  if (span > 0 && std::isfinite(span)) expected_.emplace_back(rate_v * span, s.key_path(key));
}

void SourceBuilder::expect_count(const YamlSection& s, const std::string& key, double n) {
  expected_.emplace_back(n, s.key_path(key));
}

std::string SourceBuilder::find_file(const YamlSection& s, const std::string& key) const {
  const std::string p = s.str(key);
  if (p.empty()) s.fail(key, "must name a file");
  std::vector<fs::path> tries;
  if (fs::path(p).is_absolute()) {
    tries.push_back(p);
  } else {
    tries.push_back(fs::path(ctx_.experiment_file).parent_path() / p);
    if (!ctx_.data_root.empty()) tries.push_back(fs::path(ctx_.data_root) / p);
  }
  std::error_code ec;
  for (const auto& t : tries)
    if (fs::is_regular_file(t, ec)) return t.lexically_normal().string();
  std::string looked;
  for (const auto& t : tries) looked += (looked.empty() ? "" : " and ") + t.lexically_normal().string();
  s.fail(key, fmt::format("file '{}' not found (looked for {}; relative paths are tried next to the "
                          "experiment file, then under the data root)", p, looked));
}

void SourceBuilder::add_input_file(const std::string& path) {
  if (input_files_) input_files_->push_back(path);
}

double SourceBuilder::duration_or(const YamlSection& s, const std::string& key, double def, bool allow_negative) const {
  double v = s.quantity_or(key, Unit::Duration, def);
  if (!std::isfinite(v) && s.has(key)) s.fail(key, "must be finite");
  if (!allow_negative && v < 0) s.fail(key, fmt::format("must be >= 0 (got {} s)", v));
  return v;
}

double SourceBuilder::utc(const YamlSection& s, const std::string& key) const {
  const std::string text = s.str(key);
  auto t = parse_utc(text);
  if (!t) s.fail(key, fmt::format("'{}' is not a UTC date-time (write YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)", text));
  return *t;
}

double SourceBuilder::until(const YamlSection& s) const {
  return std::min(ctx_.duration_s, duration_or(s, "stop", kNever));
}

uint32_t SourceBuilder::claim_clients(uint32_t n) {
  const uint32_t first = client_base_;
  client_base_ += n;
  return first;
}

uint32_t SourceBuilder::add_job(BatchJob job) {
  job.id = ++job_count_;
  if (jobs_) jobs_->push_back(std::move(job));
  return job_count_;
}

}  // namespace ce
