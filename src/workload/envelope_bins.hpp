#pragma once
// Reads a per-bin request-count series (WorldCup98 style: "period,count", one row per minute,
// UTC/GMT start of the bin) row by row and yields every bin in order, filling missing bins:
//   interpolate: the k-1 missing bins between counts a and b get a + (b - a) * j / k, j = 1..k-1
//   zero:        missing bins count 0
// Rows must be strictly increasing and a whole number of bins apart, at most kMaxGapBins bins;
// otherwise "FILE:LINE: ...".
#include <string>
#include <vector>

#include "core/csv.hpp"

namespace ce {

enum class GapFill { Interpolate, Zero };

constexpr double kMaxGapBins = 1e7;  // most missing bins between two rows (each is filled in turn)

struct EnvelopeBin {
  double start = 0;  // epoch seconds (UTC)
  double count = 0;  // requests in the bin
  bool filled = false;  // true for a bin missing from the file
};

class EnvelopeBinReader {
 public:
  EnvelopeBinReader(const std::string& path, const std::string& time_column, const std::string& count_column,
                    double bin_s, GapFill gaps);
  bool next(EnvelopeBin& out);
  const std::string& path() const { return csv_.path(); }
  long filled_bins() const { return filled_; }

 private:
  CsvReader csv_;
  std::string time_name_, count_name_;
  std::vector<std::string> f_;
  size_t time_col_ = 0, count_col_ = 0, ncols_ = 0;
  double bin_s_;
  GapFill gaps_;
  bool have_prev_ = false;
  EnvelopeBin prev_;      // last real row
  EnvelopeBin pending_;   // real row waiting behind gap fills
  long gap_k_ = 0, gap_j_ = 0;  // emitting fills j = 1..k-1 before pending_
  long filled_ = 0;
};

}  // namespace ce
