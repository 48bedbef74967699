#pragma once
// Replays an Azure LLM inference trace (AzurePublicDataset 2023):
//   TIMESTAMP,ContextTokens,GeneratedTokens
//   2023-11-16 18:17:03.9799600,4808,10
// arrival = (t - t_first) / time_scale + offset (rows mapped before 0 are skipped, so a negative
// offset cuts the start of the trace); a request's prompt_tokens = ContextTokens and output_tokens =
// GeneratedTokens (unless `tokens: false`: both 0, and the header needs no token column). The file is read
// line by line, twice: once at construction to validate every row that will be replayed (so bad
// input fails before the simulation starts), then lazily as requests are popped. Rows must be
// sorted (equal timestamps are fine); any bad row fails with "FILE:LINE: ...". Timestamps keep
// their full 100 ns resolution: differences are taken on whole seconds and fractions separately.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "workload/arrival_stream.hpp"

namespace ce {

struct AzureTraceOptions {
  std::string path;
  bool tokens = true;  // read ContextTokens and GeneratedTokens
  double time_scale = 1;  // trace seconds per simulated second (> 0); 2 replays twice as fast
  double offset_s = 0;    // simulated time of the first row
  double until_s = kNever;
};

// Row-by-row reader with header and order checks (shared by both passes).
class AzureTraceReader {
 public:
  struct Row {
    double whole_s = 0;  // epoch seconds, whole part (exact)
    double frac_s = 0;   // fraction of a second
    uint32_t prompt_tokens = 0, output_tokens = 0;
  };
  AzureTraceReader(const std::string& path, bool tokens);
  bool next(Row& row);
  long line() const { return csv_.line(); }

 private:
  CsvReader csv_;
  std::vector<std::string> f_;
  uint32_t token_field(size_t col, const char* name);
  size_t ts_col_ = 0, prompt_col_ = 0, output_col_ = 0, ncols_ = 0;
  bool tokens_;
  bool have_prev_ = false;
  Row prev_;
};

class AzureTraceStream : public ArrivalStream {
 public:
  explicit AzureTraceStream(const AzureTraceOptions& opt);

  double peek_time() override { return next_; }
  Request pop() override;
  bool finished() const override { return next_ == kNever; }

  uint64_t rows_in_window() const { return rows_; }  // requests this stream will emit

 private:
  double arrival(const AzureTraceReader::Row& r) const;
  void advance();

  AzureTraceOptions opt_;
  std::unique_ptr<AzureTraceReader> reader_;
  AzureTraceReader::Row first_{}, cur_{};
  uint64_t rows_ = 0;
  double next_ = kNever;
  uint64_t next_id_ = 0;
};

}  // namespace ce
