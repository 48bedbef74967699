#pragma once
// What the parser of one workload source type sees: its YAML section, its seed and the checks
// every source shares. A source type is one function
//   std::unique_ptr<ArrivalStream> build_<type>(SourceBuilder& b, const YamlSection& s)
// (next to its stream, in src/workload/<type>_stream.cpp) and one line in kSourceTypes, the table
// of workload_factory.cpp, that names the type, the function (also added to the SourceParser
// declaration above the table) and the keys it reads besides the common ones. The
// factory checks the keys (unknown ones are errors) before calling it, and afterwards wraps the
// stream it returns with the model/device/SLO draws of the common keys (MixStream); the parser
// reads only its own keys, plus `stop` through until().
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_section.hpp"
#include "workload/arrival_stream.hpp"
#include "workload/batch_job.hpp"
#include "workload/workload_factory.hpp"

namespace ce {

class SourceBuilder {
 public:
  // `jobs`, if given, receives the batch jobs the sources declare (add_job).
  SourceBuilder(const WorkloadContext& ctx, std::vector<std::string>* input_files,
                std::vector<BatchJob>* jobs = nullptr)
      : ctx_(ctx), input_files_(input_files), jobs_(jobs) {}

  const WorkloadContext& ctx() const { return ctx_; }
  // Seed of the arrival times of the source being built: derive_seed(workload_source_seed(seed, index), 0).
  uint64_t arrival_seed() const { return arrival_seed_; }

  // An arrival rate of one source (req/s): at most kMaxSourceRate.
  double rate(const YamlSection& s, const std::string& key, double v) const;
  // Records rate × the source's arrival window [start, stop) (clipped to the run) as its expected
  // request count, charged to `key` in the "too many requests" error.
  void expect(const YamlSection& s, const std::string& key, double rate_v, double start, double stop);
  // Records n expected requests, charged to `key`.
  void expect_count(const YamlSection& s, const std::string& key, double n);
  // A file named by `key`: absolute paths as given; relative ones next to the experiment file
  // first, then under data_root. Its normalised path, or an error naming where it looked.
  std::string find_file(const YamlSection& s, const std::string& key) const;
  // Records a file the source reads (hashed into run.json's inputs).
  void add_input_file(const std::string& path);
  // A duration (default `def`), finite and >= 0 unless allow_negative.
  double duration_or(const YamlSection& s, const std::string& key, double def, bool allow_negative = false) const;
  // A UTC date-time (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS), as seconds since the epoch.
  double utc(const YamlSection& s, const std::string& key) const;
  // End of the source's arrivals: `stop`, at most the run's duration.
  double until(const YamlSection& s) const;
  // Reserves `n` closed-loop client ids: returns the client_base of a source whose clients are
  // client_base + 1 .. client_base + n (ids run on over the workload's sources, in order).
  uint32_t claim_clients(uint32_t n);
  // Records a batch job (workload/batch_job.hpp) and returns its id: 1, 2, ... in the order they
  // are added (sources in order, each source's jobs in time order); sets job.id. The table goes to
  // make_workload's `jobs` when the caller asked for it.
  uint32_t add_job(BatchJob job);
  // Batch jobs added so far (over all sources).
  uint32_t job_count() const { return job_count_; }
  // Number (0-based, in the order of workload.sources) of the source being built.
  size_t source_index() const { return source_index_; }

  // For the factory: starts source number `index`; the expected counts recorded so far.
  void begin_source(size_t index);
  const std::vector<std::pair<double, std::string>>& expected() const { return expected_; }

 private:
  const WorkloadContext& ctx_;
  std::vector<std::string>* input_files_;
  std::vector<BatchJob>* jobs_;
  uint32_t job_count_ = 0;
  size_t source_index_ = 0;
  uint64_t arrival_seed_ = 0;
  uint32_t client_base_ = 0;
  // Requests each source is expected to produce over the run, with the key that sets its rate.
  std::vector<std::pair<double, std::string>> expected_;
};

// The parser of one source type.
using SourceParser = std::unique_ptr<ArrivalStream>(SourceBuilder& b, const YamlSection& s);

}  // namespace ce
